-- The settings page (issue 13). A channel is added, renamed, turned off and
-- removed from the page: a removed channel keeps its dialogs and history
-- (removed_at), and verified_at is when Meta's subscription handshake last
-- succeeded, which the page waits for after showing the webhook URL.
ALTER TABLE channels
    ADD COLUMN enabled     boolean NOT NULL DEFAULT true,
    ADD COLUMN removed_at  timestamptz,
    ADD COLUMN verified_at timestamptz;

-- A head of department's team: our ids of the users in the departments they
-- head (sub-departments included), read from Bitrix24 at each sign-in, for
-- the visibility rule "own + my department's".
ALTER TABLE users ADD COLUMN team bigint[] NOT NULL DEFAULT '{}';
