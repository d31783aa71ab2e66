package db_test

import (
	"context"
	"testing"
	"time"

	"switchboard/db"
)

// TestConversationsAreOnePerClientWithinWhatTheUserSees: a client on two
// channels is one row, at the newest dialog, with the unread of both; a
// dialog of another manager neither shows nor counts, in the list, the
// merged history or the search.
func TestConversationsAreOnePerClientWithinWhatTheUserSees(t *testing.T) {
	store := newStore(t)
	ctx := context.Background()
	w := newWorld(t, store, "conv")
	other, err := store.UpsertUser(ctx, db.User{PortalID: w.portal, BitrixUserID: 2, Name: "Other", CanUseApp: true})
	if err != nil {
		t.Fatal(err)
	}
	promo, err := store.UpsertChannel(ctx, db.Channel{PortalID: w.portal, Transport: "whatsapp", ExternalID: "pn-promo", Name: "Promotion"})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().Add(time.Minute) // after the world's dialog started
	second, err := store.StartDialog(ctx, w.portal, promo, w.client, other.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.StartDialog(ctx, w.portal, promo, w.client, w.user, t0); err == nil {
		t.Fatal("a second dialog of the same channel and client was started")
	}
	say := func(dialog, channel int64, at time.Time, body string) {
		if _, _, err := store.InsertMessage(ctx, db.Message{PortalID: w.portal, DialogID: dialog, ChannelID: channel, Direction: "in",
			Kind: "text", Body: body, Status: "received", CreatedAt: at}); err != nil {
			t.Fatal(err)
		}
		if err := store.TouchDialog(ctx, w.portal, dialog, db.Activity{At: at, Preview: body, Direction: "in", Unread: true}); err != nil {
			t.Fatal(err)
		}
	}
	say(w.dialog, w.channel, t0.Add(time.Minute), "Где мой заказ?")
	say(second, promo, t0.Add(2*time.Minute), "Any news about my order?")

	rows, err := store.Conversations(ctx, w.viewAll, db.ListFilter{})
	if err != nil || len(rows) != 1 || rows[0].ID != second || rows[0].UnreadCount != 2 {
		t.Fatalf("everything seen: %+v, %v; want one row at dialog %d with 2 unread", rows, err, second)
	}
	mine := db.Visibility{PortalID: w.portal, UserID: w.user, Unassigned: true}
	if _, err := store.Dialog(ctx, mine, w.dialog); err != nil { // unassigned: visible
		t.Fatal(err)
	}
	rows, err = store.Conversations(ctx, mine, db.ListFilter{})
	if err != nil || len(rows) != 1 || rows[0].ID != w.dialog || rows[0].UnreadCount != 1 {
		t.Fatalf("without the other's dialog: %+v, %v; want the Sales dialog with 1 unread", rows, err)
	}
	if rows, err := store.Conversations(ctx, mine, db.ListFilter{Mine: true}); err != nil || len(rows) != 0 {
		t.Fatalf("mine, responsible for nothing: %+v, %v", rows, err)
	}
	if rows, err := store.Conversations(ctx, w.viewAll, db.ListFilter{Unanswered: true}); err != nil || len(rows) != 1 {
		t.Fatalf("unanswered: %+v, %v", rows, err)
	}
	msgs, err := store.ClientMessages(ctx, mine, w.client, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Body != "Где мой заказ?" {
		t.Fatalf("the merged history shows the other's dialog: %+v, %v", msgs, err)
	}
	if msgs, _ := store.ClientMessages(ctx, w.viewAll, w.client, 10); len(msgs) != 2 || msgs[0].DialogID != w.dialog {
		t.Fatalf("the merged history, in time order: %+v", msgs)
	}
	_, found, err := store.Search(ctx, mine, db.SearchQuery{Text: "orders"})
	if err != nil || len(found) != 0 {
		t.Fatalf("search found the other's message: %+v, %v", found, err)
	}
	_, found, err = store.Search(ctx, w.viewAll, db.SearchQuery{Text: "orders"})
	if err != nil || len(found) != 1 || found[0].Snippet != "Any news about my "+db.MatchStart+"order"+db.MatchEnd+"?" {
		t.Fatalf("English stemming: %+v, %v", found, err)
	}
	_, found, err = store.Search(ctx, mine, db.SearchQuery{Text: "заказы"})
	if err != nil || len(found) != 1 || found[0].ID != w.dialog {
		t.Fatalf("Russian stemming: %+v, %v", found, err)
	}
	clients, _, err := store.Search(ctx, mine, db.SearchQuery{Text: "7999 000", Digits: "7999000"})
	if err != nil || len(clients) != 1 || clients[0].ID != w.dialog {
		t.Fatalf("by phone digits: %+v, %v", clients, err)
	}
	if clients, _, _ := store.Search(ctx, mine, db.SearchQuery{Text: "%"}); len(clients) != 0 {
		t.Fatalf("a LIKE wildcard matched every client: %+v", clients)
	}
}
