package inbox_test

import (
	"context"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/db"
	"switchboard/inbox"
)

// nextLive waits for the feed's next update that carries an event.
func nextLive(ctx context.Context, t *testing.T, f *inbox.Feed) inbox.Update {
	t.Helper()
	for {
		ups, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range ups {
			if u.Live != nil || u.Gone != 0 || u.Row != nil {
				return u
			}
		}
	}
}

// TestALiveRowIsTheClientAsTheViewerSeesIt: a client with a dialog on a
// second channel that only Anna (who sees everything) may see. Each stream
// gets the client's row made of the dialogs it may see: Anna's row is the
// newest of both with the unread of both; Boris's is his dialog alone, and
// the other dialog's message never reaches him. When his dialog is handed
// to Anna, Boris's row goes.
func TestALiveRowIsTheClientAsTheViewerSeesIt(t *testing.T) {
	r := newLiveRig(t, 1) // portal 1: dialog 0 is Boris's; visibility "own", Anna sees all
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lp := r.portals[0]
	anna, boris := lp.viewers["Anna"], lp.viewers["Boris"]
	promo, err := r.store.UpsertChannel(ctx, db.Channel{PortalID: anna.PortalID, Transport: channels.WhatsApp,
		ExternalID: "phone-promo", Name: "Promotion", AccessToken: "t", AppSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	promoCh, err := r.store.Channel(ctx, anna.PortalID, promo)
	if err != nil {
		t.Fatal(err)
	}
	feeds := map[string]*inbox.Feed{}
	for name, v := range map[string]inbox.Viewer{"Anna": anna, "Boris": boris} {
		if feeds[name], err = r.hub.Follow(ctx, v, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := feeds[name].Next(ctx); err != nil { // the first reset
			t.Fatal(err)
		}
	}
	// The client writes on Promotion: a dialog with nobody responsible,
	// which only Anna sees ("own").
	hook := &channels.Webhook{Messages: []channels.Message{{ProviderID: "promo-1", Direction: channels.Inbound,
		Peer: channels.Peer{ID: "7999000000"}, Kind: channels.KindText, Text: "on Promotion", SentAt: time.Now()}}}
	if _, err := r.in.Ingest(ctx, promoCh, hook); err != nil {
		t.Fatal(err)
	}
	u := nextLive(ctx, t, feeds["Anna"])
	if u.Row == nil || u.Row.ChannelID != promo || u.Row.UnreadCount != 2 || !u.Moved {
		t.Fatalf("Anna's row: %+v, want the client at their Promotion dialog, 2 unread (both dialogs), moved", u.Row)
	}
	r.ingest(t, lp, 0, "on Sales") // Boris's dialog
	u = nextLive(ctx, t, feeds["Boris"])
	if u.Live.Message == nil || u.Live.Message.Body != "on Sales" {
		t.Fatalf("Boris's first update is %+v, not his own dialog's message: the Promotion one reached him", u.Live.Message)
	}
	if u.Row == nil || u.Row.ID != lp.dialogs[0] || u.Row.UnreadCount != 2 {
		t.Fatalf("Boris's row: %+v, want his Sales dialog alone with its 2 unread", u.Row)
	}
	u = nextLive(ctx, t, feeds["Anna"])
	if u.Row == nil || u.Row.ID != lp.dialogs[0] || u.Row.UnreadCount != 3 {
		t.Fatalf("Anna's row: %+v, want the Sales dialog (newest) with the 3 unread of both", u.Row)
	}

	// The CRM hands Boris's dialog to Anna: Boris no longer sees the client.
	if _, err := r.store.DB.Exec(`UPDATE dialogs SET responsible_user_id = $1 WHERE id = $2`, anna.UserID, lp.dialogs[0]); err != nil {
		t.Fatal(err)
	}
	if err := r.store.LogEvents(ctx, time.Now(), inbox.Event{Portal: anna.PortalID, Dialog: lp.dialogs[0], Kind: inbox.EventAssign}); err != nil {
		t.Fatal(err)
	}
	if u = nextLive(ctx, t, feeds["Boris"]); u.Gone == 0 || u.Row != nil {
		t.Fatalf("Boris's update after the handover: %+v, want the client's row gone", u)
	}
}
