-- The CRM mirror.
--
-- clients.crm_state: 'new' until the CRM sync has found or created the
-- client's entity ('linked'). Every client starts new, those already stored
-- too: the first sync links them.
ALTER TABLE clients
    ADD COLUMN crm_state   text        NOT NULL DEFAULT 'new' CHECK (crm_state IN ('new', 'linked')),
    ADD COLUMN crm_created boolean     NOT NULL DEFAULT false; -- the entity is one we created
CREATE INDEX clients_crm_new ON clients (portal_id, id) WHERE crm_state = 'new';

-- Per channel: the CRM source written on what we create (crm.status SOURCE).
ALTER TABLE channels ADD COLUMN source_id text NOT NULL DEFAULT '';

-- Round-robin distribution: the portal's cursor, advanced atomically, so
-- every instance and restart takes turns fairly. lang: the portal's language
-- (LANG of the install), for what we write into the CRM.
ALTER TABLE portals
    ADD COLUMN rr_cursor bigint NOT NULL DEFAULT 0,
    ADD COLUMN lang      text   NOT NULL DEFAULT 'en';

-- Messages waiting to be mirrored into the timeline, in order.
CREATE TABLE timeline_queue (
    portal_id  bigint      NOT NULL REFERENCES portals (id),
    message_id bigint      PRIMARY KEY REFERENCES messages (id),
    queued_at  timestamptz NOT NULL
);
CREATE INDEX timeline_queue_portal ON timeline_queue (portal_id, message_id);

-- One timeline comment per message and entity. attempted_at is set (and
-- committed) before the comment is added; a row attempted but without a
-- comment id has an unknown outcome, checked against the entity's comments
-- (each carries its message's marker) before it is added again.
CREATE TABLE timeline_comments (
    portal_id    bigint      NOT NULL REFERENCES portals (id),
    message_id   bigint      NOT NULL REFERENCES messages (id),
    entity_type  text        NOT NULL CHECK (entity_type IN ('lead', 'contact', 'deal')),
    entity_id    bigint      NOT NULL,
    comment_id   bigint,
    skipped      text        NOT NULL DEFAULT '', -- why it will never be added (the entity is gone)
    pinned       boolean     NOT NULL DEFAULT false, -- pinned in the entity's timeline from our chat
    attempted_at timestamptz,
    done_at      timestamptz,
    PRIMARY KEY (message_id, entity_type, entity_id)
);
CREATE INDEX timeline_comments_open ON timeline_comments (portal_id, message_id) WHERE done_at IS NULL;

-- A standing job (the portal's CRM sync) is one row at a time: asking for
-- it again while it waits or runs sets rerun, and it runs once more.
ALTER TABLE outbox ADD COLUMN rerun boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX outbox_standing ON outbox (portal_id, kind) WHERE done_at IS NULL AND kind IN ('crm_sync', 'crm_reconcile');

-- Where the periodic reconciliation got to, per portal and entity type.
CREATE TABLE crm_cursors (
    portal_id   bigint      NOT NULL REFERENCES portals (id),
    entity_type text        NOT NULL,
    modified_at timestamptz NOT NULL,
    PRIMARY KEY (portal_id, entity_type)
);

-- CRM entities to read again: an event named them (a hint, never data), or
-- the reconciliation found them modified. The CRM sync re-reads each and
-- puts the links and responsibles right.
CREATE TABLE crm_dirty (
    portal_id   bigint      NOT NULL REFERENCES portals (id),
    entity_type text        NOT NULL CHECK (entity_type IN ('lead', 'contact', 'deal')),
    entity_id   bigint      NOT NULL,
    marked_at   timestamptz NOT NULL,
    PRIMARY KEY (portal_id, entity_type, entity_id)
);
