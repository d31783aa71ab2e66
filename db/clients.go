package db

import (
	"context"
	"fmt"
)

// Client is a person writing from a messenger.
type Client struct {
	PortalID   int64  `db:"portal_id"`
	ID         int64  `db:"id"`
	Transport  string `db:"transport"`
	ExternalID string `db:"external_id"`
	Phone      string `db:"phone"`
	Name       string `db:"name"`
}

// UpsertClient finds or creates the client of (transport, external id) in a
// portal; a non-empty name or phone refreshes the stored one.
func (s *Store) UpsertClient(ctx context.Context, c Client) (int64, error) {
	var id int64
	err := s.get(ctx, &id, `
		INSERT INTO clients (portal_id, transport, external_id, phone, name)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (portal_id, transport, external_id) DO UPDATE SET
			phone = COALESCE(NULLIF(EXCLUDED.phone, ''), clients.phone),
			name = COALESCE(NULLIF(EXCLUDED.name, ''), clients.name)
		RETURNING id`,
		c.PortalID, c.Transport, c.ExternalID, c.Phone, c.Name)
	if err != nil {
		return 0, fmt.Errorf("db: unable to save client %s/%s: %w", c.Transport, c.ExternalID, err)
	}
	return id, nil
}
