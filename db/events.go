package db

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// LiveEvent is one change a page shows live: ids only, in the event log.
type LiveEvent struct {
	Pos     Position `json:"-"`
	Portal  int64    `json:"p"`
	Dialog  int64    `json:"d"`
	Message int64    `json:"m,omitempty"`
	Kind    string   `json:"k"`
	at      time.Time
}

// Position is a place in the event log: the id of the last event read.
// Ids are drawn in commit order (LiveEventsLock), so every event that
// commits later than a reader's position has a greater id.
type Position struct {
	ID int64
}

// After reports whether p comes after q.
func (p Position) After(q Position) bool { return p.ID > q.ID }

// String is the position as a stream's event id.
func (p Position) String() string { return strconv.FormatInt(p.ID, 10) }

// ParsePosition reads a position written by String.
func ParsePosition(s string) (Position, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return Position{ID: id}, err == nil && id >= 0
}

// LiveEventsLock is the transaction-level advisory lock that orders the
// event log. A writer takes it in the statement that draws its events' ids
// and holds it until it commits, so the next writer draws greater ids only
// once this one is visible: a reader that sees an id has every smaller one
// that will ever commit, and reads the log by id alone. Only the log's
// writers take it, at the very end of their transactions (InTx logs a
// transaction's events just before its commit): a long transaction that
// logs nothing holds nobody's events back.
const LiveEventsLock = 0x5357_4c49_5645 // "SWLIVE"

// LogEvents records live events at `at`. Bound to a transaction, the Store
// keeps them until the transaction commits and logs them all just before,
// in one statement (see LiveEventsLock); then the Store's OnEvents hook
// runs. On the pool they are logged at once.
func (s *Store) LogEvents(ctx context.Context, at time.Time, events ...LiveEvent) error {
	if len(events) == 0 {
		return nil
	}
	timed := make([]LiveEvent, len(events)) // the caller's slice stays as it was
	for i, e := range events {
		e.at = at
		timed[i] = e
	}
	if s.tail != nil {
		s.tail.events = append(s.tail.events, timed...)
		return nil
	}
	if err := s.flushTail(ctx, &txTail{events: timed}); err != nil {
		return err
	}
	if s.OnEvents != nil {
		s.OnEvents()
	}
	return nil
}

// EventsAfter reads up to limit events of every portal after pos, in log
// order.
func (s *Store) EventsAfter(ctx context.Context, pos Position, limit int) ([]LiveEvent, error) {
	var rows []struct {
		ID      int64  `db:"id"`
		Portal  int64  `db:"portal_id"`
		Kind    string `db:"kind"`
		Dialog  int64  `db:"dialog_id"`
		Message int64  `db:"message_id"`
	}
	err := s.all(ctx, &rows, `SELECT id, portal_id, kind, dialog_id, message_id
		FROM live_events WHERE id > $1 ORDER BY id LIMIT $2`, pos.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("db: unable to read live events after %s: %w", pos, err)
	}
	events := make([]LiveEvent, len(rows))
	for i, r := range rows {
		events[i] = LiveEvent{Pos: Position{ID: r.ID}, Portal: r.Portal, Dialog: r.Dialog, Message: r.Message, Kind: r.Kind}
	}
	return events, nil
}

// EventsStart is the position of the last event logged: every event
// still to commit comes after it.
func (s *Store) EventsStart(ctx context.Context) (Position, error) {
	var id int64
	if err := s.get(ctx, &id, `SELECT COALESCE(max(id), 0) FROM live_events`); err != nil {
		return Position{}, fmt.Errorf("db: unable to read the end of the live event log: %w", err)
	}
	return Position{ID: id}, nil
}

// PruneEvents deletes the events logged before `before`.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM live_events WHERE created_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("db: unable to prune live events: %w", err)
	}
	return res.RowsAffected()
}

// WakeChannel is the LISTEN/NOTIFY channel that tells other instances the
// event log grew; the payload names the instance that sent it.
const WakeChannel = "switchboard_events"

// Wake tells every instance listening on WakeChannel to read the log; from
// names the sender, which has read it already.
func (s *Store) Wake(ctx context.Context, from string) error {
	if _, err := s.exec(ctx, `SELECT pg_notify($1, $2)`, WakeChannel, from); err != nil {
		return fmt.Errorf("db: unable to wake listeners: %w", err)
	}
	return nil
}

// UnreadDialog is a dialog with unread messages, as the live counters keep it.
type UnreadDialog struct {
	ID          int64  `db:"id"`
	Unread      int    `db:"unread_count"`
	Responsible *int64 `db:"responsible_user_id"`
}

// UnreadDialogs lists a portal's dialogs with unread messages (the partial
// index holds them), whatever their visibility.
func (s *Store) UnreadDialogs(ctx context.Context, portalID int64) ([]UnreadDialog, error) {
	var rows []UnreadDialog
	err := s.all(ctx, &rows, `SELECT id, unread_count, responsible_user_id FROM dialogs d
		WHERE d.portal_id = $1 AND d.unread_count > 0`, portalID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list unread dialogs of portal %d: %w", portalID, err)
	}
	return rows, nil
}
