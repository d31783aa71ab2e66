package bitrix

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeClock is a virtual clock whose sleeps advance time instantly.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return nil
}

func virtualLimiter(rate float64, burst int) (*MemoryLimiter, *fakeClock) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	l := NewMemoryLimiter(rate, burst)
	l.now, l.sleep = clock.Now, clock.Sleep
	return l, clock
}

func TestLimiterAdmitsBurstThenDrainsAtRate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rate  float64
		burst int
	}{
		{"defaults", 0, 0},
		{"enterprise", EnterpriseRate, EnterpriseBurst},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, clock := virtualLimiter(tc.rate, tc.burst)
			rate, burst := l.rate, int(l.burst)
			start := clock.Now()
			for i := range burst {
				if err := l.Wait(context.Background(), "p"); err != nil {
					t.Fatal(err)
				}
				if clock.Now() != start {
					t.Fatalf("call %d of the burst waited", i+1)
				}
			}
			// Past the burst, each call waits exactly one drain interval.
			extra := 40
			for range extra {
				if err := l.Wait(context.Background(), "p"); err != nil {
					t.Fatal(err)
				}
			}
			want := time.Duration(float64(extra) / rate * float64(time.Second))
			if got := clock.Now().Sub(start); got != want {
				t.Fatalf("%d calls past the burst took %v, want %v", extra, got, want)
			}
		})
	}
}

func TestLimiterRefillsWhileIdleButNotBeyondBurst(t *testing.T) {
	l, clock := virtualLimiter(2, 50)
	for range 50 {
		l.Wait(context.Background(), "p")
	}
	clock.Sleep(context.Background(), 10*time.Second) // drains 20 units
	start := clock.Now()
	for range 20 {
		l.Wait(context.Background(), "p")
	}
	if clock.Now() != start {
		t.Fatal("drained capacity was not available")
	}
	l.Wait(context.Background(), "p")
	if got := clock.Now().Sub(start); got != 500*time.Millisecond {
		t.Fatalf("21st call waited %v, want 500ms", got)
	}
	// A long idle period never banks more than one burst.
	clock.Sleep(context.Background(), time.Hour)
	start = clock.Now()
	for range 51 {
		l.Wait(context.Background(), "p")
	}
	if got := clock.Now().Sub(start); got != 500*time.Millisecond {
		t.Fatalf("51 calls after an idle hour took %v, want 500ms", got)
	}
}

func TestLimiterKeepsPortalsApart(t *testing.T) {
	l, clock := virtualLimiter(2, 50)
	for range 50 {
		l.Wait(context.Background(), "a")
	}
	start := clock.Now()
	for range 50 {
		l.Wait(context.Background(), "b")
	}
	if clock.Now() != start {
		t.Fatal("portal b waited for portal a's bucket")
	}
}

func TestLimiterCancelledWaitGivesBackItsSlot(t *testing.T) {
	l, clock := virtualLimiter(2, 1)
	l.Wait(context.Background(), "p")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx, "p"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	start := clock.Now()
	l.Wait(context.Background(), "p")
	if got := clock.Now().Sub(start); got != 500*time.Millisecond {
		t.Fatalf("next call waited %v, want 500ms (the cancelled slot must not count)", got)
	}
}

func TestLimiterUnderConcurrencyRealClock(t *testing.T) {
	// 10 goroutines × 3 calls with burst 10 at 100/s: 20 calls past the burst need ≥ ~200ms.
	l := NewMemoryLimiter(100, 10)
	start := time.Now()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for range 3 {
				if err := l.Wait(context.Background(), "p"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if el := time.Since(start); el < 180*time.Millisecond {
		t.Fatalf("30 calls finished in %v; the bucket let too many through", el)
	}
}

func BenchmarkMemoryLimiterUncontended(b *testing.B) {
	l := NewMemoryLimiter(1e9, 1<<30)
	ctx := context.Background()
	for b.Loop() {
		l.Wait(ctx, "p")
	}
}
