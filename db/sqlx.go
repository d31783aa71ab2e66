package db

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// get scans one row on the pool or the transaction the Store is bound to.
func (s *Store) get(ctx context.Context, dest any, query string, args ...any) error {
	return sqlx.GetContext(ctx, s.q, dest, query, args...)
}

// all scans every row on the pool or the transaction the Store is bound to.
func (s *Store) all(ctx context.Context, dest any, query string, args ...any) error {
	return sqlx.SelectContext(ctx, s.q, dest, query, args...)
}
