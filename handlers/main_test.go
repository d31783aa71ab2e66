package handlers_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
	"switchboard/db"
	"switchboard/db/pgtest"
	"switchboard/handlers"
	"switchboard/inbox"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const appSecret = "secret-sales"

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// app is the HTTP side over a fresh database with one portal and channel.
type app struct {
	srv     *httptest.Server
	store   *db.Store
	logs    *syncBuffer
	channel db.Channel
	hookURL string
}

func newApp(t testing.TB) *app {
	t.Helper()
	ctx := context.Background()
	a := &app{store: db.New(pgtest.New(t)), logs: &syncBuffer{}}
	log := slog.New(slog.NewTextHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	in := inbox.New(a.store, []channels.Transport{&whatsapp.Transport{}}, log)
	portal, err := a.store.UpsertPortal(ctx, db.Portal{Domain: "a.bitrix24.test", MemberID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := a.store.UpsertChannel(ctx, db.Channel{PortalID: portal, Transport: "whatsapp", ExternalID: "100200300",
		Name: "Sales", AppSecret: appSecret, VerifyToken: "verify-me", AccessToken: "t"})
	if err != nil {
		t.Fatal(err)
	}
	a.channel, _ = a.store.Channel(ctx, portal, id)
	server := handlers.New(handlers.Config{Secret: bytes.Repeat([]byte("k"), 32), Sessions: in.Store.DB.DB}, in, inbox.NewHub(in), log)
	a.srv = httptest.NewServer(server.Routes())
	t.Cleanup(func() { server.Close(); a.srv.Close() })
	a.hookURL = a.srv.URL + "/hooks/whatsapp/" + strconv.FormatInt(id, 10)
	return a
}

func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (a *app) post(t testing.TB, body []byte, signature string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.hookURL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-Hub-Signature-256", signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (a *app) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := a.store.DB.Get(&n, `SELECT count(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}
