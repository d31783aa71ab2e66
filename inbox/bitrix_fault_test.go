package inbox_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/bitrix"
	"switchboard/bitrix/emulator"
	"switchboard/db"
	"switchboard/db/pgtest"
	"switchboard/inbox"
)

// TestTwoInstancesSurviveAFaultyPortal: two app instances share one
// database and make 2,000 calls to a portal that fails 20% of calls with
// 503 QUERY_LIMIT_EXCEEDED and expires every access token every couple of
// seconds. Every call completes, none is lost or made twice, and the
// portal's bucket never refuses a call for going over its rate.
func TestTwoInstancesSurviveAFaultyPortal(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 rate-limited calls take about half a minute")
	}
	const (
		calls = 2000
		rate  = 100.0 // a fast portal keeps the test short; the rule is the same at 2/s
		burst = 100
	)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	portal, srv := emulator.NewServer(emulator.Config{Rate: rate, Burst: burst, NoAutoEvents: true, Logger: log, Seed: 7})
	t.Cleanup(srv.Close)
	portal.AddUser(emulator.User{ID: 1, Name: "Anna", Admin: true})
	portal.FinishInstall()
	access, refresh := portal.IssueToken(1)

	dsn := pgtest.DSN(t)
	ctx := context.Background()
	instance := func() *bitrix.PortalClient {
		conn, err := db.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		store := db.New(conn)
		c := bitrix.New(bitrix.Config{ClientID: portal.Config().ClientID, ClientSecret: portal.Config().ClientSecret,
			OAuthURL: srv.URL, Tokens: inbox.PortalTokens{Store: store},
			Limiter: inbox.PortalLimiter{Store: store, Rate: rate, Burst: burst - 10}, Logger: log, MaxRetries: 12})
		return c.Portal(portal.MemberID(), srv.URL)
	}
	first, second := instance(), instance()
	conn, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	expires := time.Now().Add(time.Hour)
	if _, err := db.New(conn).UpsertPortal(ctx, db.Portal{Domain: portal.Config().Domain, MemberID: portal.MemberID(),
		BaseURL: srv.URL, AccessToken: access, RefreshToken: refresh, TokenExpiresAt: &expires}); err != nil {
		t.Fatal(err)
	}
	portal.ResetStats()
	portal.SetFaults(emulator.Faults{ErrorRate: 0.2, ExpireTokensEvery: 3 * time.Second})

	start := time.Now()
	var failed atomic.Int64
	var firstErr sync.Once
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 16; w++ {
		client := first
		if w%2 == 1 {
			client = second
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				_, err := client.AddContact(ctx, bitrix.Fields{"NAME": fmt.Sprintf("Client %04d", i)})
				if err != nil {
					failed.Add(1)
					firstErr.Do(func() { t.Errorf("call %d surfaced an error: %v", i, err) })
				}
			}
		}()
	}
	for i := 0; i < calls; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)

	names := map[string]int{}
	for _, id := range portal.EntityIDs("contact") {
		e, _ := portal.Entity("contact", id)
		names[fmt.Sprint(e["NAME"])]++
	}
	for i := 0; i < calls; i++ {
		if n := names[fmt.Sprintf("Client %04d", i)]; n != 1 {
			t.Errorf("contact %04d exists %d times, want exactly once", i, n)
		}
	}
	st := portal.Stats()
	t.Logf("%d calls in %s: %d requests, %d injected 503s, %d OAuth refreshes, bucket peak %.1f of %d, max %d calls in a second (rate %.0f/s), refusals %v",
		calls, elapsed.Round(time.Millisecond), st.Requests, st.Injected, st.OAuthGrants, st.PeakLevel, burst, st.MaxPerSecond, rate, st.Rejected)
	if failed.Load() != 0 {
		t.Fatalf("%d calls surfaced errors", failed.Load())
	}
	if n := st.Rejected["QUERY_LIMIT_EXCEEDED"] - st.Injected; n != 0 {
		t.Fatalf("the portal's bucket refused %d calls: the instances went over the allowed rate", n)
	}
	if st.Injected == 0 || st.OAuthGrants == 0 {
		t.Fatalf("the faults did not happen (injected %d, refreshes %d): the test proves nothing", st.Injected, st.OAuthGrants)
	}
}
