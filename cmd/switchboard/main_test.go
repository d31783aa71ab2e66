package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"

	"switchboard/db/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// runDemo serves the demo, exactly as `make run` does, on free ports over a
// fresh database.
func runDemo(t *testing.T) *demoEnv {
	t.Helper()
	cfg, err := loadConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = pgtest.DSN(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	appLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	graphLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	env, err := startDemo(ctx, cfg, log, appLn, graphLn)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- env.run(ctx, cfg, appLn, graphLn, log) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo stopped with: %v", err)
		}
	})
	return env
}
