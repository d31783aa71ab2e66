package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"switchboard/db"
	"switchboard/db/pgtest"
)

func TestMigrateIsIdempotentAndCurrent(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	if err := db.Migrate(ctx, store.DB); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if err := db.CheckSchema(ctx, store.DB); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DB.Exec(`DELETE FROM schema_migrations WHERE version = $1`, db.LatestVersion()); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckSchema(ctx, store.DB); err == nil {
		t.Fatal("a schema behind the binary must be refused")
	}
}

func TestSameProviderIDIsStoredOnce(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	m := db.Message{PortalID: w.portal, DialogID: w.dialog, ChannelID: w.channel, Direction: "in", Kind: "text",
		Body: "Hello", ProviderID: ptr("wamid.1"), Status: "received", CreatedAt: time.Now()}
	id, inserted, err := store.InsertMessage(ctx, m)
	if err != nil || !inserted || id == 0 {
		t.Fatalf("first insert: id=%d inserted=%v err=%v", id, inserted, err)
	}
	_, inserted, err = store.InsertMessage(ctx, m)
	if err != nil || inserted {
		t.Fatalf("second insert: inserted=%v err=%v, want a silent no-op", inserted, err)
	}
	msgs, err := store.Messages(ctx, w.portal, w.dialog, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("got %d messages, want 1", len(msgs))
	}
}

func TestPortalCannotReadAnotherPortalsDialog(t *testing.T) {
	store := newStore(t)
	a := newWorld(t, store, "a")
	b := newWorld(t, store, "b")
	ctx := context.Background()
	if _, err := store.Dialog(ctx, a.viewAll, a.dialog); err != nil {
		t.Fatalf("own dialog: %v", err)
	}
	if _, err := store.Dialog(ctx, b.viewAll, a.dialog); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("portal B reading portal A's dialog: err=%v, want ErrNotFound", err)
	}
	if _, err := store.MarkRead(ctx, b.viewAll, a.dialog); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("portal B marking portal A's dialog read: err=%v, want ErrNotFound", err)
	}
	rows, err := store.Dialogs(ctx, b.viewAll, db.DialogFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ID == a.dialog {
			t.Fatal("portal B's list shows portal A's dialog")
		}
	}
	if _, err := store.Channel(ctx, b.portal, a.channel); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("portal B reading portal A's channel: err=%v", err)
	}
}

func TestVisibilityOwnAndUnassigned(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	other, err := store.UpsertUser(ctx, db.User{PortalID: w.portal, BitrixUserID: 2, Name: "Other", CanUseApp: true})
	if err != nil {
		t.Fatal(err)
	}
	own := db.Visibility{PortalID: w.portal, UserID: w.user, Unassigned: true}
	if _, err := store.Dialog(ctx, own, w.dialog); err != nil {
		t.Fatalf("an unassigned dialog is visible under own+unassigned: %v", err)
	}
	if _, err := store.DB.Exec(`UPDATE dialogs SET responsible_user_id = $1 WHERE id = $2`, other.ID, w.dialog); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Dialog(ctx, own, w.dialog); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("another manager's dialog: err=%v, want ErrNotFound", err)
	}
	if _, err := store.Dialog(ctx, db.Visibility{PortalID: w.portal, UserID: other.ID}, w.dialog); err != nil {
		t.Fatalf("the responsible sees it under 'own': %v", err)
	}
}

func TestStatusNeverMovesBackwards(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	id, _, err := store.InsertMessage(ctx, db.Message{PortalID: w.portal, DialogID: w.dialog, ChannelID: w.channel,
		Direction: "out", Kind: "text", Body: "Hi", Status: "queued", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	// "read" arrives before the send recorded its provider id.
	up := db.StatusUpdate{PortalID: w.portal, ChannelID: w.channel, ProviderID: "wamid.out", Status: "read", At: time.Now()}
	if _, _, found, _, err := store.ApplyStatus(ctx, up); err != nil || found {
		t.Fatalf("early status: found=%v err=%v", found, err)
	}
	if err := store.RecordSent(ctx, w.portal, id, "wamid.out"); err != nil {
		t.Fatal(err)
	}
	for _, late := range []string{"sent", "delivered", "failed"} {
		up.Status = late
		_, _, found, changed, err := store.ApplyStatus(ctx, up)
		if err != nil || !found || changed {
			t.Fatalf("late %q: found=%v changed=%v err=%v", late, found, changed, err)
		}
	}
	m, err := store.Message(ctx, w.portal, id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != "read" {
		t.Fatalf("status %q, want read", m.Status)
	}
}

func TestUnreadCountIsExact(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	start := time.Now()
	for i := 0; i < 37; i++ {
		err := store.TouchDialog(ctx, w.portal, w.dialog, db.Activity{At: start.Add(time.Duration(i) * time.Second), Preview: "m", Direction: "in", Unread: true})
		if err != nil {
			t.Fatal(err)
		}
	}
	d, err := store.Dialog(ctx, w.viewAll, w.dialog)
	if err != nil {
		t.Fatal(err)
	}
	if d.UnreadCount != 37 {
		t.Fatalf("unread %d, want 37", d.UnreadCount)
	}
	// A backfilled older message neither raises unread nor moves the dialog back.
	if err := store.TouchDialog(ctx, w.portal, w.dialog, db.Activity{At: start.Add(-time.Hour), Preview: "old", Direction: "in"}); err != nil {
		t.Fatal(err)
	}
	d2, _ := store.Dialog(ctx, w.viewAll, w.dialog)
	if d2.UnreadCount != 37 || !d2.LastMessageAt.Equal(d.LastMessageAt) || d2.LastPreview != "m" {
		t.Fatalf("backfill changed the dialog: %+v", d2)
	}
	if changed, err := store.MarkRead(ctx, w.viewAll, w.dialog); err != nil || !changed {
		t.Fatalf("mark read: changed=%v err=%v", changed, err)
	}
	c, err := store.Counts(ctx, w.viewAll)
	if err != nil || c.Unread != 0 {
		t.Fatalf("counts %+v err=%v", c, err)
	}
}

func TestEarlyStatusesThatNeverFindTheirMessageAreSwept(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	for id, at := range map[string]time.Time{"wamid.old": t0.Add(-9 * 24 * time.Hour), "wamid.new": t0} {
		if _, _, _, _, err := store.ApplyStatus(ctx, db.StatusUpdate{PortalID: w.portal, ChannelID: w.channel, ProviderID: id, Status: "delivered", At: at}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := store.SweepEarlyStatuses(ctx, t0.Add(-8*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("swept %d (err %v), want the old one only", n, err)
	}
	if _, _, _, _, err := store.ApplyStatus(ctx, db.StatusUpdate{PortalID: w.portal, ChannelID: w.channel, ProviderID: "wamid.x", Status: "read"}); err == nil {
		t.Fatal("an early status without an arrival time was kept: the sweep could not tell its age")
	}
}

func TestAnEchoOfOurSendGivesWayWhenTheSendIsRecorded(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	ours, _, err := store.InsertMessage(ctx, db.Message{PortalID: w.portal, DialogID: w.dialog, ChannelID: w.channel,
		Direction: "out", AuthorUserID: &w.user, Kind: "text", Body: "Hi", Status: "queued", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	// Instagram's echo of that send arrives before the send's answer is recorded.
	if _, _, err := store.InsertMessage(ctx, db.Message{PortalID: w.portal, DialogID: w.dialog, ChannelID: w.channel,
		Direction: "out", FromPhone: true, Kind: "text", Body: "Hi", ProviderID: ptr("mid.1"), Status: "sent", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := store.RecordSent(ctx, w.portal, ours, "mid.1"); err != nil {
		t.Fatalf("recording the send: %v", err)
	}
	msgs, err := store.Messages(ctx, w.portal, w.dialog, 10)
	if err != nil || len(msgs) != 1 || msgs[0].ID != ours || msgs[0].FromPhone || msgs[0].Status != "sent" {
		t.Fatalf("messages %+v (err %v): want ours alone, sent", msgs, err)
	}
}

func TestUnsendingAnInstagramMessageHidesAllItsParts(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	for _, id := range []string{"mid.A", "mid.A#1", "mid.A#2", "mid.AB"} {
		if _, _, err := store.InsertMessage(ctx, db.Message{PortalID: w.portal, DialogID: w.dialog, ChannelID: w.channel,
			Direction: "in", Kind: "image", ProviderID: ptr(id), Status: "received", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.DeleteMessage(ctx, w.portal, w.channel, "mid.A", time.Now()); err != nil {
		t.Fatal(err)
	}
	var deleted []string
	if err := store.DB.Select(&deleted, `SELECT provider_id FROM messages WHERE deleted_at IS NOT NULL ORDER BY provider_id`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(deleted, ",") != "mid.A,mid.A#1,mid.A#2" {
		t.Fatalf("deleted %v, want the message and its parts, not mid.AB", deleted)
	}
}

// The Store's connections keep one generic plan per statement and cost an
// index probe as on SSD, however the DSN is written.
func TestStoreConnectionsKeepGenericPlans(t *testing.T) {
	ctx := context.Background()
	conn, err := db.Open(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for setting, want := range map[string]string{"plan_cache_mode": "force_generic_plan", "random_page_cost": "1.1"} {
		var got string
		if err := conn.GetContext(ctx, &got, `SHOW `+setting); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%s = %q, want %q", setting, got, want)
		}
	}
}
