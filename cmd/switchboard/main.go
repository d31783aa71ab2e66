// Command switchboard serves the Switchboard app: `serve` (the default),
// `migrate`, `demo`, which also runs the Bitrix24 and Graph API emulators
// and a local PostgreSQL so one person can play client and manager, and
// `bench`, the performance table on a throwaway cluster (`make bench`).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"switchboard/db"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	if cmd == "bench" { // its own flags; it configures the app it starts
		return bench(ctx, args)
	}
	cfg, err := loadConfig(args)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		conn, err := db.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer conn.Close()
		if err := db.Migrate(ctx, conn); err != nil {
			return err
		}
		log.Info("schema is current", "version", db.LatestVersion())
		return nil
	case "demo":
		return demo(ctx, cfg, log)
	default:
		return fmt.Errorf("unknown command %q (serve, migrate, demo, bench)", cmd)
	}
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

// serveOn serves h on ln until ctx ends, then shuts down gracefully.
func serveOn(ctx context.Context, name string, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "server", name, "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("%s on %s: %w", name, ln.Addr(), err)
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return nil
	}
}
