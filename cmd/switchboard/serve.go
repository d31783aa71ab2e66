package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"

	"golang.org/x/sync/errgroup"

	"switchboard/bitrix"
	"switchboard/channels"
	"switchboard/channels/instagram"
	"switchboard/channels/whatsapp"
	"switchboard/db"
	"switchboard/handlers"
	"switchboard/inbox"
)

// app is the running Switchboard: one database, the rules, the HTTP side.
type app struct {
	store  *db.Store
	inbox  *inbox.Inbox
	hub    *inbox.Hub
	server *handlers.Server
}

// openApp connects, migrates under the advisory lock, refuses a schema that
// is still behind, and wires the app.
func openApp(ctx context.Context, cfg config, hcfg handlers.Config, log *slog.Logger) (*app, error) {
	conn, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	if err := db.CheckSchema(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	liveConn, err := db.OpenPool(ctx, cfg.DatabaseURL, inbox.LivePool)
	if err != nil {
		conn.Close()
		return nil, err
	}
	store := db.New(conn)
	in := inbox.New(store, []channels.Transport{
		&whatsapp.Transport{AllowMediaHosts: cfg.MediaAllowHosts},
		&instagram.Transport{AllowMediaHosts: cfg.MediaAllowHosts},
	}, log)
	in.Live = db.New(liveConn)
	wireMedia(in, cfg, hcfg.Secret)
	in.Portal = &inbox.Portal{
		Handlers:   handlers.BitrixHandlers(cfg.PublicURL),
		AllowLocal: cfg.BitrixAllowLocal,
		Client: bitrix.New(bitrix.Config{
			ClientID: cfg.BitrixClientID, ClientSecret: cfg.BitrixClientSecret, OAuthURL: cfg.BitrixOAuthURL,
			Tokens:  inbox.PortalTokens{Store: store},
			Limiter: inbox.PortalLimiter{Store: store, Rate: cfg.BitrixRate, Burst: cfg.BitrixBurst},
			Logger:  log,
		}),
	}
	hcfg.BX24ScriptURL, hcfg.Sessions = cfg.BX24ScriptURL, conn.DB
	hub := inbox.NewHub(in)
	return &app{store: store, inbox: in, hub: hub, server: handlers.New(hcfg, in, hub, log)}, nil
}

// workersPerInstance is how many outbox workers each instance runs.
const workersPerInstance = 4

// run serves on ln until ctx ends: HTTP, the live event listener, the
// outbox worker.
func (a *app) run(ctx context.Context, cfg config, ln net.Listener, log *slog.Logger) error {
	defer a.store.DB.Close()
	defer a.inbox.Live.DB.Close()
	var debug net.Listener
	if cfg.DebugAddr != "" {
		var err error
		if debug, err = net.Listen("tcp", cfg.DebugAddr); err != nil {
			return err
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.hub.Run(ctx, cfg.DatabaseURL) })
	for range workersPerInstance { // one slow job does not hold up the others
		g.Go(func() error { a.inbox.RunWorker(ctx); return nil })
	}
	g.Go(func() error {
		<-ctx.Done()
		a.server.Close()
		return nil
	})
	g.Go(func() error { return serveOn(ctx, "app", ln, a.server.Routes(), log) })
	if debug != nil {
		g.Go(func() error { return serveOn(ctx, "debug", debug, debugRoutes(), log) })
	}
	return g.Wait()
}

// debugRoutes are Go's profiles (net/http/pprof), served only on
// SWITCHBOARD_DEBUG_ADDR: an address of its own, never the public one.
func debugRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	if err := cfg.checkServe(); err != nil {
		return err
	}
	secret, err := cfg.secret(false)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, handlers.Config{Secret: secret, SecureCookies: cfg.SecureCookies}, log)
	if err != nil {
		ln.Close()
		return err
	}
	return a.run(ctx, cfg, ln, log)
}
