package db

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"
)

// Access is what a request needs to know of its signed-in user and their
// portal, read in one query.
type Access struct {
	IsAdmin   bool            `db:"is_admin"`
	CanUseApp bool            `db:"can_use_app"`
	Enabled   bool            `db:"enabled"`
	MemberID  string          `db:"member_id"`
	BaseURL   string          `db:"base_url"`
	Settings  json.RawMessage `db:"settings"`
	// Team are the users of the departments the user heads (our ids).
	Team pq.Int64Array `db:"team"`
}

// Access reads a user and their portal; ErrNotFound when the user is not
// one of the portal's.
func (s *Store) Access(ctx context.Context, portalID, userID int64) (Access, error) {
	var a Access
	err := s.get(ctx, &a, `SELECT u.is_admin, u.can_use_app, p.enabled, p.member_id, p.base_url, p.settings, u.team
		FROM users u JOIN portals p ON p.id = u.portal_id WHERE u.portal_id = $1 AND u.id = $2`, portalID, userID)
	if err != nil {
		return a, fmt.Errorf("db: unable to read the access of user %d: %w", userID, notFound(err))
	}
	return a, nil
}
