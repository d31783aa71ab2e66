-- Media both ways, every message kind, coexistence history.
--
-- attachments: an inbound file is "pending" until the outbox job fetches it
-- from the provider (media id or URL kept here), "ready" once it is in the
-- blob store, "failed" after the job gave up. An outgoing file is stored
-- before the message is queued, so it is "ready" at once; the provider's
-- media id of its upload is kept so a retried send never uploads twice.
ALTER TABLE attachments
    ADD COLUMN state             text        NOT NULL DEFAULT 'ready' CHECK (state IN ('pending', 'ready', 'failed')),
    ADD COLUMN provider_media_id text        NOT NULL DEFAULT '',
    ADD COLUMN provider_url      text        NOT NULL DEFAULT '',
    ADD COLUMN attempts          integer     NOT NULL DEFAULT 0,
    ADD COLUMN last_error        text        NOT NULL DEFAULT '',
    ADD COLUMN updated_at        timestamptz NOT NULL DEFAULT now();

-- Edits and unsends/revokes made in the messenger.
ALTER TABLE messages
    ADD COLUMN edited_at  timestamptz,
    ADD COLUMN deleted_at timestamptz;

-- One reaction per side (the client's, the business's) on a message, keyed
-- by the target's provider id so a reaction is kept even when it arrives
-- before its message (a history chunk, a reordered webhook).
CREATE TABLE reactions (
    portal_id   bigint      NOT NULL REFERENCES portals (id),
    channel_id  bigint      NOT NULL REFERENCES channels (id),
    target_id   text        NOT NULL,
    direction   text        NOT NULL CHECK (direction IN ('in', 'out')),
    emoji       text        NOT NULL,
    reacted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel_id, target_id, direction)
);

-- Webhook bodies kept raw and processed later (the coexistence history
-- backfill): stored in the request's transaction before answering 200.
CREATE TABLE webhook_backlog (
    portal_id    bigint      NOT NULL REFERENCES portals (id),
    id           bigserial   PRIMARY KEY,
    channel_id   bigint      NOT NULL REFERENCES channels (id),
    signature    text        NOT NULL DEFAULT '',
    body         bytea       NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz,
    result       text        NOT NULL DEFAULT ''
);
CREATE INDEX webhook_backlog_pending ON webhook_backlog (portal_id, id) WHERE processed_at IS NULL;
