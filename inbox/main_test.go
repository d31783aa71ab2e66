package inbox_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"switchboard/channels"
	"switchboard/channels/graphemu"
	"switchboard/channels/instagram"
	"switchboard/channels/whatsapp"
	"switchboard/db"
	"switchboard/db/pgtest"
	"switchboard/inbox"
	"switchboard/inbox/inboxtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(faultWorkerEnv) != "" {
		runFaultWorker() // this process is an app instance of the fault test
	}
	pgtest.Main(m)
}

const (
	phoneID   = "100200300"
	token     = "token-sales"
	appSecret = "secret-sales"
	clientWA  = "79990001122"
	downHost  = "127.0.0.1:1" // nothing listens there
)

// rig is one portal with a WhatsApp channel whose number lives in a Graph
// API emulator over real HTTP.
type rig struct {
	in      *inbox.Inbox
	clock   *inboxtest.Clock // the Inbox's: due work moves only with it
	store   *db.Store
	emu     *graphemu.Emulator
	channel db.Channel
	viewer  inbox.Viewer
	hooks   chan []byte // webhook bodies the emulator delivered
	hookURL string      // where the emulator delivers them
	dsn     string      // the database, for a second instance of the app
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dsn := pgtest.DSN(t)
	conn, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	r := &rig{store: db.New(conn), dsn: dsn, hooks: make(chan []byte, 100)}
	graph := httptest.NewUnstartedServer(nil)
	// The emulator serves files over plain http on loopback, which only an
	// allowed host may; downHost answers nobody, for a download that keeps
	// failing.
	allow := []string{graph.Listener.Addr().String(), downHost}
	r.in = inbox.New(r.store, []channels.Transport{&whatsapp.Transport{AllowMediaHosts: allow}, &instagram.Transport{AllowMediaHosts: allow}}, log)
	r.in.Blobs = inbox.NewDisk(t.TempDir())
	r.clock = inboxtest.Use(r.in)

	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.hooks <- body
	}))
	t.Cleanup(receiver.Close)
	r.hookURL = receiver.URL
	r.emu = graphemu.New(graphemu.Config{PublicURL: "http://" + graph.Listener.Addr().String(), Logger: log})
	graph.Config.Handler = r.emu.Handler()
	graph.Start()
	t.Cleanup(func() { graph.Close(); r.emu.Close() })
	r.emu.AddWhatsAppNumber(graphemu.Number{PhoneNumberID: phoneID, DisplayPhone: "15550001001", Name: "Sales",
		AccessToken: token, AppSecret: appSecret, WebhookURL: receiver.URL})

	portal, err := r.store.UpsertPortal(ctx, db.Portal{Domain: "a.bitrix24.test", MemberID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := r.store.UpsertUser(ctx, db.User{PortalID: portal, BitrixUserID: 1, Name: "Anna", CanUseApp: true})
	if err != nil {
		t.Fatal(err)
	}
	r.viewer = inbox.Viewer{PortalID: portal, UserID: u.ID}
	chID, err := r.store.UpsertChannel(ctx, db.Channel{PortalID: portal, Transport: channels.WhatsApp, ExternalID: phoneID,
		Name: "Sales", AccessToken: token, AppSecret: appSecret, APIBase: "http://" + graph.Listener.Addr().String() + "/v23.0"})
	if err != nil {
		t.Fatal(err)
	}
	if r.channel, err = r.store.Channel(ctx, portal, chID); err != nil {
		t.Fatal(err)
	}
	return r
}

// deliver feeds one webhook body to Ingest the way the handler does.
func (r *rig) deliver(t *testing.T, body []byte) inbox.IngestResult {
	t.Helper()
	hook, err := r.in.Transports[channels.WhatsApp].ParseWebhook(inbox.Account(r.channel), signed(body), body)
	if err != nil {
		t.Fatalf("parse webhook: %v", err)
	}
	res, err := r.in.Ingest(context.Background(), r.channel, hook)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return res
}

// nextHook waits for the emulator's next webhook.
func (r *rig) nextHook(t *testing.T) []byte {
	t.Helper()
	select {
	case b := <-r.hooks:
		return b
	case <-timeout():
		t.Fatal("no webhook from the emulator")
		return nil
	}
}
