package graphemu

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testVersion = "v23.0"
	testNumber  = "1122334455667"
	testDisplay = "15550001111"
	testToken   = "wa-token-1"
	testSecret  = "wa-app-secret"
	testIG      = "17841400000000001"
	testIGToken = "ig-token-1"
	testIGSec   = "ig-app-secret"
	testClient  = "79990001122"
)

// received is one webhook POST seen by the receiver.
type received struct {
	Body      []byte
	Signature string
	CT        string
}

// receiver is an app stand-in that verifies signatures like an adapter must.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	secret map[string]string // object → app secret

	mu      sync.Mutex
	got     []received
	failN   int // answer 500 to this many next requests
	badSigs int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{t: t, secret: map[string]string{"whatsapp_business_account": testSecret, "instagram": testIGSec}}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var env struct {
			Object string `json:"object"`
		}
		_ = json.Unmarshal(body, &env)
		mac := hmac.New(sha256.New, []byte(rc.secret[env.Object]))
		mac.Write(body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Hub-Signature-256"))) {
			rc.badSigs++
			w.WriteHeader(http.StatusForbidden)
			return
		}
		if rc.failN > 0 {
			rc.failN--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		rc.got = append(rc.got, received{Body: body, Signature: r.Header.Get("X-Hub-Signature-256"), CT: r.Header.Get("Content-Type")})
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) failNext(n int) {
	rc.mu.Lock()
	rc.failN = n
	rc.mu.Unlock()
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// waHook is a decoded WhatsApp webhook, loosely typed for assertions.
type waHook struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string         `json:"field"`
			Value map[string]any `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// statusesOf returns "id:status" of every status webhook received.
func (rc *receiver) statuses() []map[string]any {
	var out []map[string]any
	for _, g := range rc.all() {
		var h waHook
		if json.Unmarshal(g.Body, &h) != nil || h.Object != "whatsapp_business_account" {
			continue
		}
		for _, en := range h.Entry {
			for _, ch := range en.Changes {
				sts, _ := ch.Value["statuses"].([]any)
				for _, s := range sts {
					out = append(out, s.(map[string]any))
				}
			}
		}
	}
	return out
}

// statusSeq lists the statuses received for one message id, in order.
func (rc *receiver) statusSeq(id string) []string {
	var seq []string
	for _, s := range rc.statuses() {
		if s["id"] == id {
			seq = append(seq, s["status"].(string))
		}
	}
	return seq
}

// fakeClock is an adjustable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fixture is an emulator on a real HTTP server with one number and one IG
// account whose webhooks go to a verifying receiver.
type fixture struct {
	emu   *Emulator
	srv   *httptest.Server
	rc    *receiver
	clock *fakeClock
}

func newFixture(t *testing.T, mutate ...func(*Config, *Number)) *fixture {
	t.Helper()
	rc := newReceiver(t)
	clock := &fakeClock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	cfg := Config{Version: testVersion, Now: clock.Now, RetryDelays: []time.Duration{20 * time.Millisecond, 40 * time.Millisecond}, MediaDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)}
	n := Number{PhoneNumberID: testNumber, DisplayPhone: testDisplay, Name: "Acme Shop", AccessToken: testToken,
		AppSecret: testSecret, WebhookURL: rc.srv.URL + "/hooks/whatsapp"}
	for _, m := range mutate {
		m(&cfg, &n)
	}
	emu := New(cfg)
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	emu.cfg.PublicURL = srv.URL
	srv.Config.Handler = emu.Handler()
	t.Cleanup(func() {
		emu.Close()
		srv.Close()
	})
	emu.AddWhatsAppNumber(n)
	emu.AddInstagramAccount(IGAccount{ID: testIG, Username: "acme", AccessToken: testIGToken, AppSecret: testIGSec,
		WebhookURL: rc.srv.URL + "/hooks/instagram"})
	return &fixture{emu: emu, srv: srv, rc: rc, clock: clock}
}

// call performs a Graph API request and decodes the JSON answer.
func (f *fixture) call(t *testing.T, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, f.srv.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: non-JSON answer %d: %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

// sendText sends a business text through the Graph API and returns the wamid.
func (f *fixture) sendText(t *testing.T, to, body string) string {
	t.Helper()
	code, out := f.call(t, "POST", "/"+testVersion+"/"+testNumber+"/messages", testToken, map[string]any{
		"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text",
		"text": map[string]any{"body": body},
	})
	if code != 200 {
		t.Fatalf("send: %d %v", code, out)
	}
	return out["messages"].([]any)[0].(map[string]any)["id"].(string)
}

// sseStream is an open phone page event stream.
type sseStream struct {
	cancel context.CancelFunc
	events chan [2]string
}

// openPhone connects to the phone event stream like the page does.
func (f *fixture) openPhone(t *testing.T, account, client string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/phone/api/events?account="+account+"&client="+client, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events content type %q", ct)
	}
	s := &sseStream{cancel: cancel, events: make(chan [2]string, 100)}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var name string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				s.events <- [2]string{name, strings.TrimPrefix(line, "data: ")}
			}
		}
		close(s.events)
	}()
	t.Cleanup(s.close)
	return s
}

func (s *sseStream) close() { s.cancel() }

// next returns the next event of the given name within 5 s.
func (s *sseStream) next(t *testing.T, name string) string {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatalf("stream closed waiting for %s", name)
			}
			if ev[0] == name {
				return ev[1]
			}
		case <-timeout:
			t.Fatalf("no %s event", name)
		}
	}
}
