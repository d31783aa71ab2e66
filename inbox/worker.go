package inbox

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"switchboard/channels"
	"switchboard/db"
)

// Worker tuning. A job's lease is renewed right before it runs and outlasts
// its deadline, so no other worker can take a job that is still running.
const (
	claimBatch  = 20
	jobTimeout  = 2 * time.Minute
	jobLease    = jobTimeout + 3*time.Minute
	leaseMargin = 3 * time.Minute
	maxAttempts = 12
	maxBackoff  = 10 * time.Minute
	pollEvery   = 250 * time.Millisecond
	sweepEvery  = time.Hour
	// earlyStatusAge is how long a status waits for its message: Meta
	// retries a webhook for up to 7 days.
	earlyStatusAge = 8 * 24 * time.Hour
)

// errRetry marks a job failure worth retrying later. Any failure but a
// permanent one is retried; errRetry says so where it is the point.
type errRetry struct{ err error }

func (e errRetry) Error() string { return e.err.Error() }
func (e errRetry) Unwrap() error { return e.err }

// errPermanent marks a job failure that no retry can mend.
type errPermanent struct{ err error }

func (e errPermanent) Error() string { return e.err.Error() }
func (e errPermanent) Unwrap() error { return e.err }

// errSentUnrecorded: the provider took the message but its id could not be
// recorded. The job must neither send again nor call the message failed.
var errSentUnrecorded = errors.New("inbox: sent, but the provider id could not be recorded")

// errNotYet: an earlier message of the same dialog is still on its way.
// The job waits for it (notYetDelay) without spending an attempt, so a
// dialog's messages leave, and reach the phone, in the order they were
// written, however many workers take their jobs.
var errNotYet = errors.New("inbox: an earlier message of the dialog is not sent yet")

const notYetDelay = 300 * time.Millisecond

func permanent(err error) bool {
	var p errPermanent
	return errors.As(err, &p) || errors.Is(err, db.ErrNotFound)
}

// RunWorker runs due outbox jobs until ctx ends. Several workers, in one
// process or many, share the queue safely. It polls on a real ticker; what
// is due is decided by the Inbox's clock.
func (in *Inbox) RunWorker(ctx context.Context) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	swept := time.Now().Add(-rand.N(sweepEvery))  // instances do not sweep in step
	reconciled := time.Now().Add(-reconcileEvery) // the first pass asks at once
	nudged := time.Now().Add(-nudgeEvery)
	for {
		if time.Since(swept) > sweepEvery {
			if n, err := in.Store.SweepEarlyStatuses(ctx, in.Now().Add(-earlyStatusAge)); err != nil {
				in.Log.Warn("sweep of early statuses failed", "err", err)
			} else if n > 0 {
				in.Log.Info("early statuses that never found their message dropped", "count", n)
			}
			in.sweepPresence(ctx)
			swept = time.Now()
		}
		if time.Since(nudged) > nudgeEvery {
			if err := in.nudgeCRMSyncs(ctx); err != nil && ctx.Err() == nil {
				in.Log.Warn("unable to nudge the CRM syncs", "err", err)
			}
			nudged = time.Now()
		}
		if time.Since(reconciled) > reconcileEvery {
			if err := in.requestReconciliations(ctx); err != nil && ctx.Err() == nil {
				in.Log.Warn("unable to request the CRM reconciliations", "err", err)
			}
			reconciled = time.Now()
		}
		n, err := in.RunDueJobs(ctx)
		if err != nil && ctx.Err() == nil {
			in.Log.Error("outbox pass failed", "err", err)
		}
		if n == claimBatch {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDueJobs claims the jobs due now by the Inbox's clock (up to one batch),
// runs them, and reports how many it took.
func (in *Inbox) RunDueJobs(ctx context.Context) (int, error) {
	jobs, err := in.Store.ClaimDueJobs(ctx, in.Now(), claimBatch, jobLease)
	if err != nil {
		return 0, err
	}
	for _, j := range jobs {
		// Renew the lease: a job whose lease ran out while earlier jobs of
		// the batch ran may belong to another worker now.
		timeout := timeoutOf(j.Kind)
		lease := timeout + leaseMargin
		if standing(j.Kind) {
			lease = crmLease // renewed as it goes
		}
		mine, err := in.Store.RenewLease(ctx, in.Now(), j.ID, j.Attempts, lease)
		if err != nil {
			return len(jobs), err
		}
		if !mine {
			continue
		}
		jobCtx, cancel := context.WithTimeout(ctx, timeout)
		err = in.runJob(jobCtx, j)
		cancel()
		in.finish(ctx, j, err)
	}
	return len(jobs), nil
}

// timeoutOf is how long one run of a job of kind may take: a large file or
// a history chunk takes longer than a message.
func timeoutOf(kind string) time.Duration {
	switch kind {
	case JobFetchMedia:
		return 15 * time.Minute
	case JobHistory:
		return 10 * time.Minute
	case JobCRMSync, JobCRMReconcile:
		return crmBudget + jobTimeout
	default:
		return jobTimeout
	}
}

func (in *Inbox) runJob(ctx context.Context, j db.Job) error {
	switch j.Kind {
	case JobSend:
		var p SendPayload
		if err := json.Unmarshal(j.Payload, &p); err != nil {
			return errPermanent{fmt.Errorf("inbox: bad %s payload: %w", j.Kind, err)}
		}
		return in.deliver(ctx, j.PortalID, p.MessageID)
	case JobFetchMedia:
		return in.runFetchMedia(ctx, j)
	case JobHistory:
		return in.runHistory(ctx, j)
	case JobCRMSync:
		return in.runCRMSync(ctx, j)
	case JobCRMReconcile:
		return in.runCRMReconcile(ctx, j)
	case JobNotify:
		return in.runNotify(ctx, j)
	case JobRelease:
		return in.runRelease(ctx, j)
	case JobReadReceipt:
		return in.runReadReceipt(ctx, j)
	case JobClientProfile:
		return in.runClientProfile(ctx, j)
	default:
		return errPermanent{fmt.Errorf("inbox: unknown job kind %q", j.Kind)}
	}
}

// finish records how a job's run ended: done, due again later, or failed.
func (in *Inbox) finish(ctx context.Context, j db.Job, err error) {
	if err != nil && ctx.Err() != nil { // the worker stops: nothing can be recorded, the lease runs out and the job runs again
		in.Log.Info("job interrupted by shutdown", "job", j.ID, "kind", j.Kind, "err", err)
		return
	}
	switch {
	case err == nil && standing(j.Kind):
		err = in.Store.FinishStanding(ctx, in.Now(), j.ID)
	case err == nil:
		err = in.Store.CompleteJob(ctx, in.Now(), j.ID)
	case standing(j.Kind):
		// The next run has the same work to do: it only waits longer.
		in.Log.Warn("standing job will run again", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "err", err)
		err = in.Store.RetryJob(ctx, j.ID, in.Now().Add(backoff(min(j.Attempts, maxAttempts))), err.Error())
	case errors.Is(err, errNotYet):
		err = in.Store.DeferJob(ctx, j.ID, in.Now().Add(notYetDelay))
	case errors.Is(err, errSentUnrecorded):
		in.Log.Error("a sent message's provider id was not recorded", "job", j.ID, "err", err)
		err = in.Store.FailJob(ctx, in.Now(), j.ID, err.Error())
	case !permanent(err) && j.Attempts < maxAttempts:
		in.Log.Warn("job will be retried", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "err", err)
		err = in.Store.RetryJob(ctx, j.ID, in.Now().Add(backoff(j.Attempts)), err.Error())
	default:
		in.Log.Error("job failed", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "err", err)
		in.giveUp(ctx, j)
		err = in.Store.FailJob(ctx, in.Now(), j.ID, err.Error())
	}
	if err != nil {
		in.Log.Error("unable to record job outcome", "job", j.ID, "err", err)
	}
}

// giveUp marks the message of a send job abandoned after its last attempt
// as failed, so the manager sees it was not delivered.
func (in *Inbox) giveUp(ctx context.Context, j db.Job) {
	var p SendPayload
	if j.Kind != JobSend || json.Unmarshal(j.Payload, &p) != nil {
		return
	}
	m, err := in.Store.Message(ctx, j.PortalID, p.MessageID)
	if err == nil && m.ProviderID == nil {
		err = in.fail(ctx, m, 0, "")
	}
	if err != nil {
		in.Log.Error("unable to mark an abandoned message failed", "message", p.MessageID, "err", err)
	}
}

// backoff doubles from one second up to ten minutes, with jitter.
func backoff(attempt int) time.Duration {
	d := time.Second << min(attempt-1, 10)
	d = min(d, maxBackoff)
	return d/2 + rand.N(d/2+1)
}

// deliver sends one queued message through its transport. A message that
// already has a provider id was sent: a retried job never sends it twice. A
// paused one waits for its plan's window, whose release queues it again.
func (in *Inbox) deliver(ctx context.Context, portalID, msgID int64) error {
	m, err := in.Store.Message(ctx, portalID, msgID)
	if err != nil {
		return err
	}
	if m.ProviderID != nil || m.Status != "queued" {
		return nil
	}
	if earlier, err := in.Store.EarlierQueued(ctx, portalID, m.DialogID, m.ID); err != nil || earlier {
		return cmp.Or(err, errNotYet)
	}
	d, err := in.Store.Dialog(ctx, db.Visibility{PortalID: portalID, All: true}, m.DialogID)
	if err != nil {
		return err
	}
	ch, t, err := in.channelOf(ctx, portalID, d.ChannelID)
	if err != nil {
		return err
	}
	out, err := in.outgoing(ctx, t, ch, d, m)
	var providerID string
	if err == nil {
		providerID, err = t.Send(ctx, Account(ch), out)
	}
	var sendErr *channels.SendError
	var limitErr *channels.LimitError
	switch {
	case errors.As(err, &limitErr):
		return in.fail(ctx, m, 0, limitErr.Message)
	case errors.As(err, &sendErr) && !sendErr.Transient:
		return in.fail(ctx, m, sendErr.Code, sendErr.Message)
	case err != nil:
		return errRetry{fmt.Errorf("inbox: send of message %d: %w", msgID, err)}
	}
	return in.recordSent(ctx, m, providerID)
}

// recordSent stores a sent message's provider id, trying hard: a send that
// is not recorded would be sent again.
func (in *Inbox) recordSent(ctx context.Context, m db.Message, providerID string) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = in.Store.InTx(ctx, func(tx *db.Store) error {
			if err := tx.RecordSent(ctx, m.PortalID, m.ID, providerID); err != nil {
				return err
			}
			if err := in.requestCRMSync(ctx, tx, m.PortalID); err != nil { // the timeline takes it now
				return err
			}
			return tx.LogEvents(ctx, in.Now(), Event{Portal: m.PortalID, Dialog: m.DialogID, Message: m.ID, Kind: EventStatus})
		})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %s of message %d: %v", errSentUnrecorded, providerID, m.ID, err)
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
	return fmt.Errorf("%w: %s of message %d: %v", errSentUnrecorded, providerID, m.ID, err)
}

func (in *Inbox) fail(ctx context.Context, m db.Message, code int, reason string) error {
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		if err := tx.FailMessage(ctx, m.PortalID, m.ID, code, reason); err != nil {
			return err
		}
		return tx.LogEvents(ctx, in.Now(), Event{Portal: m.PortalID, Dialog: m.DialogID, Message: m.ID, Kind: EventStatus})
	})
}
