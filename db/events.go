package db

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/lib/pq"
)

// LiveEvent is one change a page shows live: ids only, in the event log.
type LiveEvent struct {
	Pos     Position `json:"-"`
	Portal  int64    `json:"p"`
	Dialog  int64    `json:"d"`
	Message int64    `json:"m,omitempty"`
	Kind    string   `json:"k"`
}

// Position orders the event log: by writing transaction, then by id. Every
// event that commits later than a reader's position sorts after it.
type Position struct {
	Xid uint64
	ID  int64
}

// After reports whether p sorts after q.
func (p Position) After(q Position) bool {
	return p.Xid > q.Xid || p.Xid == q.Xid && p.ID > q.ID
}

// String is the position as a stream's event id.
func (p Position) String() string {
	return strconv.FormatUint(p.Xid, 10) + "-" + strconv.FormatInt(p.ID, 10)
}

// ParsePosition reads a position written by String.
func ParsePosition(s string) (Position, bool) {
	for i := range len(s) {
		if s[i] != '-' {
			continue
		}
		xid, err1 := strconv.ParseUint(s[:i], 10, 64)
		id, err2 := strconv.ParseInt(s[i+1:], 10, 64)
		return Position{Xid: xid, ID: id}, err1 == nil && err2 == nil
	}
	return Position{}, false
}

// LogEvents records live events in the log at `at`, in one statement: on
// commit when the Store is bound to a transaction, and then the Store's
// OnEvents hook runs.
func (s *Store) LogEvents(ctx context.Context, at time.Time, events ...LiveEvent) error {
	if len(events) == 0 {
		return nil
	}
	portal, dialog, message := make([]int64, len(events)), make([]int64, len(events)), make([]int64, len(events))
	kind := make([]string, len(events))
	for i, e := range events {
		portal[i], dialog[i], message[i], kind[i] = e.Portal, e.Dialog, e.Message, e.Kind
	}
	_, err := s.exec(ctx, `INSERT INTO live_events (portal_id, kind, dialog_id, message_id, created_at)
		SELECT p, k, d, m, $5 FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[]) AS v(p, k, d, m)`,
		pq.Array(portal), pq.Array(kind), pq.Array(dialog), pq.Array(message), at)
	if err != nil {
		return fmt.Errorf("db: unable to log %d live events: %w", len(events), err)
	}
	s.logged()
	return nil
}

// EventsAfter reads up to limit events of every portal after pos, in log
// order, that no running transaction can still precede: it stops below the
// oldest transaction in flight. held is true when committed events wait
// behind such a transaction (read again soon).
func (s *Store) EventsAfter(ctx context.Context, pos Position, limit int) (events []LiveEvent, held bool, err error) {
	var rows []struct {
		ID      int64  `db:"id"`
		Xid     string `db:"xid_text"`
		Xmin    string `db:"xmin"`
		Portal  int64  `db:"portal_id"`
		Kind    string `db:"kind"`
		Dialog  int64  `db:"dialog_id"`
		Message int64  `db:"message_id"`
	}
	// Ordered by the xid8 column itself: as text, 1001 would sort before 983.
	err = s.all(ctx, &rows, `SELECT id, xid::text AS xid_text, pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
		portal_id, kind, dialog_id, message_id
		FROM live_events e WHERE (e.xid, e.id) > ($1::text::xid8, $2) ORDER BY e.xid, e.id LIMIT $3`,
		strconv.FormatUint(pos.Xid, 10), pos.ID, limit)
	if err != nil {
		return nil, false, fmt.Errorf("db: unable to read live events after %s: %w", pos, err)
	}
	for _, r := range rows {
		xid, _ := strconv.ParseUint(r.Xid, 10, 64)
		xmin, _ := strconv.ParseUint(r.Xmin, 10, 64)
		if xid >= xmin {
			return events, true, nil
		}
		events = append(events, LiveEvent{Pos: Position{Xid: xid, ID: r.ID}, Portal: r.Portal, Dialog: r.Dialog,
			Message: r.Message, Kind: r.Kind})
	}
	return events, false, nil
}

// EventsStart is the position before every event that may still commit:
// below the oldest transaction in flight, everything is done.
func (s *Store) EventsStart(ctx context.Context) (Position, error) {
	var xmin string
	if err := s.get(ctx, &xmin, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text`); err != nil {
		return Position{}, fmt.Errorf("db: unable to read the oldest running transaction: %w", err)
	}
	x, _ := strconv.ParseUint(xmin, 10, 64)
	return Position{Xid: x, ID: 0}, nil
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
// event log grew; it carries no payload.
const WakeChannel = "switchboard_events"

// Wake tells every instance listening on WakeChannel to read the log.
func (s *Store) Wake(ctx context.Context) error {
	if _, err := s.exec(ctx, `NOTIFY `+WakeChannel); err != nil {
		return fmt.Errorf("db: unable to wake listeners: %w", err)
	}
	return nil
}

// DialogRowsByID loads dialogs of a portal whatever their visibility (the
// live hub decides it per stream, in memory); one that does not exist is
// left out.
func (s *Store) DialogRowsByID(ctx context.Context, portalID int64, ids []int64) ([]DialogRow, error) {
	var rows []DialogRow
	err := s.all(ctx, &rows, dialogRowSelect+` WHERE d.portal_id = $1 AND d.id = ANY($2::bigint[])`, portalID, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("db: unable to fetch %d dialogs of portal %d: %w", len(ids), portalID, err)
	}
	return rows, nil
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
