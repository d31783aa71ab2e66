-- The live event log: every change a page shows live is recorded here in the
-- same transaction as the change, instead of a NOTIFY per transaction (whose
-- global commit lock serialised every ingest). xid is the writing
-- transaction's id: readers take events in (xid, id) order and only below the
-- oldest transaction still running, so an event whose sequence id was drawn
-- early but commits late is never skipped.
CREATE TABLE live_events (
    id          bigserial   PRIMARY KEY,
    xid         xid8        NOT NULL DEFAULT pg_current_xact_id(),
    portal_id   bigint      NOT NULL,
    kind        text        NOT NULL,
    dialog_id   bigint      NOT NULL DEFAULT 0,
    message_id  bigint      NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL
);
CREATE INDEX live_events_order ON live_events (xid, id);
CREATE INDEX live_events_age ON live_events USING brin (created_at);
