package inbox_test

import (
	"context"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/channels/graphemu"
	"switchboard/db"
	"switchboard/inbox"
	"switchboard/inbox/inboxtest"
)

// openDialog has the client write first (opening WhatsApp's 24-hour window)
// and returns the dialog id.
func (r *rig) openDialog(t *testing.T) int64 {
	t.Helper()
	if _, err := r.emu.SendText(phoneID, graphemu.Client{ID: clientWA, Name: "Ivan"}, "Hello"); err != nil {
		t.Fatal(err)
	}
	r.deliver(t, r.nextHook(t))
	rows, err := r.store.Dialogs(context.Background(), db.Visibility{PortalID: r.viewer.PortalID, All: true}, db.DialogFilter{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("dialogs: %v %v", rows, err)
	}
	return rows[0].ID
}

// runJobs runs the jobs due by the rig's clock.
func (r *rig) runJobs(t *testing.T) int {
	t.Helper()
	return inboxtest.RunDue(t, r.in)
}

// enqueueSend queues message msgID's send job once more, due now: the same
// job run again, as after a worker that sent died before recording it done.
func (r *rig) enqueueSend(t *testing.T, msgID int64) {
	t.Helper()
	err := r.store.Enqueue(context.Background(), r.viewer.PortalID, inbox.JobSend, inbox.SendPayload{MessageID: msgID}, r.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
}

// outboxJob is a job as the outbox holds it.
type outboxJob struct {
	RunAt     time.Time  `db:"run_at"`
	Attempts  int        `db:"attempts"`
	LastError string     `db:"last_error"`
	DoneAt    *time.Time `db:"done_at"`
}

// onlyJob reads the one job of kind.
func (r *rig) onlyJob(t *testing.T, kind string) outboxJob {
	t.Helper()
	var jobs []outboxJob
	if err := r.store.DB.Select(&jobs, `SELECT run_at, attempts, last_error, done_at FROM outbox WHERE kind = $1`, kind); err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 {
		t.Fatalf("%d %s jobs, want 1", len(jobs), kind)
	}
	return jobs[0]
}

func (r *rig) businessMessages(t *testing.T) int {
	t.Helper()
	n := 0
	for _, m := range r.emu.Conversation(phoneID, clientWA) {
		if m.From == graphemu.FromBusiness {
			n++
		}
	}
	return n
}

func TestAJobRetriedAfterATransportErrorSendsOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	msgID, err := r.in.Send(ctx, r.viewer, dialog, "Good afternoon!")
	if err != nil {
		t.Fatal(err)
	}
	r.emu.SetFaults(graphemu.Faults{FailNext: 1, Code: 2, HTTPStatus: 500})
	if n := r.runJobs(t); n != 1 {
		t.Fatalf("ran %d jobs, want 1", n)
	}
	m, _ := r.store.Message(ctx, r.viewer.PortalID, msgID)
	if m.Status != "queued" || m.ProviderID != nil {
		t.Fatalf("after a transient error the message is %q (provider id %v), want still queued", m.Status, m.ProviderID)
	}
	if r.businessMessages(t) != 0 {
		t.Fatal("the failed attempt reached the client")
	}
	// The retry waits out its backoff on the clock.
	if n := r.runJobs(t); n != 0 {
		t.Fatalf("the retry ran %d jobs before its backoff", n)
	}
	if n := inboxtest.AdvanceAndRun(t, r.in, r.clock, inbox.MaxBackoff); n != 1 {
		t.Fatalf("retry ran %d jobs, want 1", n)
	}
	r.enqueueSend(t, msgID)
	r.runJobs(t)
	m, _ = r.store.Message(ctx, r.viewer.PortalID, msgID)
	if m.Status != "sent" && m.Status != "delivered" || m.ProviderID == nil {
		t.Fatalf("after the retry the message is %q (provider id %v), want sent", m.Status, m.ProviderID)
	}
	if n := r.businessMessages(t); n != 1 {
		t.Fatalf("the client got %d messages, want exactly 1", n)
	}
}

func TestAPermanentErrorFailsTheMessageWithItsReason(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	msgID, err := r.in.Send(ctx, r.viewer, dialog, "Hello?")
	if err != nil {
		t.Fatal(err)
	}
	r.emu.SetFaults(graphemu.Faults{FailNext: 2, Code: 131026, HTTPStatus: 400})
	r.runJobs(t)
	m, _ := r.store.Message(ctx, r.viewer.PortalID, msgID)
	if m.Status != "failed" || m.ErrorCode != 131026 {
		t.Fatalf("message %q code %d, want failed 131026", m.Status, m.ErrorCode)
	}
	if j := r.onlyJob(t, inbox.JobSend); j.DoneAt == nil || j.Attempts != 1 {
		t.Fatalf("job after a permanent error: %+v, want done after one attempt", j)
	}
	if n := inboxtest.AdvanceAndRun(t, r.in, r.clock, 24*time.Hour); n != 0 {
		t.Fatalf("%d jobs ran later: a permanent error must not be retried", n)
	}
	d, err := r.in.OpenDialog(ctx, r.viewer, dialog)
	if err != nil {
		t.Fatal(err)
	}
	want := channels.Failure{Transport: "WhatsApp", Reason: channels.ReasonUndeliverable, Text: m.ErrorText}
	if got := d.Failures[msgID]; got != want {
		t.Fatalf("failure %+v, want %+v", got, want)
	}
}

func TestStatusesOutOfOrderEndRead(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	msgID, err := r.in.Send(ctx, r.viewer, dialog, "Your order is ready")
	if err != nil {
		t.Fatal(err)
	}
	r.runJobs(t)
	sent := r.nextHook(t)
	r.emu.MarkDelivered(phoneID, clientWA)
	delivered := r.nextHook(t)
	r.emu.MarkRead(phoneID, clientWA)
	read := r.nextHook(t)
	for _, body := range [][]byte{read, delivered, sent, read, delivered} {
		r.deliver(t, body)
	}
	m, _ := r.store.Message(ctx, r.viewer.PortalID, msgID)
	if m.Status != "read" {
		t.Fatalf("final status %q, want read", m.Status)
	}
	var n int
	if err := r.store.DB.Get(&n, `SELECT count(*) FROM messages`); err != nil || n != 2 {
		t.Fatalf("%d messages (err %v), want 2", n, err)
	}
}
