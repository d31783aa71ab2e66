package db_test

import (
	"context"
	"testing"

	"switchboard/db"
	"switchboard/db/pgtest"
)

// The inbox's hot paths on a portal of 20,000 dialogs and 200,000 messages
// (and a second portal as large).

func benchWorld(b *testing.B) (*db.Store, world) {
	b.Helper()
	conn := pgtest.New(b)
	w := seedLargePortal(b, conn, 20000, 10)
	return db.New(conn), w
}

func BenchmarkInboxList(b *testing.B) {
	store, w := benchWorld(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := store.Dialogs(ctx, w.viewAll, db.DialogFilter{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInboxCounters(b *testing.B) {
	store, w := benchWorld(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := store.Counts(ctx, w.viewAll); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDialogMessages(b *testing.B) {
	store, w := benchWorld(b)
	ctx := context.Background()
	rows, err := store.Dialogs(ctx, w.viewAll, db.DialogFilter{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := store.Messages(ctx, w.portal, rows[0].ID, 200); err != nil {
			b.Fatal(err)
		}
	}
}
