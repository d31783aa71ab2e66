-- The live event log is read by id alone: writers draw their ids in commit
-- order under an advisory lock (db.LiveEventsLock) held from their events'
-- insert to their commit, at the very end of their transactions. Reading
-- below the oldest running transaction instead (0007) let any long
-- transaction with an id, one that logs nothing included, hold every live
-- event back for as long as it ran.
DROP INDEX live_events_order;
ALTER TABLE live_events DROP COLUMN xid;
