package inbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"switchboard/bitrix"
	"switchboard/bitrix/emulator"
	"switchboard/channels"
	"switchboard/channels/whatsapp"
	"switchboard/db"
	"switchboard/db/pgtest"
	"switchboard/inbox"
)

// The fault test's app instances are this test binary run again as a
// worker (faultWorkerEnv set): a real process, so one can be SIGKILLed
// mid-batch.
const faultWorkerEnv = "SB_FAULT_WORKER"

// Its portal allows faultRate calls a second (an Enterprise portal's is 5;
// more keeps the test short) with a burst of faultBurst.
const (
	faultRate  = 20
	faultBurst = 50
)

// runFaultWorker is the body of a worker process: the outbox worker of
// one app instance, until it is killed.
func runFaultWorker() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	conn, err := db.Open(ctx, os.Getenv("SB_FAULT_DSN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	store := db.New(conn)
	in := inbox.New(store, []channels.Transport{&whatsapp.Transport{}}, log)
	in.Portal = &inbox.Portal{AllowLocal: true, Client: bitrix.New(bitrix.Config{
		ClientID: "local.sb", ClientSecret: "s3cret", OAuthURL: os.Getenv("SB_FAULT_OAUTH"),
		Tokens:  inbox.PortalTokens{Store: store},
		Limiter: inbox.PortalLimiter{Store: store, Rate: faultRate, Burst: faultBurst - 5}, Logger: log,
	})}
	in.Texts = func(lang, key string, args ...any) string { return fmt.Sprint(append([]any{key}, args...)...) }
	for range 4 { // an instance runs four workers, as serve does
		go in.RunWorker(ctx)
	}
	<-ctx.Done()
	os.Exit(0)
}

// The CRM mirror under faults: 20% of REST calls refused with 503, tokens
// expiring every 3 seconds, two app instances, one SIGKILLed mid-batch and
// started again. 2,000 messages from 200 clients, half of them unknown:
// exactly one entity per unknown client, exactly 2,000 comments, in order
// per entity, none twice.
func TestCRMMirrorUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault test runs for about a minute")
	}
	ctx := context.Background()
	srv := httptest.NewUnstartedServer(nil)
	portal := emulator.New(emulator.Config{Domain: srv.Listener.Addr().String(), MemberID: "fault", ClientID: "local.sb",
		ClientSecret: "s3cret", Rate: faultRate, Burst: faultBurst, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv.Config.Handler = portal.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	for id := 1; id <= 3; id++ {
		portal.AddUser(emulator.User{ID: id, Name: fmt.Sprintf("Manager%d", id), Admin: id == 1})
	}
	dsn := pgtest.DSN(t)
	conn, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	store := db.New(conn)
	access, refresh := portal.IssueToken(1)
	expires := time.Now().Add(time.Hour)
	portalID, err := store.UpsertPortal(ctx, db.Portal{Domain: srv.Listener.Addr().String(), MemberID: "fault", BaseURL: srv.URL,
		AccessToken: access, RefreshToken: refresh, TokenExpiresAt: &expires, ApplicationToken: "app-token"})
	if err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 3; id++ {
		if _, err := store.UpsertUser(ctx, db.User{PortalID: portalID, BitrixUserID: id, Name: fmt.Sprint("Manager", id), CanUseApp: true}); err != nil {
			t.Fatal(err)
		}
	}
	chID, err := store.UpsertChannel(ctx, db.Channel{PortalID: portalID, Transport: channels.WhatsApp, ExternalID: "pn-fault", Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := store.Channel(ctx, portalID, chID)
	phone := func(c int) string { return fmt.Sprintf("7999%07d", c) }
	known := map[string]int{} // phone → seeded contact
	for c := range 100 {
		known[phone(c)] = portal.SeedContact(emulator.Contact{Name: "Known", Phones: []string{"+" + phone(c)}, AssignedByID: 2})
	}
	// The app side that stores webhooks (no worker: the two instances below work).
	in := inbox.New(store, []channels.Transport{&whatsapp.Transport{}}, nil)
	in.Portal = &inbox.Portal{Client: bitrix.New(bitrix.Config{ClientID: "local.sb", ClientSecret: "s3cret", OAuthURL: srv.URL,
		Tokens: inbox.PortalTokens{Store: store}, Limiter: inbox.PortalLimiter{Store: store, Rate: faultRate, Burst: faultBurst - 5}})}
	start := time.Now().Add(-time.Hour)
	for round := range 10 {
		var msgs []channels.Message
		for c := range 200 {
			msgs = append(msgs, channels.Message{ProviderID: fmt.Sprintf("wamid.%d.%d", c, round), Direction: channels.Inbound,
				Peer: channels.Peer{ID: phone(c), Phone: phone(c)}, Kind: channels.KindText, Text: fmt.Sprintf("msg %d", round),
				SentAt: start.Add(time.Duration(round*200+c) * time.Second)})
		}
		if _, err := in.Ingest(ctx, ch, &channels.Webhook{Messages: msgs}); err != nil {
			t.Fatal(err)
		}
	}
	portal.SetFaults(emulator.Faults{ErrorRate: 0.2, ExpireTokensEvery: 3 * time.Second})

	worker := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), faultWorkerEnv+"=1", "SB_FAULT_DSN="+dsn, "SB_FAULT_OAUTH="+srv.URL)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd
	}
	began := time.Now()
	a, _ := worker(), worker()
	comments := func() int {
		var n int
		if err := store.DB.Get(&n, `SELECT count(*) FROM timeline_comments WHERE comment_id IS NOT NULL`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	waitUntil(t, 3*time.Minute, "300 comments before the kill", func() bool { return comments() >= 300 })
	if err := a.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = a.Wait()
	worker()
	waitUntil(t, 5*time.Minute, "every message mirrored", func() bool {
		var queued, unlinked int
		_ = store.DB.Get(&queued, `SELECT count(*) FROM timeline_queue`)
		_ = store.DB.Get(&unlinked, `SELECT count(*) FROM clients WHERE crm_state = 'new'`)
		return queued == 0 && unlinked == 0
	})
	took := time.Since(began)

	// One entity per unknown client; the known ones got none.
	perPhone := map[string]int{}
	for _, id := range portal.EntityIDs("contact") {
		c, _ := portal.Entity("contact", id)
		for _, p := range phonesIn(c) {
			perPhone[p]++
		}
	}
	for c := range 200 {
		if perPhone[phone(c)] != 1 {
			t.Errorf("client %s has %d contacts, want 1", phone(c), perPhone[phone(c)])
		}
	}
	// Exactly 2,000 comments, none twice, in order per entity.
	total := 0
	marker := regexp.MustCompile(`Switchboard · #(\d+)`)
	for _, id := range portal.EntityIDs("contact") {
		last := int64(0)
		for _, e := range portal.Timeline("contact", id) { // newest first
			m := marker.FindStringSubmatch(e.Comment)
			if m == nil {
				continue
			}
			total++
			n, _ := strconv.ParseInt(m[1], 10, 64)
			if last != 0 && n >= last {
				t.Errorf("contact %d: message %d shown after %d: out of order or twice", id, n, last)
			}
			last = n
		}
	}
	if total != 2000 {
		t.Errorf("%d comments in the timelines, want 2000", total)
	}
	st := portal.Stats()
	t.Logf("drained 2000 comments and 200 clients in %v: %d REST requests (%d accepted, %d injected 503s, %d OAuth grants), "+
		"%.1f accepted requests/s against the portal's %d/s", took.Round(time.Second), st.Requests, st.Accepted, st.Injected,
		st.OAuthGrants, float64(st.Accepted)/took.Seconds(), faultRate)
}

// phonesIn reads a contact's phone digits from the emulator's view.
func phonesIn(c map[string]any) []string {
	b, _ := json.Marshal(c["PHONE"])
	var list []struct {
		Value string `json:"VALUE"`
	}
	_ = json.Unmarshal(b, &list)
	var out []string
	for _, m := range list {
		out = append(out, inbox.Digits(m.Value))
	}
	return out
}

func waitUntil(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
