package bitrix

import (
	"context"
	"sync"
	"time"
)

// Limiter admits one REST call for a portal, waiting as needed (leaky bucket shared by all instances).
type Limiter interface {
	Wait(ctx context.Context, portal string) error
}

// Bitrix24's documented leaky-bucket limits per portal.
const (
	DefaultRate     = 2.0 // requests drained per second (non-Enterprise plans)
	DefaultBurst    = 50  // bucket size (non-Enterprise plans)
	EnterpriseRate  = 5.0
	EnterpriseBurst = 250
)

// MemoryLimiter is an in-process leaky bucket per portal: each call adds one unit, the bucket
// drains Rate units per second, and a call that would overflow Burst waits until it fits.
// Waiters are served in arrival order. Use it in tests and single-instance setups.
type MemoryLimiter struct {
	rate  float64
	burst float64

	mu      sync.Mutex
	buckets map[string]time.Time // per portal: when the bucket will be empty (GCRA "TAT")

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// NewMemoryLimiter returns a limiter draining perSecond calls per second with the given burst;
// zero values mean DefaultRate and DefaultBurst.
func NewMemoryLimiter(perSecond float64, burst int) *MemoryLimiter {
	if perSecond <= 0 {
		perSecond = DefaultRate
	}
	if burst <= 0 {
		burst = DefaultBurst
	}
	return &MemoryLimiter{
		rate:    perSecond,
		burst:   float64(burst),
		buckets: map[string]time.Time{},
		now:     time.Now,
		sleep:   sleepContext,
	}
}

// Wait blocks until the portal's bucket has room for one more call, or ctx ends.
func (l *MemoryLimiter) Wait(ctx context.Context, portal string) error {
	delay := l.reserve(portal)
	if delay <= 0 {
		return nil
	}
	if err := l.sleep(ctx, delay); err != nil {
		l.cancel(portal)
		return err
	}
	return nil
}

// reserve takes one unit from the bucket and returns how long the caller must wait for it.
func (l *MemoryLimiter) reserve(portal string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	interval := time.Duration(float64(time.Second) / l.rate)
	empty := l.buckets[portal]
	if empty.Before(now) {
		empty = now
	}
	// The bucket holds (empty-now)/interval units; a call fits when that is ≤ burst-1.
	admit := empty.Add(-time.Duration(float64(interval) * (l.burst - 1)))
	l.buckets[portal] = empty.Add(interval)
	if admit.After(now) {
		return admit.Sub(now)
	}
	return 0
}

// cancel gives back the unit of a caller that stopped waiting.
func (l *MemoryLimiter) cancel(portal string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	interval := time.Duration(float64(time.Second) / l.rate)
	if t, ok := l.buckets[portal]; ok {
		l.buckets[portal] = t.Add(-interval)
	}
}

// sleepContext waits for d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
