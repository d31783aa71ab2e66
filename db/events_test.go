package db_test

import (
	"context"
	"testing"
	"time"

	"switchboard/db"
)

// The sequence trap: an event whose id was drawn first but commits last
// must not be skipped. A writer holds the log's order until it commits, so
// a later writer draws a greater id only after it, and a reader that sees
// an id has every smaller one.
func TestAnEventDrawnFirstIsNeverSkipped(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	start, err := store.EventsStart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first, err := store.DB.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback()
	// The first writer draws its id as LogEvents does, and has not committed.
	if _, err := first.Exec(`SELECT pg_advisory_xact_lock($1)`, int64(db.LiveEventsLock)); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Exec(`INSERT INTO live_events (portal_id, kind, dialog_id, created_at) VALUES (1, 'message', 1, now())`); err != nil {
		t.Fatal(err)
	}
	second := make(chan error, 1)
	go func() {
		second <- store.InTx(ctx, func(tx *db.Store) error {
			return tx.LogEvents(ctx, time.Now(), db.LiveEvent{Portal: 1, Dialog: 2, Kind: "message"})
		})
	}()
	select {
	case err := <-second:
		t.Fatalf("the second writer committed (%v) while the first held the log's order", err)
	case <-time.After(200 * time.Millisecond):
	}
	if events, err := store.EventsAfter(ctx, start, 100); err != nil || len(events) != 0 {
		t.Fatalf("before either commits: %+v, %v; want nothing", events, err)
	}
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	events, err := store.EventsAfter(ctx, start, 100)
	if err != nil || len(events) != 2 || events[0].Dialog != 1 || events[1].Dialog != 2 {
		t.Fatalf("after both commit: %+v, %v; want dialog 1 then 2", events, err)
	}
	if !events[1].Pos.After(events[0].Pos) {
		t.Fatalf("positions %v, %v out of order", events[0].Pos, events[1].Pos)
	}
	if rest, err := store.EventsAfter(ctx, events[1].Pos, 100); err != nil || len(rest) != 0 {
		t.Fatalf("after the last position: %+v, %v", rest, err)
	}
	if p, ok := db.ParsePosition(events[1].Pos.String()); !ok || p != events[1].Pos {
		t.Fatalf("position %v does not survive as an event id (%v)", events[1].Pos, p)
	}
	if _, ok := db.ParsePosition("981-17"); ok {
		t.Fatal("an event id of the old (xid, id) log parses: it would resume at the wrong place")
	}
}

// A long transaction that writes but logs no event (a job holding its row
// while it calls Bitrix24) holds no one's events back.
func TestALongTransactionThatLogsNothingHoldsNothingBack(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	start, err := store.EventsStart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	long, err := store.DB.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer long.Rollback()
	if _, err := long.Exec(`INSERT INTO portals (domain, member_id) VALUES ('long.bitrix24.ru', 'long-member')`); err != nil {
		t.Fatal(err)
	}
	if err := store.InTx(ctx, func(tx *db.Store) error {
		return tx.LogEvents(ctx, time.Now(), db.LiveEvent{Portal: 1, Dialog: 3, Kind: "message"})
	}); err != nil {
		t.Fatal(err)
	}
	events, err := store.EventsAfter(ctx, start, 100)
	if err != nil || len(events) != 1 || events[0].Dialog != 3 {
		t.Fatalf("with a long transaction running: %+v, %v; want the event at once", events, err)
	}
}

// Events logged in a savepoint that is rolled back go with it; the
// transaction's other events are logged on commit, and not before.
func TestEventsOfARolledBackSavepointAreNotLogged(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	start, err := store.EventsStart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = store.InTx(ctx, func(tx *db.Store) error {
		if err := tx.LogEvents(ctx, time.Now(), db.LiveEvent{Portal: 1, Dialog: 4, Kind: "message"}); err != nil {
			return err
		}
		_ = tx.Savepoint(ctx, func() error {
			if err := tx.LogEvents(ctx, time.Now(), db.LiveEvent{Portal: 1, Dialog: 5, Kind: "message"}); err != nil {
				return err
			}
			return context.Canceled // the item fails
		})
		if events, err := store.EventsAfter(ctx, start, 100); err != nil || len(events) != 0 {
			t.Errorf("before the commit: %+v, %v; want nothing", events, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	events, err := store.EventsAfter(ctx, start, 100)
	if err != nil || len(events) != 1 || events[0].Dialog != 4 {
		t.Fatalf("after the commit: %+v, %v; want dialog 4 alone", events, err)
	}
}
