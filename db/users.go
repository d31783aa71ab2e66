package db

import (
	"context"
	"fmt"
)

// User is a Bitrix24 employee of a portal.
type User struct {
	PortalID     int64  `db:"portal_id"`
	ID           int64  `db:"id"`
	BitrixUserID int64  `db:"bitrix_user_id"`
	Name         string `db:"name"`
	PhotoURL     string `db:"photo_url"`
	IsAdmin      bool   `db:"is_admin"`
	CanUseApp    bool   `db:"can_use_app"`
}

const userColumns = `portal_id, id, bitrix_user_id, name, photo_url, is_admin, can_use_app`

// UpsertUser creates or refreshes the user (name, photo, admin flag) and
// returns the stored row.
func (s *Store) UpsertUser(ctx context.Context, u User) (User, error) {
	var out User
	err := s.get(ctx, &out, `
		INSERT INTO users (portal_id, bitrix_user_id, name, photo_url, is_admin, can_use_app)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (portal_id, bitrix_user_id) DO UPDATE SET
			name = EXCLUDED.name, photo_url = EXCLUDED.photo_url,
			is_admin = EXCLUDED.is_admin, updated_at = now(),
			-- Bitrix24 let them open the app: a user first met as a
			-- responsible gets access on their first sign-in.
			can_use_app = users.can_use_app OR EXCLUDED.can_use_app
		RETURNING `+userColumns,
		u.PortalID, u.BitrixUserID, u.Name, u.PhotoURL, u.IsAdmin, u.CanUseApp)
	if err != nil {
		return out, fmt.Errorf("db: unable to upsert user %d of portal %d: %w", u.BitrixUserID, u.PortalID, err)
	}
	return out, nil
}

// User loads one user of a portal; ErrNotFound when there is none.
func (s *Store) User(ctx context.Context, portalID, id int64) (User, error) {
	var u User
	err := s.get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE portal_id = $1 AND id = $2`, portalID, id)
	if err != nil {
		return u, fmt.Errorf("db: unable to fetch user %d: %w", id, notFound(err))
	}
	return u, nil
}
