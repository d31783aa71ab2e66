package handlers_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/db"
	"switchboard/inbox"
)

// Only a new message moves its dialog to the top of the list: a status
// change (a failed send included) redraws the row where it stands, and
// the message once, in place.
func TestOnlyNewMessagesReorderTheList(t *testing.T) {
	it := newInstalled(t)
	token := it.signedIn(t, 2)
	channel, dialog := it.dialogIn(t, "member-a", "79990000001")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a hang guard
	defer cancel()
	p, err := it.store.PortalByMemberID(ctx, "member-a")
	if err != nil {
		t.Fatal(err)
	}
	msg, _, err := it.store.InsertMessage(ctx, db.Message{PortalID: p.ID, DialogID: dialog, ChannelID: channel,
		Direction: "out", Kind: "text", Body: "Are you there?", Status: "failed", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	read, stop := openStream(t, ctx, it.app.URL+"/events?st="+token, "")
	defer stop()
	read("event: reset")
	var client int64
	if err := it.store.DB.Get(&client, `SELECT client_id FROM dialogs WHERE id = $1`, dialog); err != nil {
		t.Fatal(err)
	}
	row := `id="client-row-` + strconv.FormatInt(client, 10) + `"` // one row per client
	item := `id="msg-` + strconv.FormatInt(msg, 10) + `"`
	for _, c := range []struct {
		kind  string
		moved bool
	}{{inbox.EventStatus, false}, {inbox.EventMessage, true}} {
		if err := it.store.LogEvents(ctx, time.Now(), inbox.Event{Portal: p.ID, Dialog: dialog, Message: msg, Kind: c.kind}); err != nil {
			t.Fatal(err)
		}
		seen := readEvent(read, row)
		moved := strings.Contains(seen, `hx-swap-oob="afterbegin:#dialog-list"`)
		if moved != c.moved || !strings.Contains(seen, row) {
			t.Errorf("a %s event: moved = %v, want %v:\n%s", c.kind, moved, c.moved, seen)
		}
		if n := strings.Count(seen, item); (c.kind == inbox.EventStatus && n != 1) || (c.kind == inbox.EventMessage && n != 2) {
			// a status replaces the message in place; a new one is removed
			// wherever it is and appended once
			t.Errorf("a %s event names the message %d times:\n%s", c.kind, n, seen)
		}
	}
}

// readEvent reads the stream up to the line holding want and on to the end
// of its event (the blank line).
func readEvent(read func(want string) string, want string) string {
	seen := read(want)
	for line := ""; line != "\n"; seen += line {
		line = read("")
	}
	return seen
}
