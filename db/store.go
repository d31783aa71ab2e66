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
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

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
	// tail is, inside a transaction, what it writes just before it
	// commits, in one statement: its live events, jobs, timeline entries.
	tail  *txTail
	stmts *stmtCache
}

// connLifetime is how long a pooled connection (and every plan it holds)
// lives.
const connLifetime = 15 * time.Minute

// Open connects to PostgreSQL and checks the connection: a pool of up to
// 40 connections.
func Open(ctx context.Context, dsn string) (*sqlx.DB, error) {
	return OpenPool(ctx, dsn, 40)
}

// OpenPool is Open with a pool of up to conns connections, all kept open
// once opened: under a burst of webhooks a pool that keeps fewer idle
// closes and reopens connections by the hundred (measured). Each is
// renewed after connLifetime: a connection plans each statement once
// (storeParams), from the statistics of that moment, and a plan made while
// a new install's tables were nearly empty must not outlive their growth.
func OpenPool(ctx context.Context, dsn string, conns int) (*sqlx.DB, error) {
	conn, err := sqlx.Open("postgres", withParams(dsn, storeParams))
	if err != nil {
		return nil, fmt.Errorf("db: unable to open: %w", err)
	}
	conn.SetMaxOpenConns(conns)
	conn.SetMaxIdleConns(conns)
	conn.SetConnMaxLifetime(connLifetime)
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
	tail := &txTail{}
	bound := &Store{DB: s.DB, q: tx, OnEvents: s.OnEvents, tail: tail, stmts: s.stmts}
	if err := fn(bound); err != nil {
		return err
	}
	if !tail.empty() {
		if err := bound.flushTail(ctx, tail); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: unable to commit: %w", err)
	}
	if len(tail.events) > 0 && s.OnEvents != nil {
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

// storeParams is what every connection of the Store asks for; a DSN that
// sets one already is left alone.
//
// binary_parameters: lib/pq sends a query's parameters with the query, one
// round trip per statement instead of two (a prepare, then the execution),
// which was most of an ingest's time on a busy machine (measured).
//
// plan_cache_mode: every statement of the Store is prepared once per
// connection; a generic plan is made once and kept. Left to choose (plan_cache_mode=auto), the
// server planned some statements again on every run, because their plan
// for a given array of ids looked cheaper than the generic one: the
// ingest's look-up of its clients spent three times as long being planned
// as being run (measured). The generic plans are the ones
// TestHotPathsUseTheirIndexes checks.
//
// random_page_cost: the data lives in memory or on SSD, where an index
// probe costs about what a sequential read does (PostgreSQL's default of 4
// is for spinning disks). With 4, the generic plan of an update of five
// dialogs by id read all 2,000 dialogs of the portal instead (measured).
var storeParams = map[string]string{"binary_parameters": "yes", "plan_cache_mode": "force_generic_plan",
	"random_page_cost": "1.1"}

// byID is how a statement that finds its rows by id (or by client) checks
// the rows' portal: as a filter on what the ids found, never as a way in.
// Until a table is first analyzed, the planner takes "portal_id = $1" for
// a rare value (0.5% of the rows) and reads the whole portal through a
// portal index rather than probe the ids: the generic plan of the ingest's
// update of five dialogs read all 2,000 of the portal, 2 ms instead of
// 0.1 ms (measured). "+ 0" keeps the portal's indexes out of reach.
func byID(alias, param string) string {
	return alias + ".portal_id + 0 = " + param
}

// withParams adds connection parameters the DSN does not set already, to a
// URL or a key=value DSN. lib/pq sends those it does not know itself
// (plan_cache_mode) to the server as settings of the session.
func withParams(dsn string, params map[string]string) string {
	keys := slices.Sorted(maps.Keys(params))
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		for _, k := range keys {
			if !q.Has(k) {
				q.Set(k, params[k])
			}
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	for _, k := range keys {
		if !strings.Contains(dsn, k) {
			dsn += " " + k + "=" + params[k]
		}
	}
	return dsn
}
