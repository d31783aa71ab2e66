// Package db owns PostgreSQL: the embedded migrations and the Store, which
// holds every SQL query of Switchboard. Every query is scoped by portal; the
// few lookups that find the portal (a webhook's channel, an install's
// member_id) say so in their doc comments.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the driver
)

// ErrNotFound is returned when a row does not exist or lies outside the
// caller's portal or visibility.
var ErrNotFound = errors.New("db: not found")

// Store runs the queries, on the pool or inside one transaction (InTx).
type Store struct {
	DB *sqlx.DB
	q  sqlx.ExtContext
	// OnEvents runs after live events are logged: after the commit of a
	// transaction that logged some, or at once on the pool. The live hub
	// sets it to wake its reader.
	OnEvents func()
	// pending are, inside a transaction, the live events it logged: they
	// are written just before it commits.
	pending *[]LiveEvent
	stmts   *stmtCache
}

// Open connects to PostgreSQL and checks the connection.
func Open(ctx context.Context, dsn string) (*sqlx.DB, error) {
	conn, err := sqlx.Open("postgres", oneRoundTrip(dsn))
	if err != nil {
		return nil, fmt.Errorf("db: unable to open: %w", err)
	}
	// As many idle as open: under a burst of webhooks a pool that keeps
	// fewer closes and reopens connections by the hundred (measured).
	conn.SetMaxOpenConns(40)
	conn.SetMaxIdleConns(40)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("db: unable to reach the database: %w", err)
	}
	return conn, nil
}

// New wraps a connection pool.
func New(conn *sqlx.DB) *Store {
	return &Store{DB: conn, q: conn, stmts: &stmtCache{m: map[string]*sqlx.Stmt{}}}
}

// InTx runs fn with a Store bound to one transaction, committed when fn
// returns nil. The live events fn logged are written last, just before
// the commit (LiveEventsLock), and OnEvents runs after it.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	if _, nested := s.q.(*sqlx.Tx); nested {
		return fn(s)
	}
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: unable to begin: %w", err)
	}
	defer tx.Rollback()
	var pending []LiveEvent
	bound := &Store{DB: s.DB, q: tx, OnEvents: s.OnEvents, pending: &pending, stmts: s.stmts}
	if err := fn(bound); err != nil {
		return err
	}
	if len(pending) > 0 {
		if err := bound.insertEvents(ctx, pending); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: unable to commit: %w", err)
	}
	if len(pending) > 0 && s.OnEvents != nil {
		s.OnEvents()
	}
	return nil
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.DB.PingContext(ctx)
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// oneRoundTrip asks lib/pq to send a query's parameters with the query
// (binary_parameters): one round trip per statement instead of two (a
// prepare, then the execution), which is most of an ingest's time on a
// busy machine (measured). A DSN that sets it already is left alone.
func oneRoundTrip(dsn string) string {
	if strings.Contains(dsn, "binary_parameters") {
		return dsn
	}
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("binary_parameters", "yes")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " binary_parameters=yes"
}
