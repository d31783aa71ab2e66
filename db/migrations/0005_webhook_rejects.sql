-- Webhook items that cannot be stored as what they are (no provider id, an
-- id too long to index, ...) are kept raw with the reason, so one bad item
-- never costs its neighbours their 200 and nothing is lost without a trace.
CREATE TABLE webhook_rejects (
    portal_id   bigint      NOT NULL REFERENCES portals (id),
    id          bigserial   PRIMARY KEY,
    channel_id  bigint      NOT NULL REFERENCES channels (id),
    reason      text        NOT NULL,
    item        bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_rejects_channel ON webhook_rejects (portal_id, channel_id, id);
