package inbox_test

import (
	"context"
	"testing"

	"switchboard/channels/graphemu"
	"switchboard/db"
)

func TestARetriedWebhookIsStoredOnce(t *testing.T) {
	r := newRig(t)
	if _, err := r.emu.SendText(phoneID, graphemu.Client{ID: clientWA, Name: "Ivan"}, "Hello"); err != nil {
		t.Fatal(err)
	}
	body := r.nextHook(t)
	first := r.deliver(t, body)
	if first.Stored != 1 {
		t.Fatalf("first delivery stored %d messages, want 1", first.Stored)
	}
	for i := 0; i < 3; i++ {
		if again := r.deliver(t, body); again.Stored != 0 || again.Duplicates != 1 {
			t.Fatalf("retry %d: %+v, want one duplicate and nothing stored", i, again)
		}
	}
	rows, err := r.store.Dialogs(context.Background(), db.Visibility{PortalID: r.viewer.PortalID, All: true}, db.DialogFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].UnreadCount != 1 || rows[0].ClientName != "Ivan" || rows[0].LastPreview != "Hello" {
		t.Fatalf("dialogs after retries: %+v", rows)
	}
	msgs, err := r.store.Messages(context.Background(), r.viewer.PortalID, rows[0].ID, 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages: %d, err %v; want exactly 1", len(msgs), err)
	}
}
