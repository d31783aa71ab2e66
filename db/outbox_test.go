package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"switchboard/db"
)

// t0 is the time the outbox tests start at: the store decides by the time
// it is given, never by the database's clock.
var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// jobRow is a job as the outbox holds it, done or not.
type jobRow struct {
	RunAt     time.Time  `db:"run_at"`
	Attempts  int        `db:"attempts"`
	LastError string     `db:"last_error"`
	DoneAt    *time.Time `db:"done_at"`
}

func readJob(t *testing.T, store *db.Store, id int64) jobRow {
	t.Helper()
	var j jobRow
	if err := store.DB.Get(&j, `SELECT run_at, attempts, last_error, done_at FROM outbox WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return j
}

// claim claims at most one job due at now, with a one-minute lease.
func claim(t *testing.T, store *db.Store, now time.Time) []db.Job {
	t.Helper()
	jobs, err := store.ClaimDueJobs(context.Background(), now, 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

func enqueue(t *testing.T, store *db.Store, portal int64, runAt time.Time) {
	t.Helper()
	if err := store.Enqueue(context.Background(), portal, "send", map[string]int{"n": 1}, runAt); err != nil {
		t.Fatal(err)
	}
}

func TestAJobIsNotEnqueuedWithoutADueTime(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	if err := store.Enqueue(context.Background(), w.portal, "send", nil, time.Time{}); err == nil {
		t.Fatal("a job without a due time was enqueued: the outbox would fall back to another clock")
	}
}

func TestAJobScheduledForLaterIsClaimedWhenItsTimeComes(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	enqueue(t, store, w.portal, t0.Add(time.Hour))
	for _, at := range []time.Time{t0, t0.Add(time.Hour - time.Millisecond)} {
		if jobs := claim(t, store, at); len(jobs) != 0 {
			t.Fatalf("at %v a job due at %v was claimed", at, t0.Add(time.Hour))
		}
	}
	jobs := claim(t, store, t0.Add(time.Hour))
	if len(jobs) != 1 || jobs[0].Attempts != 1 || !jobs[0].RunAt.Equal(t0.Add(time.Hour+time.Minute)) {
		t.Fatalf("at its time: %+v, want one job, attempt 1, leased until a minute later", jobs)
	}
}

func TestAJobWhoseLeaseRanOutIsClaimedAgain(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	enqueue(t, store, w.portal, t0)
	first := claim(t, store, t0)
	if len(first) != 1 {
		t.Fatalf("first claim: %+v", first)
	}
	// Its worker dies: the job stays leased for the minute, then comes back.
	if again := claim(t, store, t0.Add(time.Minute-time.Millisecond)); len(again) != 0 {
		t.Fatalf("claimed again within its lease: %+v", again)
	}
	again := claim(t, store, t0.Add(time.Minute))
	if len(again) != 1 || again[0].ID != first[0].ID || again[0].Attempts != 2 {
		t.Fatalf("after the lease: %+v, want job %d again, attempt 2", again, first[0].ID)
	}
}

func TestALeaseLostToAnotherWorkerCannotBeRenewed(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	enqueue(t, store, w.portal, t0)
	first := claim(t, store, t0)
	if len(first) != 1 {
		t.Fatalf("first claim: %+v", first)
	}
	// The first worker stalls past its lease; a second takes the job.
	later := t0.Add(2 * time.Minute)
	second := claim(t, store, later)
	if len(second) != 1 {
		t.Fatalf("second claim: %+v", second)
	}
	if mine, err := store.RenewLease(ctx, later, first[0].ID, first[0].Attempts, time.Minute); err != nil || mine {
		t.Fatalf("the stalled worker renewed a lease it lost: %v %v", mine, err)
	}
	if mine, err := store.RenewLease(ctx, later, second[0].ID, second[0].Attempts, 5*time.Minute); err != nil || !mine {
		t.Fatalf("the current holder could not renew: %v %v", mine, err)
	}
	if j := readJob(t, store, second[0].ID); !j.RunAt.Equal(later.Add(5 * time.Minute)) {
		t.Fatalf("renewed lease runs until %v, want %v", j.RunAt, later.Add(5*time.Minute))
	}
	if jobs := claim(t, store, later.Add(5*time.Minute-time.Millisecond)); len(jobs) != 0 {
		t.Fatalf("claimed within the renewed lease: %+v", jobs)
	}
}

func TestClaimDueJobsNeverHandsOneJobToTwoWorkers(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	for i := 0; i < 50; i++ {
		if err := store.Enqueue(ctx, w.portal, "send", map[string]int{"n": i}, t0.Add(-time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for worker := 0; worker < 4; worker++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				// All workers go by one clock standing at t0.
				jobs, err := store.ClaimDueJobs(ctx, t0, 3, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, j := range jobs {
					seen[j.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 50 {
		t.Fatalf("claimed %d distinct jobs, want 50", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("job %d claimed %d times", id, n)
		}
	}
}

func TestFinishedJobsAreDoneAndKeepTheirError(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	enqueue(t, store, w.portal, t0)
	enqueue(t, store, w.portal, t0)
	jobs, err := store.ClaimDueJobs(ctx, t0, 2, time.Minute)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("claim: %+v %v", jobs, err)
	}
	failed, completed := jobs[0].ID, jobs[1].ID
	done := t0.Add(10 * time.Second)
	if err := store.FailJob(ctx, done, failed, "provider said no"); err != nil {
		t.Fatal(err)
	}
	if err := store.CompleteJob(ctx, done, completed); err != nil {
		t.Fatal(err)
	}
	if j := readJob(t, store, failed); j.DoneAt == nil || !j.DoneAt.Equal(done) || j.LastError != "provider said no" {
		t.Fatalf("failed job: %+v, want done at %v with its error", j, done)
	}
	if j := readJob(t, store, completed); j.DoneAt == nil || !j.DoneAt.Equal(done) || j.LastError != "" {
		t.Fatalf("completed job: %+v, want done at %v without error", j, done)
	}
	// Done is done: neither comes due again, however late, nor renews.
	if jobs := claim(t, store, t0.Add(24*time.Hour)); len(jobs) != 0 {
		t.Fatalf("a finished job was claimed again: %+v", jobs)
	}
	if mine, err := store.RenewLease(ctx, done, failed, 1, time.Minute); err != nil || mine {
		t.Fatalf("a failed job's lease was renewed: %v %v", mine, err)
	}
}

func TestARetriedJobComesDueAtItsNewTime(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	enqueue(t, store, w.portal, t0)
	jobs := claim(t, store, t0)
	if len(jobs) != 1 {
		t.Fatalf("claim: %+v", jobs)
	}
	retry := t0.Add(30 * time.Second)
	if err := store.RetryJob(ctx, jobs[0].ID, retry, "timeout"); err != nil {
		t.Fatal(err)
	}
	if again := claim(t, store, retry.Add(-time.Millisecond)); len(again) != 0 {
		t.Fatalf("claimed before its retry time: %+v", again)
	}
	again := claim(t, store, retry)
	if len(again) != 1 || again[0].Attempts != 2 || again[0].LastError != "timeout" {
		t.Fatalf("at its retry time: %+v, want attempt 2 keeping the error", again)
	}
}
