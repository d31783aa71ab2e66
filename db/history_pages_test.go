package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"switchboard/db"
)

// TestHistoryPagesKeepToWhatTheViewerSees: the pages of a client's history
// before and from a message go by time (a tie by id), over the dialogs the
// viewer sees only; a message of a dialog hidden from them, or of another
// portal, anchors nothing.
func TestHistoryPagesKeepToWhatTheViewerSees(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	w := newWorld(t, store, "pages")
	other, err := store.UpsertUser(ctx, db.User{PortalID: w.portal, BitrixUserID: 2, Name: "Other", CanUseApp: true})
	if err != nil {
		t.Fatal(err)
	}
	promo, err := store.UpsertChannel(ctx, db.Channel{PortalID: w.portal, Transport: "whatsapp", ExternalID: "pn-pages-promo", Name: "Promotion"})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	hidden, err := store.StartDialog(ctx, w.portal, promo, w.client, other.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	// Ten messages on the viewer's dialog, one a minute; between each two,
	// one on the other manager's dialog; messages 4 and 5 at the same second.
	var mine, theirs []int64
	for i := range 10 {
		at := t0.Add(time.Duration(i) * time.Minute)
		if i == 5 {
			at = t0.Add(4 * time.Minute)
		}
		id, _, err := store.InsertMessage(ctx, db.Message{PortalID: w.portal, DialogID: w.dialog, ChannelID: w.channel,
			Direction: "in", Kind: "text", Body: fmt.Sprintf("mine %d", i), Status: "received", CreatedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		mine = append(mine, id)
		id, _, err = store.InsertMessage(ctx, db.Message{PortalID: w.portal, DialogID: hidden, ChannelID: promo,
			Direction: "in", Kind: "text", Body: fmt.Sprintf("theirs %d", i), Status: "received", CreatedAt: at.Add(30 * time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		theirs = append(theirs, id)
	}
	viewer := db.Visibility{PortalID: w.portal, UserID: w.user, Unassigned: true}
	bodies := func(ms []db.Message) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Body)
		}
		return out
	}
	check := func(what string, ms []db.Message, err error, want ...string) {
		t.Helper()
		if got := bodies(ms); err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: %q, %v; want %q", what, got, err, want)
		}
	}

	ms, err := store.ClientMessagesBefore(ctx, viewer, w.client, mine[6], 3)
	check("the 3 before mine 6", ms, err, "mine 3", "mine 4", "mine 5")
	ms, err = store.ClientMessagesBefore(ctx, viewer, w.client, mine[5], 2)
	check("the 2 before mine 5, at mine 4's second", ms, err, "mine 3", "mine 4")
	ms, err = store.ClientMessagesFrom(ctx, viewer, w.client, mine[4], 3)
	check("mine 4 and the 2 after", ms, err, "mine 4", "mine 5", "mine 6")
	ms, err = store.ClientMessagesBefore(ctx, viewer, w.client, mine[1], 5)
	check("before mine 1", ms, err, "mine 0")
	ms, err = store.ClientMessagesBefore(ctx, viewer, w.client, mine[0], 5)
	check("before the first", ms, err)
	ms, err = store.ClientMessagesFrom(ctx, viewer, w.client, mine[8], 5)
	check("from mine 8 to the end", ms, err, "mine 8", "mine 9")

	ms, err = store.ClientMessagesBefore(ctx, w.viewAll, w.client, mine[2], 3)
	check("everything seen: both dialogs merged", ms, err, "theirs 0", "mine 1", "theirs 1")
	ms, err = store.ClientMessagesBefore(ctx, viewer, w.client, theirs[5], 5)
	check("before a hidden message", ms, err)
	ms, err = store.ClientMessagesFrom(ctx, viewer, w.client, theirs[5], 5)
	check("from a hidden message", ms, err)
	b := newWorld(t, store, "pages-b")
	ms, err = store.ClientMessagesFrom(ctx, b.viewAll, w.client, mine[0], 5)
	check("another portal's viewer", ms, err)
	ms, err = store.ClientMessagesFrom(ctx, b.viewAll, b.client, mine[0], 5)
	check("another portal's message as the anchor", ms, err)
}
