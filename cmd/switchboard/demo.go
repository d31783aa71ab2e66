package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"switchboard/channels/graphemu"
	"switchboard/db"
	"switchboard/db/pgcluster"
	"switchboard/handlers"
)

// demoPortal is the seeded portal's member_id.
const demoPortal = "demo-portal"

// demoManagers are the seeded portal's managers.
var demoManagers = []db.User{
	{BitrixUserID: 1, Name: "Anna Smirnova", IsAdmin: true, CanUseApp: true},
	{BitrixUserID: 2, Name: "Boris Volkov", CanUseApp: true},
	{BitrixUserID: 3, Name: "Maria Orlova", CanUseApp: true},
}

// demoNumber is a seeded WhatsApp channel and its number in the emulator.
type demoNumber struct {
	name, phoneNumberID, display, token string
}

var demoNumbers = []demoNumber{
	{"Sales", "106540352242922", "15550001001", "demo-token-sales"},
	{"Promotion", "106540352242923", "15550001002", "demo-token-promotion"},
}

const demoAppSecret = "demo-app-secret"

// demoEnv is a running demo: the app and the Graph API emulator.
type demoEnv struct {
	app      *app
	emu      *graphemu.Emulator
	appURL   string
	graphURL string
	portalID int64
}

// demo runs what `make run` serves: a local PostgreSQL when DATABASE_URL is
// unset, the app, and the Graph API emulator with its client phone page.
func demo(ctx context.Context, cfg config, log *slog.Logger) error {
	if cfg.DatabaseURL == "" {
		dsn, stop, err := localDatabase(ctx, cfg.DataDir, log)
		if err != nil {
			return err
		}
		defer stop()
		cfg.DatabaseURL = dsn
	}
	appLn, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	graphLn, err := net.Listen("tcp", cfg.GraphAddr)
	if err != nil {
		appLn.Close()
		return err
	}
	env, err := startDemo(ctx, cfg, log, appLn, graphLn)
	if err != nil {
		appLn.Close()
		graphLn.Close()
		return err
	}
	fmt.Printf("\nSwitchboard demo is running:\n  app (manager)   %s\n  client phone    %s\nPress Ctrl+C to stop.\n\n", env.appURL, env.graphURL)
	return env.run(ctx, cfg, appLn, graphLn, log)
}

// startDemo migrates and seeds the database and wires the app and the Graph
// API emulator to each other over HTTP, on the given listeners.
func startDemo(ctx context.Context, cfg config, log *slog.Logger, appLn, graphLn net.Listener) (*demoEnv, error) {
	env := &demoEnv{
		appURL:   "http://localhost" + portOf(appLn.Addr().String()),
		graphURL: "http://localhost" + portOf(graphLn.Addr().String()),
	}
	secret, err := cfg.secret(true)
	if err != nil {
		return nil, err
	}
	cfg.PublicURL = env.appURL
	env.app, err = openApp(ctx, cfg, handlers.Config{Secret: secret, DemoSignIn: true}, log)
	if err != nil {
		return nil, err
	}
	env.emu = graphemu.New(graphemu.Config{PublicURL: env.graphURL, Logger: log})
	if err := env.seed(ctx); err != nil {
		env.app.store.DB.Close()
		return nil, err
	}
	return env, nil
}

// seed creates (or refreshes) the demo portal, its managers and channels, and
// registers the channels' numbers with the emulator.
func (env *demoEnv) seed(ctx context.Context) error {
	store := env.app.store
	portalID, err := store.UpsertPortal(ctx, db.Portal{Domain: "demo.bitrix24.local", MemberID: demoPortal})
	if err != nil {
		return err
	}
	env.portalID = portalID
	env.app.server.SetDemoPortal(portalID)
	for _, u := range demoManagers {
		u.PortalID = portalID
		if _, err := store.UpsertUser(ctx, u); err != nil {
			return err
		}
	}
	for _, n := range demoNumbers {
		id, err := store.UpsertChannel(ctx, db.Channel{
			PortalID: portalID, Transport: "whatsapp", ExternalID: n.phoneNumberID, Name: n.name,
			AccessToken: n.token, AppSecret: demoAppSecret, VerifyToken: "demo-verify", APIBase: env.graphURL + "/v23.0",
		})
		if err != nil {
			return err
		}
		env.emu.AddWhatsAppNumber(graphemu.Number{
			PhoneNumberID: n.phoneNumberID, DisplayPhone: n.display, Name: n.name, AccessToken: n.token,
			AppSecret: demoAppSecret, WebhookURL: env.appURL + "/hooks/whatsapp/" + strconv.FormatInt(id, 10),
		})
	}
	return nil
}

// run serves the app and the emulator until ctx ends.
func (env *demoEnv) run(ctx context.Context, cfg config, appLn, graphLn net.Listener, log *slog.Logger) error {
	defer env.emu.Close()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return env.app.run(ctx, cfg, appLn, log) })
	g.Go(func() error { return serveOn(ctx, "graph-emulator", graphLn, env.emu.Handler(), log) })
	return g.Wait()
}

// localDatabase starts (creating on first use) the cluster under
// dataDir/pg and returns the DSN of its "switchboard" database.
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
	var exists bool
	if err := admin.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'switchboard')`); err != nil {
		stop()
		return "", nil, fmt.Errorf("local database: %w", err)
	}
	if !exists {
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE switchboard`); err != nil {
			stop()
			return "", nil, fmt.Errorf("local database: %w", err)
		}
	}
	return cluster.DSN("switchboard"), stop, nil
}
