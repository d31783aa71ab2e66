// Package inboxtest lets tests drive an Inbox's due work by hand: a fake
// clock that moves only when told, and one run of the outbox jobs due by it.
package inboxtest

import (
	"context"
	"sync"
	"testing"
	"time"

	"switchboard/inbox"
)

// Clock is an inbox.Clock that stands still until a test moves it. It is
// safe for concurrent use. It keeps microseconds, as PostgreSQL does, so a
// time read back from the database equals the one written.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock is a Clock standing at start.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start.Truncate(time.Microsecond)}
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock d forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d).Truncate(time.Microsecond)
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.Truncate(time.Microsecond)
}

// Use gives in a Clock standing at the wall clock's now, and returns it.
func Use(in *inbox.Inbox) *Clock {
	c := NewClock(time.Now())
	in.Clock = c
	return c
}

// RunDue runs one batch of the jobs due by in's clock and reports how many
// it took; an error fails the test.
func RunDue(t testing.TB, in *inbox.Inbox) int {
	t.Helper()
	n, err := in.RunDueJobs(context.Background())
	if err != nil {
		t.Fatalf("outbox pass: %v", err)
	}
	return n
}

// AdvanceAndRun moves c by d, then runs the jobs due by then.
func AdvanceAndRun(t testing.TB, in *inbox.Inbox, c *Clock, d time.Duration) int {
	t.Helper()
	c.Advance(d)
	return RunDue(t, in)
}
