package db

import (
	"context"
	"fmt"
	"time"
)

// PortalTokens is a portal's OAuth pair.
type PortalTokens struct {
	Access   string     `db:"access_token"`
	Refresh  string     `db:"refresh_token"`
	Expires  *time.Time `db:"token_expires_at"`
	BaseURL  string     `db:"base_url"`
	PortalID int64      `db:"id"`
}

// TokensByMemberID reads a portal's tokens; ErrNotFound when there is no
// such portal.
func (s *Store) TokensByMemberID(ctx context.Context, memberID string) (PortalTokens, error) {
	var t PortalTokens
	err := s.get(ctx, &t, `SELECT id, access_token, refresh_token, token_expires_at, base_url
		FROM portals WHERE member_id = $1`, memberID)
	if err != nil {
		return t, fmt.Errorf("db: unable to read tokens of portal %s: %w", memberID, notFound(err))
	}
	return t, nil
}

// LockTokens runs fn in a transaction holding the portal's row lock, with
// its current tokens; what fn returns is saved, both tokens at once. Two
// instances refreshing at once are serialized here.
func (s *Store) LockTokens(ctx context.Context, memberID string, fn func(current PortalTokens) (PortalTokens, error)) (PortalTokens, error) {
	var out PortalTokens
	err := s.InTx(ctx, func(tx *Store) error {
		var cur PortalTokens
		err := tx.get(ctx, &cur, `SELECT id, access_token, refresh_token, token_expires_at, base_url
			FROM portals WHERE member_id = $1 FOR UPDATE`, memberID)
		if err != nil {
			return fmt.Errorf("db: unable to lock tokens of portal %s: %w", memberID, notFound(err))
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		if next.Access == cur.Access && next.Refresh == cur.Refresh {
			out = cur
			return nil
		}
		_, err = tx.q.ExecContext(ctx, `UPDATE portals SET access_token = $2, refresh_token = $3, token_expires_at = $4
			WHERE member_id = $1`, memberID, next.Access, next.Refresh, next.Expires)
		if err != nil {
			return fmt.Errorf("db: unable to save tokens of portal %s: %w", memberID, err)
		}
		next.PortalID, next.BaseURL = cur.PortalID, cur.BaseURL
		out = next
		return nil
	})
	return out, err
}
