package db_test

import (
	"context"
	"errors"
	"testing"

	"switchboard/db"
)

// What a transaction leaves for its commit (jobs, timeline entries,
// standing-job nudges, live events) is written once, whatever it asked
// twice, nothing of a savepoint that failed, and nothing at all when the
// transaction fails.
func TestATransactionsTailIsWrittenAtItsCommit(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	a, b := newWorld(t, store, "a"), newWorld(t, store, "b")
	msg, _, err := store.InsertMessage(ctx, db.Message{PortalID: a.portal, DialogID: a.dialog, ChannelID: a.channel,
		Direction: "in", Kind: "text", Body: "hello", Status: "received", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := store.DB.Get(&n, query, args...); err != nil {
			t.Fatal(err)
		}
		return n
	}
	events := func() int {
		return count(`SELECT count(*) FROM live_events WHERE portal_id IN ($1, $2)`, a.portal, b.portal)
	}
	before := events()

	failed := errors.New("the transaction fails")
	err = store.InTx(ctx, func(tx *db.Store) error {
		if err := tx.EnqueueMany(ctx, a.portal, "notify", []any{map[string]int{"dialog": 1}}, t0); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("the failing transaction: %v", err)
	}

	err = store.InTx(ctx, func(tx *db.Store) error {
		if err := tx.EnqueueMany(ctx, a.portal, "notify", []any{map[string]int{"dialog": 1}, map[string]int{"dialog": 2}}, t0); err != nil {
			return err
		}
		undone := tx.Savepoint(ctx, func() error {
			if err := tx.EnqueueMany(ctx, a.portal, "notify", []any{map[string]int{"dialog": 3}}, t0); err != nil {
				return err
			}
			if err := tx.NudgeStanding(ctx, b.portal, "crm_reconcile", t0); err != nil {
				return err
			}
			if err := tx.LogEvents(ctx, t0, db.LiveEvent{Portal: b.portal, Dialog: b.dialog, Kind: "message"}); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(undone, failed) {
			t.Errorf("the savepoint: %v", undone)
		}
		for range 2 {
			if err := tx.QueueTimeline(ctx, a.portal, []int64{msg}, t0); err != nil {
				return err
			}
			if err := tx.NudgeStanding(ctx, a.portal, "crm_sync", t0); err != nil {
				return err
			}
		}
		if err := tx.NudgeStanding(ctx, b.portal, "crm_sync", t0); err != nil {
			return err
		}
		return tx.LogEvents(ctx, t0, db.LiveEvent{Portal: a.portal, Dialog: a.dialog, Message: msg, Kind: "message"},
			db.LiveEvent{Portal: b.portal, Dialog: b.dialog, Kind: "read"})
	})
	if err != nil {
		t.Fatal(err)
	}

	if n := count(`SELECT count(*) FROM outbox WHERE portal_id = $1 AND kind = 'notify'`, a.portal); n != 2 {
		t.Errorf("%d notify jobs, want 2: the failed transaction's and the savepoint's are not written", n)
	}
	for _, p := range []int64{a.portal, b.portal} {
		if n := count(`SELECT count(*) FROM outbox WHERE portal_id = $1 AND kind = 'crm_sync' AND done_at IS NULL`, p); n != 1 {
			t.Errorf("portal %d has %d CRM syncs waiting, want 1", p, n)
		}
	}
	if n := count(`SELECT count(*) FROM outbox WHERE kind = 'crm_reconcile'`); n != 0 {
		t.Errorf("%d reconciles: the savepoint's nudge was written", n)
	}
	if n := count(`SELECT count(*) FROM timeline_queue WHERE portal_id = $1 AND message_id = $2`, a.portal, msg); n != 1 {
		t.Errorf("the message is %d times in the timeline's queue, want once", n)
	}
	if n := events() - before; n != 2 {
		t.Errorf("%d live events logged, want the transaction's 2 (not the savepoint's)", n)
	}
	var kinds []string
	if err := store.DB.Select(&kinds, `SELECT kind FROM live_events WHERE portal_id IN ($1, $2) ORDER BY id DESC LIMIT 2`, a.portal, b.portal); err != nil {
		t.Fatal(err)
	}
	if len(kinds) != 2 || kinds[0] != "read" || kinds[1] != "message" {
		t.Errorf("the events were logged as %v, want message then read", kinds)
	}
}
