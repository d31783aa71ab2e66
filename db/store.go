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
}

// Open connects to PostgreSQL and checks the connection.
func Open(ctx context.Context, dsn string) (*sqlx.DB, error) {
	conn, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: unable to open: %w", err)
	}
	conn.SetMaxOpenConns(40)
	conn.SetMaxIdleConns(10)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("db: unable to reach the database: %w", err)
	}
	return conn, nil
}

// New wraps a connection pool.
func New(conn *sqlx.DB) *Store {
	return &Store{DB: conn, q: conn}
}

// InTx runs fn with a Store bound to one transaction, committed when fn
// returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	if _, nested := s.q.(*sqlx.Tx); nested {
		return fn(s)
	}
	tx, err := s.DB.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: unable to begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(&Store{DB: s.DB, q: tx}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: unable to commit: %w", err)
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
