-- The notification chat and the presence rule. notify_lines holds the one
-- bot message per client in the portal's notification chat (none when the
-- client is answered) and the next check its outbox job asked for; presence
-- holds which client each open tab of our chat shows, kept alive by the
-- tab's live stream.

CREATE TABLE notify_lines (
    portal_id    bigint      NOT NULL REFERENCES portals (id),
    client_id    bigint      NOT NULL REFERENCES clients (id),
    message_id   bigint,               -- the bot message in the chat; NULL: no line
    posted_at    timestamptz,          -- by our clock: Bitrix24 edits a message for 3 days only
    shown_count  integer     NOT NULL DEFAULT 0,
    escalated    boolean     NOT NULL DEFAULT false,
    mention      bigint      NOT NULL DEFAULT 0,  -- the Bitrix24 user an escalated line mentions
    check_at     timestamptz,          -- the earliest check queued for later
    PRIMARY KEY (portal_id, client_id)
);
-- A press of "No reply needed" names the line's message.
CREATE INDEX notify_lines_message ON notify_lines (portal_id, message_id) WHERE message_id IS NOT NULL;

-- A line being posted: committed before imbot.message.add and deleted with
-- the recorded id, so a post whose answer was lost is looked for in the
-- chat on the next try instead of being made twice.
CREATE TABLE notify_posts (
    portal_id    bigint      NOT NULL REFERENCES portals (id),
    client_id    bigint      NOT NULL REFERENCES clients (id),
    attempted_at timestamptz NOT NULL,
    PRIMARY KEY (portal_id, client_id)
);

CREATE TABLE presence (
    portal_id  bigint      NOT NULL REFERENCES portals (id),
    tab        text        NOT NULL,  -- one page of our chat, named by the page
    user_id    bigint      NOT NULL REFERENCES users (id),
    client_id  bigint      REFERENCES clients (id), -- whose dialog the tab shows
    expires_at timestamptz NOT NULL,  -- the stream renews it; past it the tab is gone
    PRIMARY KEY (portal_id, tab)
);
CREATE INDEX presence_client ON presence (portal_id, client_id) WHERE client_id IS NOT NULL;
