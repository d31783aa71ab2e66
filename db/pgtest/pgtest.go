// Package pgtest gives every test its own freshly migrated PostgreSQL
// database: one throwaway cluster per test package on /dev/shm, one migrated
// template database, cloned per test.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the driver

	"switchboard/db"
	"switchboard/db/pgcluster"
)

var (
	cluster *pgcluster.Cluster
	serial  atomic.Int64
	mu      sync.Mutex // CREATE DATABASE ... TEMPLATE takes the template exclusively
)

// Main starts the package's cluster, runs the tests, and removes the cluster.
// Call it from TestMain.
func Main(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	base := "/dev/shm"
	if st, err := os.Stat(base); err != nil || !st.IsDir() {
		base = os.TempDir()
	}
	dir, err := os.MkdirTemp(base, "sbpg-")
	if err != nil {
		return 0, fmt.Errorf("pgtest: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return 0, fmt.Errorf("pgtest: %w", err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cluster, err = pgcluster.Start(ctx, filepath.Join(dir, "d"), pgcluster.Options{Ephemeral: true})
	if err != nil {
		return 0, err
	}
	defer cluster.Stop()
	if err := makeTemplate(ctx); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

func makeTemplate(ctx context.Context) error {
	admin, err := sqlx.Open("postgres", cluster.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE tmpl`); err != nil {
		return fmt.Errorf("pgtest: unable to create the template: %w", err)
	}
	tmpl, err := sqlx.Open("postgres", cluster.DSN("tmpl"))
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer tmpl.Close()
	if err := db.Migrate(ctx, tmpl); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	return nil
}

// DSN creates a fresh migrated database for t and returns its DSN; the
// database is dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	if cluster == nil {
		t.Fatal("pgtest: no cluster: call pgtest.Main from TestMain")
	}
	name := fmt.Sprintf("t_%d", serial.Add(1))
	admin, err := sqlx.Open("postgres", cluster.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	mu.Lock()
	_, err = admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE tmpl`)
	mu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: unable to clone the template: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sqlx.Open("postgres", cluster.DSN("postgres"))
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return cluster.DSN(name)
}

// New opens a fresh migrated database for t, closed when t ends, as the
// app opens its own (db.Open).
func New(t testing.TB) *sqlx.DB {
	t.Helper()
	conn, err := db.Open(context.Background(), DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
