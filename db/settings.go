package db

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lib/pq"
)

// SaveSettings replaces a portal's admin settings. Every request reads them
// from here (Access), so a change applies at once on every instance.
func (s *Store) SaveSettings(ctx context.Context, portalID int64, settings json.RawMessage) error {
	res, err := s.exec(ctx, `UPDATE portals SET settings = $2::jsonb WHERE id = $1`, portalID, string(settings))
	if err != nil {
		return fmt.Errorf("db: unable to save the settings of portal %d: %w", portalID, err)
	}
	return affected(res, portalID)
}

// SetTeam records the users of the departments a user heads (our ids; empty
// for who heads none).
func (s *Store) SetTeam(ctx context.Context, portalID, userID int64, team []int64) error {
	if team == nil {
		team = []int64{}
	}
	_, err := s.exec(ctx, `UPDATE users SET team = $3 WHERE portal_id = $1 AND id = $2`, portalID, userID, pq.Array(team))
	if err != nil {
		return fmt.Errorf("db: unable to set the team of user %d: %w", userID, err)
	}
	return nil
}

// UsersByID loads a portal's users by our ids, in id order; ids of other
// portals are left out.
func (s *Store) UsersByID(ctx context.Context, portalID int64, ids []int64) ([]User, error) {
	var us []User
	err := s.all(ctx, &us, `SELECT `+userColumns+` FROM users WHERE portal_id = $1 AND id = ANY($2) ORDER BY id`,
		portalID, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("db: unable to read users of portal %d: %w", portalID, err)
	}
	return us, nil
}
