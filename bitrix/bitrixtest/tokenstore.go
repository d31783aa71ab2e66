package bitrixtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/bitrix"
)

// TokenStoreOpener prepares an empty backing store for one subtest. handle opens another
// TokenStore on the same backing state, as another app instance would (it may return the
// same value each time for in-process stores); seed stores a portal's tokens directly.
type TokenStoreOpener func(t *testing.T) (handle func() bitrix.TokenStore, seed func(portal string, tok bitrix.Tokens))

// TokenStore runs the TokenStore contract against the implementation open provides.
func TokenStore(t *testing.T, open TokenStoreOpener) {
	ctx := context.Background()
	pair := func(n int) bitrix.Tokens {
		return bitrix.Tokens{Access: fmt.Sprintf("access-%d", n), Refresh: fmt.Sprintf("refresh-%d", n),
			Expires: time.Now().Add(time.Hour).Truncate(time.Second)}
	}

	t.Run("unknown portal", func(t *testing.T) {
		handle, _ := open(t)
		if _, err := handle().Tokens(ctx, "no-such-portal"); !errors.Is(err, bitrix.ErrNoTokens) {
			t.Fatalf("Tokens of an unknown portal: err = %v, want one matching bitrix.ErrNoTokens", err)
		}
	})

	t.Run("round trip", func(t *testing.T) {
		handle, seed := open(t)
		seed("p1", pair(1))
		got, err := handle().Tokens(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		assertTokens(t, got, pair(1))
	})

	t.Run("refresh saves both tokens", func(t *testing.T) {
		handle, seed := open(t)
		seed("p1", pair(1))
		store := handle()
		var seen bitrix.Tokens
		got, err := store.RefreshTokens(ctx, "p1", "access-1", func(_ context.Context, cur bitrix.Tokens) (bitrix.Tokens, error) {
			seen = cur
			return pair(2), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		assertTokens(t, seen, pair(1))
		assertTokens(t, got, pair(2))
		stored, err := handle().Tokens(ctx, "p1")
		if err != nil {
			t.Fatal(err)
		}
		assertTokens(t, stored, pair(2))
	})

	t.Run("already refreshed elsewhere", func(t *testing.T) {
		handle, seed := open(t)
		seed("p1", pair(2))
		got, err := handle().RefreshTokens(ctx, "p1", "access-1", func(context.Context, bitrix.Tokens) (bitrix.Tokens, error) {
			t.Error("refresh ran although the stored access token is no longer the stale one")
			return pair(3), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		assertTokens(t, got, pair(2))
	})

	t.Run("failed refresh keeps the tokens", func(t *testing.T) {
		handle, seed := open(t)
		seed("p1", pair(1))
		boom := errors.New("oauth server down")
		_, err := handle().RefreshTokens(ctx, "p1", "access-1", func(context.Context, bitrix.Tokens) (bitrix.Tokens, error) {
			return bitrix.Tokens{}, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the refresh error", err)
		}
		stored, _ := handle().Tokens(ctx, "p1")
		assertTokens(t, stored, pair(1))
	})

	t.Run("concurrent refreshes run once", func(t *testing.T) {
		handle, seed := open(t)
		seed("p1", pair(1))
		var runs atomic.Int32
		refresh := func(context.Context, bitrix.Tokens) (bitrix.Tokens, error) {
			runs.Add(1)
			time.Sleep(50 * time.Millisecond) // an OAuth round trip
			return pair(2), nil
		}
		const n = 8
		results := make([]bitrix.Tokens, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			store := handle() // one handle per "instance"
			wg.Go(func() { results[i], errs[i] = store.RefreshTokens(ctx, "p1", "access-1", refresh) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("caller %d: %v", i, errs[i])
			}
			assertTokens(t, results[i], pair(2))
		}
		if r := runs.Load(); r != 1 {
			t.Fatalf("refresh ran %d times, want exactly once", r)
		}
	})

	t.Run("portals do not wait for each other", func(t *testing.T) {
		handle, seed := open(t)
		seed("p1", pair(1))
		seed("p2", pair(11))
		release := make(chan struct{})
		started := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			_, err := handle().RefreshTokens(ctx, "p1", "access-1", func(context.Context, bitrix.Tokens) (bitrix.Tokens, error) {
				close(started)
				<-release
				return pair(2), nil
			})
			done <- err
		}()
		<-started
		ctx2, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err := handle().RefreshTokens(ctx2, "p2", "access-11", func(context.Context, bitrix.Tokens) (bitrix.Tokens, error) {
			return pair(12), nil
		})
		close(release)
		if err != nil {
			t.Fatalf("refresh of p2 while p1 refreshes: %v", err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// assertTokens compares token pairs, allowing a storage round trip to coarsen Expires.
func assertTokens(t *testing.T, got, want bitrix.Tokens) {
	t.Helper()
	if got.Access != want.Access || got.Refresh != want.Refresh {
		t.Fatalf("tokens = %s/%s, want %s/%s", got.Access, got.Refresh, want.Access, want.Refresh)
	}
	if d := got.Expires.Sub(want.Expires); d > time.Second || d < -time.Second {
		t.Fatalf("expires = %v, want %v", got.Expires, want.Expires)
	}
}
