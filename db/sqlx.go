package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"
)

// stmtCache keeps every query of the Store prepared on the pool, by its
// text: PostgreSQL parses it once per connection and plans it generically
// after a few runs, instead of parsing and planning every statement of
// every webhook (measured: most of an ingest's database time). The
// queries are the Store's constants, so the cache stays small.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sqlx.Stmt
}

// prepared is query prepared on the pool, or bound to the transaction the
// Store is bound to (database/sql prepares it on that connection once).
//
// A transaction never waits for a second connection: a query it is the
// first to run is prepared on its own connection for this once, and on the
// pool in the background for the next time (with every connection held by
// transactions preparing new queries, waiting would never end).
func (s *Store) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	s.stmts.mu.Lock()
	st, ok := s.stmts.m[query]
	s.stmts.mu.Unlock()
	if tx, inTx := s.q.(*sqlx.Tx); !ok && inTx {
		go s.prepareOnPool(context.WithoutCancel(ctx), query)
		return tx.PreparexContext(ctx, query)
	}
	if !ok {
		var err error
		if st, err = s.DB.PreparexContext(ctx, query); err != nil {
			return nil, err
		}
		s.stmts.mu.Lock()
		if old, raced := s.stmts.m[query]; raced {
			st.Close()
			st = old
		} else {
			s.stmts.m[query] = st
		}
		s.stmts.mu.Unlock()
	}
	if tx, ok := s.q.(*sqlx.Tx); ok {
		return tx.StmtxContext(ctx, st), nil
	}
	return st, nil
}

// prepareOnPool fills the cache for query; a failure is the next use's
// to report.
func (s *Store) prepareOnPool(ctx context.Context, query string) {
	st, err := s.DB.PreparexContext(ctx, query)
	if err != nil {
		return
	}
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	if _, raced := s.stmts.m[query]; raced {
		st.Close()
		return
	}
	s.stmts.m[query] = st
}

// get scans one row on the pool or the transaction the Store is bound to.
func (s *Store) get(ctx context.Context, dest any, query string, args ...any) error {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	return st.GetContext(ctx, dest, args...)
}

// all scans every row on the pool or the transaction the Store is bound to.
func (s *Store) all(ctx context.Context, dest any, query string, args ...any) error {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	return st.SelectContext(ctx, dest, args...)
}

// exec runs a statement on the pool or the transaction the Store is bound to.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return st.ExecContext(ctx, args...)
}
