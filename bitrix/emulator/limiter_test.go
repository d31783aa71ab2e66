package emulator

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

func TestLeakyBucket(t *testing.T) {
	tp := newTestPortal(t)
	for i := range 50 {
		if a := tp.form("profile", nil); a.status != 200 {
			t.Fatalf("call %d: %d %s", i+1, a.status, a.raw)
		}
	}
	expectError(t, tp.form("profile", nil), 503, "QUERY_LIMIT_EXCEEDED", "Too many requests")

	tp.clock.Advance(time.Second) // drains 2
	expectOK(t, tp.form("profile", nil))
	expectOK(t, tp.form("profile", nil))
	expectError(t, tp.form("profile", nil), 503, "QUERY_LIMIT_EXCEEDED", "")

	tp.clock.Advance(500 * time.Millisecond) // drains 1
	expectOK(t, tp.form("profile", nil))
	expectError(t, tp.form("profile", nil), 503, "QUERY_LIMIT_EXCEEDED", "")

	st := tp.Stats()
	if st.Accepted != 53 || st.Rejected["QUERY_LIMIT_EXCEEDED"] != 3 || st.Requests != 56 {
		t.Fatalf("stats %+v", st)
	}
	if st.MaxPerSecond != 50 || st.PeakLevel != 50 { // windows are half-open: [t, t+1s)
		t.Fatalf("max/s %d peak %v", st.MaxPerSecond, st.PeakLevel)
	}
	// Unbounded: 51 at once; 1 s drains 2 → 49 + 3 = 52; 0.5 s drains 1 → 51 + 2 = 53.
	if st.DemandPeak != 53 {
		t.Fatalf("demand peak %v", st.DemandPeak)
	}
	if got := tp.MaxCallsIn(2 * time.Second); got != 53 {
		t.Fatalf("max in 2s %d", got)
	}
}

func TestEnterpriseBucket(t *testing.T) {
	tp := newTestPortal(t, func(c *Config) { c.Rate, c.Burst = 5, 250 })
	for range 250 {
		if a := tp.form("profile", nil); a.status != 200 {
			t.Fatal(a.raw)
		}
	}
	expectError(t, tp.form("profile", nil), 503, "QUERY_LIMIT_EXCEEDED", "")
	tp.clock.Advance(time.Second)
	for range 5 {
		expectOK(t, tp.form("profile", nil))
	}
	expectError(t, tp.form("profile", nil), 503, "QUERY_LIMIT_EXCEEDED", "")
}

func TestBatchCountsOnceInBucket(t *testing.T) {
	tp := newTestPortal(t, func(c *Config) { c.Burst = 2 })
	v := url.Values{}
	for i := range 10 {
		v.Set("cmd[c"+string(rune('a'+i))+"]", "profile")
	}
	expectOK(t, tp.form("batch", v))
	expectOK(t, tp.form("profile", nil))
	expectError(t, tp.form("profile", nil), 503, "QUERY_LIMIT_EXCEEDED", "")
	if st := tp.Stats(); st.BatchCalls != 10 || st.Methods["batch"] != 1 {
		t.Fatalf("%+v", st)
	}
}

func TestFaults(t *testing.T) {
	tp := newTestPortal(t)
	tp.SetFaults(Faults{ForceRateLimit: true})
	expectError(t, tp.form("profile", nil), 503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
	tp.SetFaults(Faults{ErrorRate: 0.5})
	failed := 0
	for range 40 {
		if tp.form("profile", nil).status == 503 {
			failed++
		}
	}
	if failed < 8 || failed > 32 {
		t.Fatalf("error rate 0.5 gave %d/40 failures", failed)
	}
	if st := tp.Stats(); st.Injected != failed+1 {
		t.Fatalf("injected %d, failed %d", st.Injected, failed)
	}
}

func TestFaultsEndpoint(t *testing.T) {
	tp := newTestPortal(t)
	resp, err := tp.srv.Client().Post(tp.srv.URL+"/emulator/faults", "application/json",
		stringsReader(`{"error_rate":0.25,"latency":"5ms","force_rate_limit":true}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	f := tp.CurrentFaults()
	if f.ErrorRate != 0.25 || f.Latency != 5*time.Millisecond || !f.ForceRateLimit {
		t.Fatalf("%+v", f)
	}
	a := tp.get("/emulator/faults")
	if a.body["latency"] != "5ms" {
		t.Fatal(a.raw)
	}
}

func TestOperatingLimit(t *testing.T) {
	tp := newTestPortal(t, func(c *Config) { c.OperatingLimit = 10 * time.Millisecond })
	tp.SetFaults(Faults{Latency: 6 * time.Millisecond})
	expectOK(t, tp.form("profile", nil))
	expectOK(t, tp.form("profile", nil))
	expectError(t, tp.form("profile", nil), 429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.")
	expectOK(t, tp.form("user.current", nil)) // other methods unaffected
	tp.clock.Advance(10 * time.Minute)
	expectOK(t, tp.form("profile", nil))
}

func TestPortalDeletedFault(t *testing.T) {
	for _, status := range []int{403, 500} {
		tp := newTestPortal(t, func(c *Config) {
			if status != 403 {
				c.PortalDeletedStatus = status
			}
		})
		tp.SetFaults(Faults{PortalDeleted: true})
		expectError(t, tp.form("profile", nil), status, "PORTAL_DELETED", "Portal was deleted")
	}
}

func TestConfigurableConflicts(t *testing.T) {
	tp := newTestPortal(t, func(c *Config) {
		c.EventDuplicateStatus = 200
		c.InvalidTokenDescription = "Unable to get application by token"
	})
	bind := url.Values{"event": {"ONCRMLEADADD"}, "handler": {"https://x"}}
	expectOK(t, tp.form("event.bind", bind))
	expectError(t, tp.form("event.bind", bind), 200, "ERROR_HANDLER_ALREADY_EXIST", "")
	expectError(t, tp.get("/rest/profile?auth=zzz"), 401, "invalid_token", "Unable to get application by token")
}

// TestFaultsTreatABatchAsOneRequest: an injected 503, token expiry and
// latency hit the batch request as a whole, never single commands.
func TestFaultsTreatABatchAsOneRequest(t *testing.T) {
	tp := newTestPortal(t)
	v := url.Values{}
	for i := range 10 {
		v.Set(fmt.Sprintf("cmd[c%d]", i), "profile")
	}
	tp.SetFaults(Faults{ErrorRate: 1})
	expectError(t, tp.form("batch", v), 503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
	if st := tp.Stats(); st.BatchCalls != 0 || st.Injected != 1 {
		t.Fatalf("a refused batch runs nothing and counts once: %+v", st)
	}

	tp.SetFaults(Faults{ExpireTokensEvery: 10 * time.Minute})
	a := tp.form("batch", v)
	expectOK(t, a)
	if errs, ok := a.resultMap()["result_error"].([]any); !ok || len(errs) != 0 {
		t.Fatalf("a valid token serves every command: %s", a.raw)
	}
	tp.clock.Advance(10 * time.Minute)
	expectError(t, tp.form("batch", v), 401, "expired_token", "")

	tp.token, _ = tp.IssueToken(1)
	tp.SetFaults(Faults{Latency: 40 * time.Millisecond})
	started := time.Now()
	expectOK(t, tp.form("batch", v))
	if d := time.Since(started); d < 40*time.Millisecond || d >= 400*time.Millisecond {
		t.Fatalf("latency is added once per batch request: took %v", d)
	}
}

// TestBatchCommandsCountAgainstTheOperatingLimit: [D] limits.md, the outer
// batch is not counted, its commands are, per method.
func TestBatchCommandsCountAgainstTheOperatingLimit(t *testing.T) {
	tp := newTestPortal(t, func(c *Config) { c.OperatingLimit = 10 * time.Millisecond })
	tp.SetFaults(Faults{Latency: 8 * time.Millisecond}) // spread over the batch's commands
	v := url.Values{}
	for i := range 4 {
		v.Set(fmt.Sprintf("cmd[p%d]", i), "profile")
	}
	v.Set("cmd[u]", "user.current")  // 5 commands: 1.6 ms each
	expectOK(t, tp.form("batch", v)) // profile: 6.4 ms
	a := tp.form("batch", v)         // 8.0, 9.6, 11.2: the 4th profile is refused
	expectOK(t, a)
	errs := a.resultMap()["result_error"].(map[string]any)
	if len(errs) != 1 || errs["p3"].(map[string]any)["error"] != "OPERATION_TIME_LIMIT" || errs["u"] != nil {
		t.Fatalf("the 4th profile is over the limit, user.current is not: %s", a.raw)
	}
	expectError(t, tp.form("profile", nil), 429, "OPERATION_TIME_LIMIT", "")
	expectOK(t, tp.form("batch", url.Values{"cmd[u]": {"user.current"}}))
	tp.clock.Advance(10 * time.Minute)
	expectOK(t, tp.form("profile", nil))
}
