package inbox_test

import (
	"context"
	"testing"
	"time"

	"switchboard/channels/graphemu"
	"switchboard/db"
	"switchboard/inbox"
	"switchboard/inbox/inboxtest"
)

func TestASendThatKeepsFailingIsRetriedWithBackoffThenShownFailed(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	msgID, err := r.in.Send(ctx, r.viewer, dialog, "Are you there?")
	if err != nil {
		t.Fatal(err)
	}
	r.emu.SetFaults(graphemu.Faults{FailNext: inbox.MaxAttempts + 1, Code: 2, HTTPStatus: 500})
	for attempt := 1; attempt < inbox.MaxAttempts; attempt++ {
		if n := r.runJobs(t); n != 1 {
			t.Fatalf("attempt %d ran %d jobs, want 1", attempt, n)
		}
		j := r.onlyJob(t, inbox.JobSend)
		now := r.clock.Now()
		if j.DoneAt != nil || j.Attempts != attempt || j.LastError == "" {
			t.Fatalf("after attempt %d: %+v, want pending with the error", attempt, j)
		}
		if !j.RunAt.After(now) || j.RunAt.After(now.Add(inbox.MaxBackoff)) {
			t.Fatalf("attempt %d retries at %v, want after %v, within the longest backoff", attempt, j.RunAt, now)
		}
		if m, _ := r.store.Message(ctx, r.viewer.PortalID, msgID); m.Status != "queued" {
			t.Fatalf("after attempt %d the message is %q, want still queued", attempt, m.Status)
		}
		r.clock.Set(j.RunAt.Add(-time.Millisecond))
		if n := r.runJobs(t); n != 0 {
			t.Fatalf("attempt %d's retry ran %d jobs before its time", attempt, n)
		}
		r.clock.Set(j.RunAt)
	}
	if n := r.runJobs(t); n != 1 {
		t.Fatalf("the last attempt ran %d jobs, want 1", n)
	}
	if j := r.onlyJob(t, inbox.JobSend); j.DoneAt == nil || j.Attempts != inbox.MaxAttempts || j.LastError == "" {
		t.Fatalf("after the last attempt: %+v, want done with the error", j)
	}
	view, err := r.in.OpenDialog(ctx, r.viewer, dialog)
	if err != nil {
		t.Fatal(err)
	}
	var shown bool
	for _, m := range view.Messages {
		_, explained := view.Failures[msgID]
		shown = shown || m.ID == msgID && m.Status == "failed" && explained
	}
	if !shown {
		t.Fatalf("the abandoned message is not shown failed with a reason: %+v %v", view.Messages, view.Failures)
	}
	if n := inboxtest.AdvanceAndRun(t, r.in, r.clock, 24*time.Hour); n != 0 || r.businessMessages(t) != 0 {
		t.Fatalf("after giving up: %d more jobs ran, %d messages reached the client", n, r.businessMessages(t))
	}
}

func TestAJobThatCanNeverRunFailsAtOnceWithItsError(t *testing.T) {
	r := newRig(t)
	// The message is gone: no retry can find it.
	r.enqueueSend(t, 987654321)
	if n := r.runJobs(t); n != 1 {
		t.Fatalf("ran %d jobs, want 1", n)
	}
	if j := r.onlyJob(t, inbox.JobSend); j.DoneAt == nil || !j.DoneAt.Equal(r.clock.Now()) || j.Attempts != 1 || j.LastError == "" {
		t.Fatalf("job: %+v, want failed at %v after one attempt, with its error", j, r.clock.Now())
	}
	if n := inboxtest.AdvanceAndRun(t, r.in, r.clock, inbox.MaxBackoff); n != 0 {
		t.Fatalf("a failed job ran again: %d", n)
	}
}

func TestASendWhoseWorkerDiedIsTakenAgainOnceItsLeaseRunsOut(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	msgID, err := r.in.Send(ctx, r.viewer, dialog, "Still there?")
	if err != nil {
		t.Fatal(err)
	}
	// A worker claims the job and dies without running it.
	if jobs, err := r.store.ClaimDueJobs(ctx, r.clock.Now(), 10, inbox.JobLease); err != nil || len(jobs) != 1 {
		t.Fatalf("claim: %v %v", jobs, err)
	}
	if n := inboxtest.AdvanceAndRun(t, r.in, r.clock, inbox.JobLease-time.Millisecond); n != 0 {
		t.Fatalf("%d jobs ran while the dead worker's lease held", n)
	}
	if n := inboxtest.AdvanceAndRun(t, r.in, r.clock, time.Millisecond); n != 1 {
		t.Fatalf("after the lease ran %d jobs, want 1", n)
	}
	m, _ := r.store.Message(ctx, r.viewer.PortalID, msgID)
	if m.ProviderID == nil || r.businessMessages(t) != 1 {
		t.Fatalf("message %q (provider id %v), %d sent: want sent once", m.Status, m.ProviderID, r.businessMessages(t))
	}
	if j := r.onlyJob(t, inbox.JobSend); j.DoneAt == nil || j.Attempts != 2 {
		t.Fatalf("job: %+v, want done on its second attempt", j)
	}
}

func TestASendScheduledForLaterWaitsForTheClock(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	// A queued message whose send is due an hour on (as a paused one is
	// released at the next hour).
	msgID, _, err := r.store.InsertMessage(ctx, db.Message{PortalID: r.viewer.PortalID, DialogID: dialog, ChannelID: r.channel.ID,
		Direction: "out", AuthorUserID: &r.viewer.UserID, Kind: "text", Body: "Good morning", Status: "queued", CreatedAt: r.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	due := r.clock.Now().Add(time.Hour)
	if err := r.store.Enqueue(ctx, r.viewer.PortalID, inbox.JobSend, inbox.SendPayload{MessageID: msgID}, due); err != nil {
		t.Fatal(err)
	}
	if n := inboxtest.AdvanceAndRun(t, r.in, r.clock, time.Hour-time.Millisecond); n != 0 || r.businessMessages(t) != 0 {
		t.Fatalf("a send due at %v ran at %v", due, r.clock.Now())
	}
	if n := inboxtest.AdvanceAndRun(t, r.in, r.clock, time.Millisecond); n != 1 || r.businessMessages(t) != 1 {
		t.Fatalf("at its time: %d jobs ran, %d messages sent; want 1 and 1", n, r.businessMessages(t))
	}
}
