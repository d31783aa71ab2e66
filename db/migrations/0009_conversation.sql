-- One conversation per client, and search.
--
-- The list shows a client once: its newest visible dialog, found by a probe
-- per candidate on the client's dialogs by activity.
CREATE INDEX dialogs_client_activity ON dialogs (client_id, last_message_at DESC, id DESC);
-- The "unanswered" filter walks only the dialogs waiting for an answer.
CREATE INDEX dialogs_portal_unanswered ON dialogs (portal_id, last_message_at DESC, id DESC)
    WHERE unanswered_since IS NOT NULL;

-- Search. Message text: full text with the 'russian' configuration, which
-- stems Cyrillic words with Russian Snowball and Latin ones with English
-- Snowball, so one index serves both languages. Names and phones: any part of
-- them, in any case (trigrams; pg_trgm is a trusted extension, the database
-- owner may create it).
CREATE INDEX messages_text_search ON messages USING gin (to_tsvector('russian', body));
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX clients_name_trgm ON clients USING gin (name gin_trgm_ops);
CREATE INDEX clients_phone_trgm ON clients USING gin (phone gin_trgm_ops);
