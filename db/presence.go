package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Watch records that a tab of user shows clientID's dialog (nil: no
// dialog) until expires, and returns the client the tab showed before
// (nil: none). A tab named by another user is left alone.
func (s *Store) Watch(ctx context.Context, portalID int64, tab string, userID int64, clientID *int64, expires time.Time) (*int64, error) {
	var before []sql.NullInt64
	err := s.all(ctx, &before, `
		WITH old AS (SELECT client_id FROM presence WHERE portal_id = $1 AND tab = $2 AND user_id = $3)
		INSERT INTO presence (portal_id, tab, user_id, client_id, expires_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (portal_id, tab) DO UPDATE SET client_id = EXCLUDED.client_id, expires_at = EXCLUDED.expires_at
			WHERE presence.user_id = EXCLUDED.user_id
		RETURNING (SELECT client_id FROM old)`, portalID, tab, userID, clientID, expires)
	if err != nil {
		return nil, fmt.Errorf("db: unable to record what tab %s shows: %w", tab, err)
	}
	return firstID(before), nil
}

// KeepAlive moves a tab's expiry to expires (its stream is still there).
func (s *Store) KeepAlive(ctx context.Context, portalID int64, tab string, userID int64, expires time.Time) error {
	_, err := s.exec(ctx, `UPDATE presence SET expires_at = GREATEST(expires_at, $4)
		WHERE portal_id = $1 AND tab = $2 AND user_id = $3`, portalID, tab, userID, expires)
	if err != nil {
		return fmt.Errorf("db: unable to keep tab %s alive: %w", tab, err)
	}
	return nil
}

// Leave brings a tab's expiry forward to expires (its stream ended; it may
// come back before then) and returns the client it shows (nil: none).
func (s *Store) Leave(ctx context.Context, portalID int64, tab string, userID int64, expires time.Time) (*int64, error) {
	var clients []sql.NullInt64
	err := s.all(ctx, &clients, `UPDATE presence SET expires_at = LEAST(expires_at, $4)
		WHERE portal_id = $1 AND tab = $2 AND user_id = $3 RETURNING client_id`, portalID, tab, userID, expires)
	if err != nil {
		return nil, fmt.Errorf("db: unable to let tab %s go: %w", tab, err)
	}
	return firstID(clients), nil
}

// Watched reports until when someone watches a client's dialog at now: the
// latest expiry of the tabs that show it, or nil when none does.
func (s *Store) Watched(ctx context.Context, portalID, clientID int64, now time.Time) (*time.Time, error) {
	var until *time.Time
	err := s.get(ctx, &until, `SELECT max(expires_at) FROM presence
		WHERE portal_id = $1 AND client_id = $2 AND expires_at > $3`, portalID, clientID, now)
	if err != nil {
		return nil, fmt.Errorf("db: unable to read who watches client %d: %w", clientID, err)
	}
	return until, nil
}

// SweepPresence forgets tabs gone before before.
func (s *Store) SweepPresence(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM presence WHERE expires_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("db: unable to sweep presence: %w", err)
	}
	return res.RowsAffected()
}

// firstID is the first of ids, when there is one and it is not NULL.
func firstID(ids []sql.NullInt64) *int64 {
	if len(ids) == 0 || !ids[0].Valid {
		return nil
	}
	return &ids[0].Int64
}
