-- The composer, attention and read receipts (issue 11, part 2).

-- A WhatsApp channel's Business Account (WABA) id: its approved message
-- templates are listed there (GET /{waba-id}/message_templates).
ALTER TABLE channels ADD COLUMN business_id text NOT NULL DEFAULT '';

-- The template a template message goes out as: name, language and the
-- values of its body's {{1}}, {{2}}...; the message's body is the text the
-- client sees.
CREATE TABLE outgoing_templates (
    portal_id  bigint NOT NULL REFERENCES portals (id),
    message_id bigint PRIMARY KEY REFERENCES messages (id),
    name       text   NOT NULL,
    language   text   NOT NULL,
    params     text[] NOT NULL DEFAULT '{}'
);

-- The last inbound message the messenger was told the business read (a
-- read receipt is queued once per new inbound message).
ALTER TABLE dialogs ADD COLUMN read_receipt_id bigint NOT NULL DEFAULT 0;

-- An Instagram client's profile (the user profile API), read once per new
-- client (profile_requested_at: when its read was queued): the name goes
-- into clients.name when we had none, the username and picture link here.
ALTER TABLE clients ADD COLUMN username text NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN picture_url text NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN profile_requested_at timestamptz;

-- The sound on a new inbound message, per user (not per browser).
ALTER TABLE users ADD COLUMN sound_off boolean NOT NULL DEFAULT false;
