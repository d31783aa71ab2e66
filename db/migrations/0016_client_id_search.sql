-- The client search matches a WhatsApp client's id (their number, when the
-- phone column is empty) and an Instagram client's username as it matches
-- names and phones: by any part, on trigrams. Without an index of its own,
-- that one condition made every search read all of the portal's clients
-- (95 ms instead of 19 for 100,000 clients, measured by make bench).
--
-- The clients' trigram indexes take their new entries at once rather than
-- in a pending list (fastupdate): clients are added rarely, searched often,
-- and every search read the whole pending list left by a burst of new
-- clients until the next vacuum (up to 480 ms, measured after seeding
-- 100,000 clients).
CREATE INDEX clients_external_id_trgm ON clients USING gin (external_id gin_trgm_ops) WITH (fastupdate = off);
ALTER INDEX clients_name_trgm SET (fastupdate = off);
ALTER INDEX clients_phone_trgm SET (fastupdate = off);
