package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// testPortal is a portal on a real HTTP server with a manual clock, an
// admin (1) and a manager (2).
type testPortal struct {
	*Portal
	t     *testing.T
	srv   *httptest.Server
	clock *ManualClock
	token string // admin app token
}

func newTestPortal(t *testing.T, mutate ...func(*Config)) *testPortal {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	clock := NewManualClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	cfg := Config{Domain: srv.Listener.Addr().String(), Clock: clock.Now, Seed: 7}
	for _, m := range mutate {
		m(&cfg)
	}
	p := New(cfg)
	srv.Config.Handler = p.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	p.AddUser(User{ID: 1, Name: "Anna", LastName: "Admin", Email: "anna@example.com", Admin: true, Photo: "https://cdn.example.com/anna.png"})
	p.AddUser(User{ID: 2, Name: "Mark", LastName: "Manager", Email: "mark@example.com"})
	access, _ := p.IssueToken(1)
	return &testPortal{Portal: p, t: t, srv: srv, clock: clock, token: access}
}

// answer is a decoded REST answer.
type answer struct {
	status int
	body   map[string]any
	raw    string
}

func (a answer) result() any { return a.body["result"] }

func (a answer) resultMap() map[string]any {
	m, _ := a.body["result"].(map[string]any)
	return m
}

func (a answer) resultList() []any {
	l, _ := a.body["result"].([]any)
	return l
}

func (tp *testPortal) do(req *http.Request) answer {
	tp.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tp.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, raw: string(data)}
	if err := json.Unmarshal(data, &a.body); err != nil {
		tp.t.Fatalf("answer is not a JSON object: %v: %s", err, data)
	}
	return a
}

// form calls a method by POST form with the admin token unless auth is set.
func (tp *testPortal) form(method string, params url.Values) answer {
	tp.t.Helper()
	if params == nil {
		params = url.Values{}
	}
	if _, ok := params["auth"]; !ok {
		params.Set("auth", tp.token)
	}
	req, _ := http.NewRequest(http.MethodPost, tp.srv.URL+"/rest/"+method, strings.NewReader(params.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return tp.do(req)
}

// json calls a method with a JSON body; the token goes in auth.
func (tp *testPortal) json(method string, body string) answer {
	tp.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, tp.srv.URL+"/rest/"+method+".json?auth="+url.QueryEscape(tp.token), strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return tp.do(req)
}

func (tp *testPortal) get(path string) answer {
	tp.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, tp.srv.URL+path, nil)
	return tp.do(req)
}

func expectError(t *testing.T, a answer, status int, code any, desc string) {
	t.Helper()
	if a.status != status || a.body["error"] != code {
		t.Fatalf("want %d %v, got %d %s", status, code, a.status, a.raw)
	}
	if desc != "" && a.body["error_description"] != desc {
		t.Fatalf("want description %q, got %q", desc, a.body["error_description"])
	}
	if _, ok := a.body["time"]; ok {
		t.Fatalf("errors carry no time: %s", a.raw)
	}
}

func expectOK(t *testing.T, a answer) {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("want 200, got %d %s", a.status, a.raw)
	}
	if _, ok := a.body["result"]; !ok {
		t.Fatalf("no result: %s", a.raw)
	}
	tm, ok := a.body["time"].(map[string]any)
	if !ok {
		t.Fatalf("no time: %s", a.raw)
	}
	for _, k := range []string{"start", "finish", "duration", "processing", "date_start", "date_finish", "operating_reset_at", "operating"} {
		if _, ok := tm[k]; !ok {
			t.Fatalf("time lacks %s: %s", k, a.raw)
		}
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func httptestServer(t *testing.T, p *Portal) string {
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}
