package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Job is one unit of background work.
type Job struct {
	PortalID  int64           `db:"portal_id"`
	ID        int64           `db:"id"`
	Kind      string          `db:"kind"`
	Payload   json.RawMessage `db:"payload"`
	RunAt     time.Time       `db:"run_at"`
	Attempts  int             `db:"attempts"`
	LastError string          `db:"last_error"`
}

// Enqueue adds a job due at runAt. Every time the outbox goes by is the
// caller's clock, never the database's: runAt is required.
func (s *Store) Enqueue(ctx context.Context, portalID int64, kind string, payload any, runAt time.Time) error {
	if runAt.IsZero() {
		return fmt.Errorf("db: %s job enqueued without a due time", kind)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("db: unable to encode %s job: %w", kind, err)
	}
	_, err = s.exec(ctx, `INSERT INTO outbox (portal_id, kind, payload, run_at) VALUES ($1, $2, $3, $4)`,
		portalID, kind, string(body), runAt)
	if err != nil {
		return fmt.Errorf("db: unable to enqueue %s job: %w", kind, err)
	}
	return nil
}

// ClaimDueJobs takes up to limit jobs due at now for this worker: each is
// leased (run_at pushed to now+lease, attempts+1) so no other worker runs it
// meanwhile, and becomes due again if this worker dies before finishing it.
// Concurrent workers skip each other's rows. The jobs come in the order
// they fell due (an UPDATE's RETURNING keeps no order of its own), so the
// messages of one send go out as they were written.
func (s *Store) ClaimDueJobs(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Job, error) {
	var jobs []Job
	err := s.all(ctx, &jobs, `
		WITH due AS (
			SELECT id, run_at FROM outbox WHERE done_at IS NULL AND run_at <= $1
			ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
		), claimed AS (
			UPDATE outbox o SET run_at = $3, attempts = o.attempts + 1 FROM due WHERE o.id = due.id
			RETURNING o.portal_id, o.id, o.kind, o.payload, o.run_at, o.attempts, o.last_error, due.run_at AS due_at)
		SELECT portal_id, id, kind, payload, run_at, attempts, last_error FROM claimed ORDER BY due_at, id`,
		now, limit, now.Add(lease))
	if err != nil {
		return nil, fmt.Errorf("db: unable to claim jobs: %w", err)
	}
	return jobs, nil
}

// CompleteJob marks a job done at now.
func (s *Store) CompleteJob(ctx context.Context, now time.Time, id int64) error {
	_, err := s.exec(ctx, `UPDATE outbox SET done_at = $2 WHERE id = $1`, id, now)
	if err != nil {
		return fmt.Errorf("db: unable to complete job %d: %w", id, err)
	}
	return nil
}

// RetryJob makes a job due again at runAt, keeping the error.
func (s *Store) RetryJob(ctx context.Context, id int64, runAt time.Time, cause string) error {
	_, err := s.exec(ctx, `UPDATE outbox SET run_at = $2, last_error = $3 WHERE id = $1`, id, runAt, cause)
	if err != nil {
		return fmt.Errorf("db: unable to reschedule job %d: %w", id, err)
	}
	return nil
}

// DeferJob puts a claimed job off until runAt without counting the claim
// as an attempt: it did not try, it waited its turn.
func (s *Store) DeferJob(ctx context.Context, id int64, runAt time.Time) error {
	_, err := s.exec(ctx, `UPDATE outbox SET run_at = $2, attempts = greatest(attempts - 1, 0) WHERE id = $1`, id, runAt)
	if err != nil {
		return fmt.Errorf("db: unable to defer job %d: %w", id, err)
	}
	return nil
}

// FailJob gives up on a job at now: it is done, and keeps the error.
func (s *Store) FailJob(ctx context.Context, now time.Time, id int64, cause string) error {
	_, err := s.exec(ctx, `UPDATE outbox SET done_at = $3, last_error = $2 WHERE id = $1`, id, cause, now)
	if err != nil {
		return fmt.Errorf("db: unable to fail job %d: %w", id, err)
	}
	return nil
}

// RenewLease makes a claimed job's lease run until now+lease, if the job is
// still the claim of this attempt (not done, and not claimed again by
// another worker since); it reports whether it was.
func (s *Store) RenewLease(ctx context.Context, now time.Time, id int64, attempts int, lease time.Duration) (bool, error) {
	res, err := s.exec(ctx, `UPDATE outbox SET run_at = $3
		WHERE id = $1 AND attempts = $2 AND done_at IS NULL`, id, attempts, now.Add(lease))
	if err != nil {
		return false, fmt.Errorf("db: unable to renew the lease of job %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RequestStanding asks for a portal's standing job of kind (one row at a
// time, see the outbox_standing index): created due at runAt, or, when it
// already waits or runs, marked to run once more.
func (s *Store) RequestStanding(ctx context.Context, portalID int64, kind string, runAt time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO outbox (portal_id, kind, payload, run_at) VALUES ($1, $2, '{}', $3)
		ON CONFLICT (portal_id, kind) WHERE done_at IS NULL AND kind IN ('crm_sync', 'crm_reconcile')
		DO UPDATE SET rerun = true`, portalID, kind, runAt)
	if err != nil {
		return fmt.Errorf("db: unable to request %s of portal %d: %w", kind, portalID, err)
	}
	return nil
}

// FinishStanding completes a standing job's run: done, or, when it was
// asked for again meanwhile, due again at now with its attempts reset.
func (s *Store) FinishStanding(ctx context.Context, now time.Time, id int64) error {
	_, err := s.exec(ctx, `UPDATE outbox SET
			done_at = CASE WHEN rerun THEN NULL ELSE $2::timestamptz END,
			run_at = CASE WHEN rerun THEN $2::timestamptz ELSE run_at END,
			attempts = CASE WHEN rerun THEN 0 ELSE attempts END,
			last_error = CASE WHEN rerun THEN '' ELSE last_error END,
			rerun = false
		WHERE id = $1`, id, now)
	if err != nil {
		return fmt.Errorf("db: unable to finish job %d: %w", id, err)
	}
	return nil
}

// NudgeStanding asks for a portal's standing job of kind when none waits
// or runs, and changes nothing when one does: unlike RequestStanding it
// locks no row, so the many transactions that give the job work (every
// webhook) never queue behind each other on it. A run already under way
// goes on while it finds work; what it may miss, committed as it
// finished, the worker's periodic nudge of every portal with work finds.
func (s *Store) NudgeStanding(ctx context.Context, portalID int64, kind string, runAt time.Time) error {
	if s.tail != nil { // written at the commit (txTail)
		s.tail.nudges = append(s.tail.nudges, tailJob{portal: portalID, kind: kind, runAt: runAt})
		return nil
	}
	_, err := s.exec(ctx, `INSERT INTO outbox (portal_id, kind, payload, run_at) VALUES ($1, $2, '{}', $3)
		ON CONFLICT (portal_id, kind) WHERE done_at IS NULL AND kind IN ('crm_sync', 'crm_reconcile') DO NOTHING`,
		portalID, kind, runAt)
	if err != nil {
		return fmt.Errorf("db: unable to nudge %s of portal %d: %w", kind, portalID, err)
	}
	return nil
}
