package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"switchboard/db/pgtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" { // TestBadConfigStopsTheStart runs the real main
		main()
		os.Exit(0)
	}
	pgtest.Main(m)
}

// runDemo serves the demo, exactly as `make run` does, on free ports over a
// fresh database.
func runDemo(t *testing.T, opts ...demoOption) *demoEnv {
	t.Helper()
	cfg, err := loadConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = pgtest.DSN(t)
	cfg.DataDir = t.TempDir() // the demo's files (blobs) live and die with the test
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var lns []net.Listener
	for range 3 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
	}
	// The portal is on another site than the app (127.0.0.1 against
	// localhost), as a real portal is: our cookie is a third-party one there.
	front := lns[0].Addr().String() // where browsers reach the app
	for _, o := range opts {
		if o.front != nil {
			front = o.front(t, lns[0].Addr().String())
		}
	}
	urls := demoURLs{
		app:    "http://localhost" + portOf(front),
		graph:  "http://localhost" + portOf(lns[1].Addr().String()),
		bitrix: "http://127.0.0.1" + portOf(lns[2].Addr().String()),
	}
	ctx, cancel := context.WithCancel(context.Background())
	env, err := startDemo(ctx, cfg, log, urls)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		if o.before != nil {
			o.before(env)
		}
	}
	done := make(chan error, 1)
	go func() { done <- env.run(ctx, cfg, lns[0], lns[1], lns[2], log) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo stopped with: %v", err)
		}
	})
	select {
	case <-env.ready:
	case err := <-done:
		t.Fatalf("the demo stopped while setting up: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the demo did not set up within 30s")
	}
	return env
}
