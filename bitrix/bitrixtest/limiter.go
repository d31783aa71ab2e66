package bitrixtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"switchboard/bitrix"
)

// LimiterOpener returns a fresh limiter with the given drain rate (calls per second) and
// burst. handle opens another Limiter on the same shared bucket, as another instance would.
type LimiterOpener func(t *testing.T, rate float64, burst int) (handle func() bitrix.Limiter)

// Limiter runs the leaky-bucket contract against the implementation open provides. It uses
// a bucket of 5/s, burst 5, and loose real-time bounds (a burst may take up to two drain
// intervals, 400 ms, so a loaded machine's slow round trips do not pass for waiting), so it
// takes about three seconds.
func Limiter(t *testing.T, open LimiterOpener) {
	const rate, burst = 5.0, 5
	ctx := context.Background()

	t.Run("burst then rate, shared across handles", func(t *testing.T) {
		handle := open(t, rate, burst)
		a, b := handle(), handle()
		start := time.Now()
		for i := range burst {
			if err := pick(i, a, b).Wait(ctx, "p1"); err != nil {
				t.Fatal(err)
			}
		}
		if el := time.Since(start); el > time.Second/rate*2 {
			t.Fatalf("the first %d calls (the burst) took %v", burst, el)
		}
		const extra = 10 // need at least extra/rate = 2 s
		var wg sync.WaitGroup
		for i := range extra {
			l := pick(i, a, b)
			wg.Go(func() {
				if err := l.Wait(ctx, "p1"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if el, least := time.Since(start), time.Duration(float64(extra)/rate*0.8*float64(time.Second)); el < least {
			t.Fatalf("%d calls past the burst finished after %v, want ≥ %v", extra, el, least)
		}
	})

	t.Run("portals have their own buckets", func(t *testing.T) {
		handle := open(t, rate, burst)
		l := handle()
		for range burst {
			l.Wait(ctx, "p1")
		}
		start := time.Now()
		for range burst {
			if err := l.Wait(ctx, "p2"); err != nil {
				t.Fatal(err)
			}
		}
		if el := time.Since(start); el > time.Second/rate*2 {
			t.Fatalf("p2's burst waited %v behind p1", el)
		}
	})

	t.Run("a cancelled wait returns at once", func(t *testing.T) {
		handle := open(t, 0.5, 1) // one call, then one every 2 s
		l := handle()
		l.Wait(ctx, "p1")
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := l.Wait(cctx, "p1")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
		if el := time.Since(start); el > time.Second {
			t.Fatalf("cancelled wait returned after %v", el)
		}
	})
}

func pick(i int, a, b bitrix.Limiter) bitrix.Limiter {
	if i%2 == 0 {
		return a
	}
	return b
}
