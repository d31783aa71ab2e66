-- Bitrix24 integration: what the install set up on the portal, and the
-- REST rate limiter shared by every instance of the app.

ALTER TABLE portals
    ADD COLUMN bot_id          bigint,
    ADD COLUMN bot_command_id  bigint,
    ADD COLUMN notify_chat_id  bigint,
    ADD COLUMN installed_at    timestamptz,
    ADD COLUMN installed_by    bigint;

-- One leaky bucket per portal: level drains at the portal's rate; a call is
-- admitted while level + 1 fits in the burst. Keyed by member_id, the key
-- the REST client knows a portal by.
CREATE TABLE bitrix_buckets (
    member_id text        PRIMARY KEY,
    level     float8      NOT NULL DEFAULT 0,
    at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
