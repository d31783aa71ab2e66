package bitrix

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// testLogger writes the client's logs into the test log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func TestCallSendsJSONWithAuthAndDecodesEnvelope(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", f.issue(false))
	f.methods["crm.contact.list"] = listOf([]any{map[string]any{"ID": "1"}, map[string]any{"ID": 2}})

	p := c.Portal("m1", f.srv.URL+"/")
	resp, err := p.Do(context.Background(), "crm.contact.list", Params{"filter": Params{"NAME": "A&B"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Total != 2 || resp.Next != 0 || resp.Time == nil || resp.Time.Duration == 0 {
		t.Fatalf("envelope = %+v", resp)
	}
	var rows []struct{ ID FlexInt }
	if err := resp.Decode(&rows); err != nil || len(rows) != 2 || rows[1].ID != 2 {
		t.Fatalf("rows = %+v, %v", rows, err)
	}
	call := f.callsOf("crm.contact.list")[0]
	if call.Auth == "" || Values(call.Params).String("filter", "NAME") != "A&B" {
		t.Fatalf("request params = %s", call.Raw)
	}
}

func TestPortalBaseURL(t *testing.T) {
	c := New(Config{})
	for in, want := range map[string]string{
		"acme.bitrix24.com":                 "https://acme.bitrix24.com",
		"https://acme.bitrix24.com/":        "https://acme.bitrix24.com",
		"https://acme.bitrix24.com/rest/":   "https://acme.bitrix24.com",
		"http://localhost:8081":             "http://localhost:8081",
		PortalURL("localhost:8081", false):  "http://localhost:8081",
		PortalURL("acme.bitrix24.de", true): "https://acme.bitrix24.de",
	} {
		if got := c.Portal("m", in).BaseURL(); got != want {
			t.Errorf("Portal(%q).BaseURL() = %q, want %q", in, got, want)
		}
	}
}

// sentinels lists every sentinel, to check that an error matches exactly the expected ones.
var sentinels = map[string]error{
	"expired": ErrExpiredToken, "invalid": ErrInvalidToken, "ratelimited": ErrRateLimited,
	"operation": ErrOperationLimit, "denied": ErrAccessDenied, "scope": ErrInsufficientScope,
	"nomethod": ErrMethodNotFound, "grant": ErrInvalidGrant, "notfound": ErrNotFound,
	"bound": ErrAlreadyBound, "cantedit": ErrCantEditMessage, "payment": ErrPaymentRequired,
	"moved": ErrPortalMoved, "pinlimit": ErrPinLimit,
}

func TestErrorsMapToSentinels(t *testing.T) {
	cases := []struct {
		name   string
		reply  fakeReply
		status int
		code   string
		want   []string
	}{
		{"expired token", *errReply(401, "expired_token", "The access token provided has expired"), 401, "expired_token", []string{"expired"}},
		{"invalid token", *errReply(401, "invalid_token", "bad"), 401, "invalid_token", []string{"invalid"}},
		{"no auth", *errReply(401, "NO_AUTH_FOUND", "Wrong authorization data"), 401, "NO_AUTH_FOUND", []string{"invalid"}},
		{"query limit", *errReply(503, "QUERY_LIMIT_EXCEEDED", "Too many requests"), 503, "QUERY_LIMIT_EXCEEDED", []string{"ratelimited"}},
		{"operation limit", *errReply(429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit."), 429, "OPERATION_TIME_LIMIT", []string{"operation"}},
		{"access denied", *errReply(403, "ACCESS_DENIED", "Access denied! Application context required"), 403, "ACCESS_DENIED", []string{"denied"}},
		{"wrong auth type", *errReply(403, "WRONG_AUTH_TYPE", "Current authorization type is denied"), 403, "WRONG_AUTH_TYPE", []string{"denied"}},
		{"scope 401", *errReply(401, "insufficient_scope", "The request requires higher privileges"), 401, "insufficient_scope", []string{"scope"}},
		{"scope 403", *errReply(403, "insufficient_scope", "The request requires higher privileges"), 403, "insufficient_scope", []string{"scope"}},
		{"method not found", *errReply(404, "ERROR_METHOD_NOT_FOUND", "Method not found!"), 404, "ERROR_METHOD_NOT_FOUND", []string{"nomethod"}},
		{"crm not found", *errReply(400, "", "Not found."), 400, "", []string{"notfound"}},
		{"crm contact not found", *errReply(400, "", "Contact is not found"), 400, "", []string{"notfound"}},
		{"crm access denied", *errReply(400, "", "Access denied."), 400, "", []string{"denied"}},
		{"crm bad id", *errReply(400, "", "ID is not defined or invalid."), 400, "", nil},
		{"engine not found", *errReply(400, "NOT_FOUND", "Not found."), 400, "NOT_FOUND", []string{"notfound"}},
		{"owner not found", *errReply(400, "OWNER_NOT_FOUND", "Owner not found"), 400, "OWNER_NOT_FOUND", []string{"notfound"}},
		{"event already bound", *errReply(400, "ERROR_HANDLER_ALREADY_EXIST", "Handler already exists!"), 400, "ERROR_HANDLER_ALREADY_EXIST", []string{"bound"}},
		{"placement already bound", *errReply(400, "ERROR_CORE", "Unable to set placement handler: Handler already binded"), 400, "ERROR_CORE", []string{"bound"}},
		{"message too old", *errReply(400, "CANT_EDIT_MESSAGE", "Time has expired for modification"), 400, "CANT_EDIT_MESSAGE", []string{"cantedit"}},
		{"pin limit", fakeReply{Status: 400, Body: `{"error":0,"error_description":"Only three events can be added to favorites"}`}, 400, "0", []string{"pinlimit"}},
		{"overload is not retried", *errReply(503, "OVERLOAD_LIMIT", "REST API is blocked due to overload"), 503, "OVERLOAD_LIMIT", nil},
		{"non-JSON gateway error", fakeReply{Status: 502, Body: "<html>Bad Gateway</html>"}, 502, "", nil},
		{"error with 200", fakeReply{Status: 200, Body: `{"error":"EMPTY_ERROR_HANDLER_URL","error_description":"x"}`}, 200, "EMPTY_ERROR_HANDLER_URL", nil},
		{"renamed portal", fakeReply{Status: 302, Header: http.Header{"Location": {"https://new.bitrix24.com/rest/profile.json"}}}, 302, codePortalMoved, []string{"moved"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakePortal(t)
			c := New(Config{MaxRetries: -1, Logger: testLogger(t)})
			f.queue("profile", tc.reply)
			err := c.CallWithToken(context.Background(), f.srv.URL, "user-token", "profile", nil, nil)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (%T), want *Error", err, err)
			}
			if e.HTTPStatus != tc.status || e.Code != tc.code || e.Method != "profile" {
				t.Fatalf("err = %#v", e)
			}
			want := map[string]bool{}
			for _, w := range tc.want {
				want[w] = true
			}
			for name, s := range sentinels {
				if errors.Is(err, s) != want[name] {
					t.Errorf("errors.Is(%v, %s) = %v", err, name, !want[name])
				}
			}
			if !strings.HasPrefix(err.Error(), "bitrix: profile: ") {
				t.Errorf("message %q lacks the package and method prefix", err)
			}
		})
	}
}

func TestPredicates(t *testing.T) {
	notFound := &Error{HTTPStatus: 400, Description: "Not found."}
	if !IsNotFound(notFound) || IsNotFound(&Error{Description: "Access denied."}) {
		t.Error("IsNotFound")
	}
	if !IsRateLimited(&Error{HTTPStatus: 503, Code: "QUERY_LIMIT_EXCEEDED"}) || !IsRateLimited(&Error{HTTPStatus: 429}) {
		t.Error("IsRateLimited")
	}
	if !IsAuthError(&Error{Code: "expired_token"}) || !IsAuthError(&Error{Code: "NO_AUTH_FOUND"}) {
		t.Error("IsAuthError")
	}
	if !NeedsReinstall(&Error{Code: "invalid_grant"}) || !NeedsReinstall(&Error{Code: "APPLICATION_NOT_FOUND"}) ||
		NeedsReinstall(&Error{Code: "expired_token"}) || NeedsReinstall(errors.New("x")) {
		t.Error("NeedsReinstall")
	}
	base, ok := PortalMovedTo(&Error{HTTPStatus: 302, Code: codePortalMoved, Description: "https://new.bitrix24.com"})
	if !ok || base != "https://new.bitrix24.com" {
		t.Error("PortalMovedTo")
	}
}

func TestRenamedPortalGivesNewBase(t *testing.T) {
	f := newFakePortal(t)
	c := New(Config{Logger: testLogger(t)})
	f.queue("profile", fakeReply{Status: 302, Header: http.Header{"Location": {"https://new.bitrix24.com/rest/profile.json"}}})
	err := c.CallWithToken(context.Background(), f.srv.URL, "tok", "profile", nil, nil)
	if base, ok := PortalMovedTo(err); !ok || base != "https://new.bitrix24.com" {
		t.Fatalf("PortalMovedTo(%v) = %q, %v", err, base, ok)
	}
}

func TestExpiredTokenRefreshesRetriesOnceAndPersistsRotation(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	old := f.issue(true)
	old.Expires = time.Time{} // expiry unknown: the portal's 401 is the signal
	store.Set("m1", old)

	var u User
	if err := c.Portal("m1", f.srv.URL).Call(context.Background(), "user.current", nil, &u); err != nil {
		t.Fatal(err)
	}
	if u.ID != 1 || u.Name != "Anna" {
		t.Fatalf("user = %+v", u)
	}
	if n := f.refreshCount(); n != 1 {
		t.Fatalf("refreshes = %d, want 1", n)
	}
	now, _ := store.Tokens(context.Background(), "m1")
	if now.Access == old.Access || now.Refresh == old.Refresh || now.Expires.Before(time.Now()) {
		t.Fatalf("stored tokens not rotated: %+v (old %+v)", now, old)
	}
	calls := f.callsOf("user.current")
	if len(calls) != 2 || calls[0].Auth != old.Access || calls[1].Auth != now.Access {
		t.Fatalf("calls = %+v", calls)
	}
	// The old refresh token is dead now: the portal must keep using the stored new pair.
	if err := c.Portal("m1", f.srv.URL).Call(context.Background(), "user.current", nil, nil); err != nil {
		t.Fatal(err)
	}
	if n := f.refreshCount(); n != 1 {
		t.Fatalf("refreshes after a second call = %d, want 1", n)
	}
}

func TestInvalidTokenAlsoRefreshes(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	good := f.issue(false)
	store.Set("m1", Tokens{Access: "revoked", Refresh: good.Refresh})
	if err := c.Portal("m1", f.srv.URL).Call(context.Background(), "user.current", nil, nil); err != nil {
		t.Fatal(err)
	}
	if f.refreshCount() != 1 {
		t.Fatal("invalid_token did not refresh")
	}
}

func TestRefreshRetriesAreBounded(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", unknownExpiry(f.issue(true)))
	expired := *errReply(401, "expired_token", "The access token provided has expired")
	for range maxRefreshRounds + 1 {
		f.queue("user.current", expired)
	}
	err := c.Portal("m1", f.srv.URL).Call(context.Background(), "user.current", nil, nil)
	if !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("err = %v, want expired", err)
	}
	if f.refreshCount() != maxRefreshRounds || len(f.callsOf("user.current")) != maxRefreshRounds+1 {
		t.Fatalf("refreshes = %d, calls = %d", f.refreshCount(), len(f.callsOf("user.current")))
	}
}

func TestDeadRefreshTokenNeedsReinstall(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", Tokens{Access: "acc-old", Refresh: "ref-unknown"})
	f.access["acc-old"] = time.Now().Add(-time.Second)
	err := c.Portal("m1", f.srv.URL).Call(context.Background(), "user.current", nil, nil)
	if !errors.Is(err, ErrInvalidGrant) || !NeedsReinstall(err) {
		t.Fatalf("err = %v, want invalid_grant", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Method != "oauth/token" || e.HTTPStatus != 400 {
		t.Fatalf("err = %#v", e)
	}
	if strings.Contains(err.Error(), fakeSecret) {
		t.Fatal("error leaks the client secret")
	}
}

func TestWrongClientSecret(t *testing.T) {
	f := newFakePortal(t)
	_, store := testClient(t, f)
	c := New(Config{ClientID: fakeClientID, ClientSecret: "wrong", OAuthURL: f.srv.URL, Tokens: store, Logger: testLogger(t)})
	store.Set("m1", f.issue(true))
	err := c.Portal("m1", f.srv.URL).Call(context.Background(), "user.current", nil, nil)
	var e *Error
	if !errors.As(err, &e) || e.Code != "invalid_client" || e.HTTPStatus != 401 {
		t.Fatalf("err = %v", err)
	}
}

// unknownExpiry drops the expiry, so that only the portal's 401 reveals it.
func unknownExpiry(t Tokens) Tokens {
	t.Expires = time.Time{}
	return t
}

func TestKnownExpiredTokensRefreshBeforeTheCall(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	old := f.issue(true)
	store.Set("m1", old)
	if err := c.Portal("m1", f.srv.URL).Call(context.Background(), "user.current", nil, nil); err != nil {
		t.Fatal(err)
	}
	calls := f.callsOf("user.current")
	if f.refreshCount() != 1 || len(calls) != 1 || calls[0].Auth == old.Access {
		t.Fatalf("refreshes = %d, calls = %+v", f.refreshCount(), calls)
	}
	// Tokens stored without an access token (only a refresh token) work the same way.
	store.Set("m2", Tokens{Refresh: f.issue(false).Refresh})
	if err := c.Portal("m2", f.srv.URL).Call(context.Background(), "user.current", nil, nil); err != nil {
		t.Fatal(err)
	}
}

func TestTwoClientsRefreshConcurrentlyExactlyOnce(t *testing.T) {
	for _, known := range []bool{false, true} {
		t.Run(fmt.Sprintf("expiry known %v", known), func(t *testing.T) {
			testConcurrentRefresh(t, known)
		})
	}
}

func testConcurrentRefresh(t *testing.T, expiryKnown bool) {
	f := newFakePortal(t)
	f.refreshDelay = 50 * time.Millisecond // widen the race window
	store := NewMemoryTokens()
	toks := f.issue(true)
	if !expiryKnown {
		toks = unknownExpiry(toks)
	}
	store.Set("m1", toks)
	newClient := func() *Client {
		return New(Config{ClientID: fakeClientID, ClientSecret: fakeSecret, OAuthURL: f.srv.URL,
			Tokens: store, Logger: testLogger(t)})
	}
	clients := []*Client{newClient(), newClient()} // two app instances, one database
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			errs <- clients[i%2].Portal("m1", f.srv.URL).Call(context.Background(), "user.current", nil, nil)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := f.refreshCount(); n != 1 {
		t.Fatalf("refreshes = %d, want exactly 1", n)
	}
}

func TestRefreshSurvivesCallerCancellation(t *testing.T) {
	f := newFakePortal(t)
	f.refreshDelay = 100 * time.Millisecond
	c, store := testClient(t, f)
	old := f.issue(true)
	store.Set("m1", old)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	c.Portal("m1", f.srv.URL).Call(ctx, "user.current", nil, nil)
	now, _ := store.Tokens(context.Background(), "m1")
	if now.Refresh == old.Refresh {
		t.Fatal("rotated refresh token was not saved after the caller gave up")
	}
}

func TestLimitAnswersBackOffThenSucceed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply *fakeReply
	}{
		{"503 QUERY_LIMIT_EXCEEDED", errReply(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")},
		{"429 OPERATION_TIME_LIMIT", errReply(429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakePortal(t)
			c, store := testClient(t, f)
			c.cfg.RetryBase, c.cfg.RetryMax = 100*time.Millisecond, 10*time.Second
			var waits []time.Duration
			c.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			store.Set("m1", f.issue(false))
			f.queue("user.current", *tc.reply, *tc.reply, *tc.reply)
			if err := c.Portal("m1", f.srv.URL).Call(context.Background(), "user.current", nil, nil); err != nil {
				t.Fatal(err)
			}
			if len(waits) != 3 || len(f.callsOf("user.current")) != 4 {
				t.Fatalf("waits = %v, calls = %d", waits, len(f.callsOf("user.current")))
			}
			for i, d := range waits {
				full := 100 * time.Millisecond << i
				if d < full/2 || d > full {
					t.Errorf("wait %d = %v, want within [%v, %v]", i, d, full/2, full)
				}
			}
		})
	}
}

func TestBackoffIsBoundedAndHonoursRetryAfter(t *testing.T) {
	c := New(Config{RetryBase: time.Second, RetryMax: 8 * time.Second})
	for attempt := range 40 {
		if d := c.backoff(attempt, 0); d <= 0 || d > 8*time.Second {
			t.Fatalf("backoff(%d) = %v", attempt, d)
		}
	}
	if d := c.backoff(0, 5*time.Second); d != 5*time.Second {
		t.Fatalf("Retry-After ignored: %v", d)
	}
	if d := c.backoff(0, time.Hour); d != 8*time.Second {
		t.Fatalf("Retry-After not capped: %v", d)
	}
}

func TestLimitRetriesGiveUp(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	c.cfg.MaxRetries = 2
	store.Set("m1", f.issue(false))
	for range 5 {
		f.queue("user.current", *errReply(503, "QUERY_LIMIT_EXCEEDED", "Too many requests"))
	}
	err := c.Portal("m1", f.srv.URL).Call(context.Background(), "user.current", nil, nil)
	if !errors.Is(err, ErrRateLimited) || !IsRateLimited(err) {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.callsOf("user.current")); n != 3 {
		t.Fatalf("calls = %d, want 3", n)
	}
}

func TestBackoffStopsWithContext(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	c.cfg.RetryBase, c.cfg.RetryMax = time.Hour, time.Hour
	store.Set("m1", f.issue(false))
	f.queue("user.current", *errReply(503, "QUERY_LIMIT_EXCEEDED", "Too many requests"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := c.Portal("m1", f.srv.URL).Call(ctx, "user.current", nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
}

// countingLimiter records admissions per portal.
type countingLimiter struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *countingLimiter) Wait(_ context.Context, portal string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n[portal]++
	return nil
}

func TestEveryHTTPAttemptPassesTheLimiter(t *testing.T) {
	f := newFakePortal(t)
	lim := &countingLimiter{n: map[string]int{}}
	store := NewMemoryTokens()
	c := New(Config{ClientID: fakeClientID, ClientSecret: fakeSecret, OAuthURL: f.srv.URL, Tokens: store,
		Limiter: lim, RetryBase: time.Millisecond, Logger: testLogger(t)})
	store.Set("m1", unknownExpiry(f.issue(true)))
	f.queue("profile", *errReply(503, "QUERY_LIMIT_EXCEEDED", "Too many requests"))
	f.methods["profile"] = func(Values, int) (any, map[string]any, *fakeReply) { return map[string]any{"ID": "1"}, nil, nil }
	p := c.Portal("m1", f.srv.URL)
	// expired → refresh → retry; then profile: 503 → retry.
	if err := p.Call(context.Background(), "user.current", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Call(context.Background(), "profile", nil, nil); err != nil {
		t.Fatal(err)
	}
	if lim.n["m1"] != 4 {
		t.Fatalf("limiter admissions = %d, want 4", lim.n["m1"])
	}
	// A user-token call without member_id skips the shared limiter.
	if err := c.CallWithToken(context.Background(), f.srv.URL, f.issue(false).Access, "profile", nil, nil); err != nil {
		t.Fatal(err)
	}
	if lim.n[""] != 0 {
		t.Fatal("anonymous call used the limiter")
	}
}

func TestUserTokenCallsNeverRefresh(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	expired := f.issue(true)
	err := c.CallWithToken(context.Background(), f.srv.URL, expired.Access, "user.current", nil, nil)
	if !errors.Is(err, ErrExpiredToken) || f.refreshCount() != 0 {
		t.Fatalf("err = %v, refreshes = %d", err, f.refreshCount())
	}
	if err := c.AsUser("m1", f.srv.URL, "").Call(context.Background(), "user.current", nil, nil); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("empty user token: %v", err)
	}
	if _, err := store.Tokens(context.Background(), "m1"); !errors.Is(err, ErrNoTokens) {
		t.Fatalf("store touched: %v", err)
	}
}

func TestMissingTokensAndBadParams(t *testing.T) {
	f := newFakePortal(t)
	c, _ := testClient(t, f)
	err := c.Portal("nobody", f.srv.URL).Call(context.Background(), "profile", nil, nil)
	if !errors.Is(err, ErrNoTokens) || strings.Count(err.Error(), "bitrix:") != 1 {
		t.Fatalf("err = %v", err)
	}
	if err := c.CallWithToken(context.Background(), f.srv.URL, "t", "profile", []int{1}, nil); err == nil {
		t.Fatal("a JSON array as params must be refused")
	}
}

func TestRequestBodyPutsAuthLast(t *testing.T) {
	b, err := requestBody(Params{"auth": "spoof", "a": "x&y"}, member{"auth", "real"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m["auth"] != "real" || m["a"] != "x&y" {
		t.Fatalf("body = %s", b)
	}
	if b, _ := requestBody(nil, member{"auth", "t"}); string(b) != `{"auth":"t"}` {
		t.Fatalf("body = %s", b)
	}
	if b, _ := requestBody(struct{}{}, member{"auth", "t"}); string(b) != `{"auth":"t"}` {
		t.Fatalf("body = %s", b)
	}
}

// discardLogger drops all logs (benchmarks).
func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestExchangeCode(t *testing.T) {
	f := newFakePortal(t)
	c, _ := testClient(t, f)
	g, err := c.ExchangeCode(context.Background(), "good-code")
	if err != nil {
		t.Fatal(err)
	}
	if g.Access == "" || g.Refresh == "" || g.MemberID != "m1" || g.BaseURL != f.srv.URL || g.UserID != 1 || g.Expires.IsZero() {
		t.Fatalf("grant = %+v", g)
	}
	if _, err := c.ExchangeCode(context.Background(), "stale"); !errors.Is(err, ErrInvalidGrant) {
		t.Fatalf("err = %v", err)
	}
}

func TestRefreshedExpiryUsesOurClock(t *testing.T) {
	// The server's absolute `expires` is an hour behind our clock; expires_in still counts.
	ans := tokenAnswer{AccessToken: "a", RefreshToken: "r", Expires: FlexInt(time.Now().Add(-time.Hour).Unix()), ExpiresIn: 3600}
	now := time.Now()
	if got := ans.tokens(now).Expires; !got.Equal(now.Add(time.Hour)) {
		t.Fatalf("expires = %v", got)
	}
	ans.ExpiresIn = 0
	if got := ans.tokens(now).Expires; got.Unix() != int64(ans.Expires) {
		t.Fatalf("expires without expires_in = %v", got)
	}
}
