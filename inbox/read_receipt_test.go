package inbox_test

import (
	"context"
	"testing"

	"switchboard/channels/graphemu"
	"switchboard/inbox"
)

// clientMessagesRead lists the read state of the client's messages as
// their phone shows it.
func (r *rig) clientMessagesRead(t *testing.T) []bool {
	t.Helper()
	var out []bool
	for _, m := range r.emu.Conversation(phoneID, clientWA) {
		if m.From == graphemu.FromClient {
			out = append(out, m.Status == "read")
		}
	}
	return out
}

func (r *rig) jobCount(t *testing.T, kind string) int {
	t.Helper()
	var n int
	if err := r.store.DB.Get(&n, `SELECT count(*) FROM outbox WHERE kind = $1`, kind); err != nil {
		t.Fatal(err)
	}
	return n
}

// Opening a dialog tells WhatsApp the client's messages were read (the
// client sees blue ticks), by an outbox job, once per new inbound message.
func TestOpeningADialogSendsOneReadReceipt(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	if got := r.clientMessagesRead(t); len(got) != 1 || got[0] {
		t.Fatalf("before opening, the phone shows read = %v", got)
	}
	if err := r.in.MarkRead(ctx, r.viewer, dialog); err != nil {
		t.Fatal(err)
	}
	if got := r.clientMessagesRead(t); got[0] {
		t.Fatal("read before the job ran: the receipt must go through the outbox")
	}
	r.runJobs(t)
	if got := r.clientMessagesRead(t); !got[0] {
		t.Fatalf("after opening, the phone shows read = %v", got)
	}
	for range 2 { // opened again, in another tab: nothing new to say
		if err := r.in.MarkRead(ctx, r.viewer, dialog); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.jobCount(t, inbox.JobReadReceipt); n != 1 {
		t.Fatalf("%d read receipts for one inbound message", n)
	}

	if _, err := r.emu.SendText(phoneID, graphemu.Client{ID: clientWA, Name: "Ivan"}, "Are you there?"); err != nil {
		t.Fatal(err)
	}
	r.deliver(t, r.nextHook(t))
	if err := r.in.MarkRead(ctx, r.viewer, dialog); err != nil {
		t.Fatal(err)
	}
	r.runJobs(t)
	if got := r.clientMessagesRead(t); len(got) != 2 || !got[1] {
		t.Fatalf("after the second message, the phone shows read = %v", got)
	}
	if n := r.jobCount(t, inbox.JobReadReceipt); n != 2 {
		t.Fatalf("%d read receipts for two inbound messages", n)
	}
}
