package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"switchboard/bitrix/emulator"
	"switchboard/channels/graphemu"
	"switchboard/db"
	"switchboard/db/pgcluster"
	"switchboard/handlers"
)

// demoNumber is a seeded WhatsApp channel and its number in the emulator.
type demoNumber struct {
	name, phoneNumberID, display, token string
}

var demoNumbers = []demoNumber{
	{"Sales", "106540352242922", "15550001001", "demo-token-sales"},
	{"Promotion", "106540352242923", "15550001002", "demo-token-promotion"},
}

const demoAppSecret = "demo-app-secret"

// demoMemberID is the emulated portal's member_id.
const demoMemberID = "demo0switchboard0portal"

// Our app's credentials in the emulated portal.
const (
	demoClientID     = "local.switchboard"
	demoClientSecret = "demo-client-secret"
)

// demoEnv is a running demo: the app, the Graph API emulator and the
// Bitrix24 portal emulator, talking to each other over HTTP.
type demoEnv struct {
	app       *app
	emu       *graphemu.Emulator
	portal    *emulator.Portal
	appURL    string
	graphURL  string
	bitrixURL string
	portalID  int64
	ready     chan struct{} // closed once the app is installed and channels seeded
}

// demo runs what `make run` serves: a local PostgreSQL when DATABASE_URL is
// unset, the app, the Graph API emulator with its client phone page, and
// the Bitrix24 portal emulator with the app installed.
func demo(ctx context.Context, cfg config, log *slog.Logger) error {
	if cfg.DatabaseURL == "" {
		dsn, stop, err := localDatabase(ctx, cfg.DataDir, log)
		if err != nil {
			return err
		}
		defer stop()
		cfg.DatabaseURL = dsn
	}
	var lns []net.Listener
	for _, addr := range []string{cfg.Addr, cfg.GraphAddr, cfg.BitrixAddr} {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, l := range lns {
				l.Close()
			}
			return err
		}
		lns = append(lns, ln)
	}
	urls := demoURLs{
		app:    "http://localhost" + portOf(lns[0].Addr().String()),
		graph:  "http://localhost" + portOf(lns[1].Addr().String()),
		bitrix: "http://localhost" + portOf(lns[2].Addr().String()),
	}
	env, err := startDemo(ctx, cfg, log, urls)
	if err != nil {
		for _, l := range lns {
			l.Close()
		}
		return err
	}
	go func() {
		select {
		case <-env.ready:
			fmt.Printf("\nSwitchboard demo is running:\n  Bitrix24 portal (manager)  %s\n  client phone               %s\n  app (direct)               %s\nPress Ctrl+C to stop.\n\n",
				env.bitrixURL, env.graphURL, env.appURL)
		case <-ctx.Done():
		}
	}()
	return env.run(ctx, cfg, lns[0], lns[1], lns[2], log)
}

// demoURLs are where the demo's three servers are reached.
type demoURLs struct{ app, graph, bitrix string }

// startDemo migrates the database and wires the app and both emulators to
// each other at the given URLs.
func startDemo(ctx context.Context, cfg config, log *slog.Logger, urls demoURLs) (*demoEnv, error) {
	env := &demoEnv{appURL: urls.app, graphURL: urls.graph, bitrixURL: urls.bitrix, ready: make(chan struct{})}
	secret, err := cfg.secret(true)
	if err != nil {
		return nil, err
	}
	cfg.PublicURL = env.appURL
	cfg.BitrixClientID, cfg.BitrixClientSecret, cfg.BitrixOAuthURL = demoClientID, demoClientSecret, env.bitrixURL
	cfg.BX24ScriptURL = env.bitrixURL + "/bx24.js"
	cfg.BitrixAllowLocal = true // the emulated portal is plain http on this machine
	// The Graph API emulator serves media over plain http on this machine.
	cfg.MediaAllowHosts = []string{strings.TrimPrefix(env.graphURL, "http://")}
	env.app, err = openApp(ctx, cfg, handlers.Config{Secret: secret, PortalURL: env.bitrixURL}, log)
	if err != nil {
		return nil, err
	}
	// The phone page starts as Ivan Kuznetsov, a contact of the emulated
	// portal's CRM: his dialog shows in his deal and contact cards too.
	env.app.inbox.GraphAPI = env.graphURL + "/v23.0" // channels added on the settings page
	env.emu = graphemu.New(graphemu.Config{PublicURL: env.graphURL, Logger: log,
		PhoneClient: "79991234567", PhoneClientName: "Ivan Kuznetsov"})
	env.portal = emulator.New(emulator.Config{
		Domain:       strings.TrimPrefix(env.bitrixURL, "http://"),
		MemberID:     demoMemberID, // the same portal after a restart: the demo's data survives it
		ClientID:     demoClientID,
		ClientSecret: demoClientSecret,
		AppHandlers:  emulator.AppHandlerURLs{Install: env.appURL + handlers.PathInstall, App: env.appURL + handlers.PathPlacement},
		Language:     "ru",
		Logger:       log,
	})
	env.portal.SeedDemo()
	return env, nil
}

// setUp installs the app into the emulated portal, as an admin would, and
// connects the demo's WhatsApp numbers to the installed portal.
func (env *demoEnv) setUp(ctx context.Context) error {
	if err := env.portal.Install(ctx); err != nil {
		return fmt.Errorf("demo: installing the app into the emulated portal: %w", err)
	}
	store := env.app.store
	p, err := store.PortalByMemberID(ctx, env.portal.MemberID())
	if err != nil {
		return fmt.Errorf("demo: the install did not store the portal: %w", err)
	}
	env.portalID = p.ID
	for _, n := range demoNumbers {
		id, err := store.UpsertChannel(ctx, db.Channel{
			PortalID: p.ID, Transport: "whatsapp", ExternalID: n.phoneNumberID, Name: n.name,
			AccessToken: n.token, AppSecret: demoAppSecret, VerifyToken: "demo-verify", APIBase: env.graphURL + "/v23.0",
		})
		if err != nil {
			return err
		}
		if err := store.SetChannelBusiness(ctx, p.ID, id, demoBusinessID(n.phoneNumberID)); err != nil {
			return err
		}
		env.emu.AddWhatsAppNumber(graphemu.Number{
			PhoneNumberID: n.phoneNumberID, DisplayPhone: n.display, Name: n.name, AccessToken: n.token,
			AppSecret: demoAppSecret, WebhookURL: env.appURL + "/hooks/whatsapp/" + strconv.FormatInt(id, 10),
			WABAID: demoBusinessID(n.phoneNumberID), Templates: demoTemplates,
		})
		// As the admin would in Meta's dashboard: the callback is checked.
		if err := env.emu.VerifyWebhook(ctx, n.phoneNumberID, "demo-verify"); err != nil {
			return fmt.Errorf("demo: the webhook handshake of %s: %w", n.name, err)
		}
	}
	if err := env.seedMediaChannels(ctx); err != nil {
		return err
	}
	close(env.ready)
	return nil
}

// run serves the app and both emulators until ctx ends, setting the demo up
// once they listen.
func (env *demoEnv) run(ctx context.Context, cfg config, appLn, graphLn, bitrixLn net.Listener, log *slog.Logger) error {
	defer env.emu.Close()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return env.app.run(ctx, cfg, appLn, log) })
	g.Go(func() error { return serveOn(ctx, "graph-emulator", graphLn, env.emu.Handler(), log) })
	g.Go(func() error { return serveOn(ctx, "bitrix-emulator", bitrixLn, env.portal.Handler(), log) })
	g.Go(func() error { return env.setUp(ctx) })
	return g.Wait()
}

// localDatabase starts (creating on first use) the cluster under
// dataDir/pg and returns the DSN of its "switchboard" database, made anew.
func localDatabase(ctx context.Context, dataDir string, log *slog.Logger) (string, func(), error) {
	dir, err := pgcluster.LocalDir(filepath.Join(dataDir, "pg"))
	if err != nil {
		return "", nil, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", nil, err
	}
	logFile, err := os.OpenFile(filepath.Join(dataDir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return "", nil, err
	}
	log.Info("starting the local PostgreSQL", "dir", dir)
	cluster, err := pgcluster.Start(ctx, dir, pgcluster.Options{Log: logFile})
	if err != nil {
		logFile.Close()
		return "", nil, err
	}
	stop := func() {
		cluster.Stop()
		logFile.Close()
	}
	admin, err := sqlx.Open("postgres", cluster.DSN("postgres"))
	if err != nil {
		stop()
		return "", nil, err
	}
	defer admin.Close()
	// The demo starts from an empty database every time: its emulated portal
	// and Graph API keep their state in memory only, and a database kept
	// from the run before names a bot, leads and chats the new portal does
	// not have (the settings page failed on the bot, the CRM sync on every
	// lead).
	for _, stmt := range []string{`DROP DATABASE IF EXISTS switchboard WITH (FORCE)`, `CREATE DATABASE switchboard`} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			stop()
			return "", nil, fmt.Errorf("local database: %w", err)
		}
	}
	return cluster.DSN("switchboard"), stop, nil
}
