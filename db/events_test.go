package db_test

import (
	"context"
	"testing"
	"time"

	"switchboard/db"
)

// The sequence trap: a transaction that drew its event id first but
// commits last must not be skipped. Events stay held behind a running
// transaction, and come out in commit-safe (xid, id) order once it ends.
func TestEventsAreNotSkippedWhenAnEarlierTransactionCommitsLater(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	start, err := store.EventsStart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := store.DB.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Rollback()
	// The slow transaction writes first, in a savepoint as ingestion
	// does: it holds the older xid.
	if _, err := slow.Exec(`SAVEPOINT item`); err != nil {
		t.Fatal(err)
	}
	if _, err := slow.Exec(`INSERT INTO live_events (portal_id, kind, dialog_id, created_at) VALUES (1, 'message', 1, now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := slow.Exec(`RELEASE SAVEPOINT item`); err != nil {
		t.Fatal(err)
	}
	if err := store.LogEvents(ctx, time.Now(), db.LiveEvent{Portal: 1, Dialog: 2, Kind: "message"}); err != nil {
		t.Fatal(err)
	}
	events, held, err := store.EventsAfter(ctx, start, 100)
	if err != nil || len(events) != 0 || !held {
		t.Fatalf("with an older transaction running: %v held=%v err=%v, want nothing yet and held", events, held, err)
	}
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	events, held, err = store.EventsAfter(ctx, start, 100)
	if err != nil || held || len(events) != 2 || events[0].Dialog != 1 || events[1].Dialog != 2 {
		t.Fatalf("after it commits: %+v held=%v err=%v, want dialog 1 then 2", events, held, err)
	}
	if !events[1].Pos.After(events[0].Pos) {
		t.Fatalf("positions %v, %v out of order", events[0].Pos, events[1].Pos)
	}
	rest, _, err := store.EventsAfter(ctx, events[1].Pos, 100)
	if err != nil || len(rest) != 0 {
		t.Fatalf("after the last position: %+v, %v", rest, err)
	}
	if p, ok := db.ParsePosition(events[1].Pos.String()); !ok || p != events[1].Pos {
		t.Fatalf("position %v does not survive as an event id (%v)", events[1].Pos, p)
	}
}
