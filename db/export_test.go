package db

import "context"

// WithStoreParams is dsn with what the Store's connections ask for, for
// tests that open connections of their own.
func WithStoreParams(dsn string) string { return withParams(dsn, storeParams) }

// RareWords is the search's choice, planned as a search is, between the
// full-text index (rare words) and a walk of the messages newest first.
func (s *Store) RareWords(ctx context.Context, portalID int64, words string) (rare bool, err error) {
	err = s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
			return err
		}
		rare, err = tx.rareWords(ctx, portalID, words)
		return err
	})
	return rare, err
}
