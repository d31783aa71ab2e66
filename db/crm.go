package db

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// NewClient is a client the CRM sync has not linked yet.
type NewClient struct {
	ID         int64  `db:"id"`
	Transport  string `db:"transport"`
	ExternalID string `db:"external_id"`
	Phone      string `db:"phone"`
	Name       string `db:"name"`
	ChannelID  int64  `db:"channel_id"` // of the client's first dialog
}

// NewClients lists up to limit of a portal's clients not yet linked to the
// CRM, oldest first.
func (s *Store) NewClients(ctx context.Context, portalID int64, limit int) ([]NewClient, error) {
	var cs []NewClient
	err := s.all(ctx, &cs, `SELECT c.id, c.transport, c.external_id, c.phone, c.name,
			COALESCE((SELECT d.channel_id FROM dialogs d WHERE d.portal_id = c.portal_id AND d.client_id = c.id
				ORDER BY d.id LIMIT 1), 0) AS channel_id
		FROM clients c WHERE c.portal_id = $1 AND c.crm_state = 'new' ORDER BY c.id LIMIT $2`, portalID, limit)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list new clients of portal %d: %w", portalID, err)
	}
	return cs, nil
}

// LinkClient records what the CRM knows of a client: its links (each kept
// or refreshed), whether the entity is one we created, and its
// responsible, which becomes the responsible of every dialog of the client.
// responsible 0 leaves the dialogs as they are.
func (s *Store) LinkClient(ctx context.Context, portalID, clientID int64, links []CRMLink, created bool, responsible int64) error {
	types, ids, titles, closed := make([]string, len(links)), make([]int64, len(links)), make([]string, len(links)), make([]bool, len(links))
	for i, l := range links {
		types[i], ids[i], titles[i], closed[i] = l.EntityType, l.EntityID, l.Title, l.Closed
	}
	_, err := s.q.ExecContext(ctx, `
		WITH linked AS (
			INSERT INTO crm_links (portal_id, client_id, entity_type, entity_id, title, closed)
			SELECT $1, $2, t, i, ti, c FROM unnest($3::text[], $4::bigint[], $5::text[], $6::boolean[]) AS v(t, i, ti, c)
			ON CONFLICT (portal_id, client_id, entity_type, entity_id) DO UPDATE SET title = EXCLUDED.title, closed = EXCLUDED.closed
		), client AS (
			UPDATE clients SET crm_state = 'linked', crm_created = crm_created OR $7 WHERE portal_id = $1 AND id = $2
		)
		UPDATE dialogs SET responsible_user_id = $8 WHERE portal_id = $1 AND client_id = $2 AND $8 <> 0
			AND responsible_user_id IS DISTINCT FROM $8`,
		portalID, clientID, pq.Array(types), pq.Array(ids), pq.Array(titles), pq.Array(closed), created, responsible)
	if err != nil {
		return fmt.Errorf("db: unable to link client %d: %w", clientID, err)
	}
	return nil
}

// ClientLinks lists the CRM links of the given clients.
func (s *Store) ClientLinks(ctx context.Context, portalID int64, clientIDs []int64) ([]CRMLink, error) {
	var ls []CRMLink
	err := s.all(ctx, &ls, `SELECT portal_id, client_id, entity_type, entity_id, title, closed FROM crm_links
		WHERE portal_id = $1 AND client_id = ANY($2) ORDER BY client_id, entity_type, entity_id`, portalID, pq.Array(clientIDs))
	if err != nil {
		return nil, fmt.Errorf("db: unable to list CRM links: %w", err)
	}
	return ls, nil
}

// DropLink forgets a link to an entity that no longer exists, for every
// client of the portal.
func (s *Store) DropLink(ctx context.Context, portalID int64, entityType string, entityID int64) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM crm_links WHERE portal_id = $1 AND entity_type = $2 AND entity_id = $3`,
		portalID, entityType, entityID)
	if err != nil {
		return fmt.Errorf("db: unable to drop the link to %s %d: %w", entityType, entityID, err)
	}
	return nil
}

// NextTurn advances the portal's round-robin cursor and returns it: every
// instance shares one cursor, so turns are fair across instances and
// restarts.
func (s *Store) NextTurn(ctx context.Context, portalID int64) (int64, error) {
	var n int64
	err := s.get(ctx, &n, `UPDATE portals SET rr_cursor = rr_cursor + 1 WHERE id = $1 RETURNING rr_cursor`, portalID)
	if err != nil {
		return 0, fmt.Errorf("db: unable to take a turn on portal %d: %w", portalID, notFound(err))
	}
	return n, nil
}

// OpenDialogCounts counts, per user (ours), the dialogs they are
// responsible for that were active since since.
func (s *Store) OpenDialogCounts(ctx context.Context, portalID int64, userIDs []int64, since time.Time) (map[int64]int, error) {
	var rows []struct {
		UserID int64 `db:"user_id"`
		N      int   `db:"n"`
	}
	err := s.all(ctx, &rows, `SELECT responsible_user_id AS user_id, count(*) AS n FROM dialogs
		WHERE portal_id = $1 AND responsible_user_id = ANY($2) AND last_message_at >= $3 GROUP BY responsible_user_id`,
		portalID, pq.Array(userIDs), since)
	if err != nil {
		return nil, fmt.Errorf("db: unable to count open dialogs of portal %d: %w", portalID, err)
	}
	counts := make(map[int64]int, len(rows))
	for _, r := range rows {
		counts[r.UserID] = r.N
	}
	return counts, nil
}

// AppUsers lists the portal's users who may use the app, by Bitrix24 id.
func (s *Store) AppUsers(ctx context.Context, portalID int64) ([]User, error) {
	var us []User
	err := s.all(ctx, &us, `SELECT `+userColumns+` FROM users WHERE portal_id = $1 AND can_use_app ORDER BY bitrix_user_id`, portalID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list the app's users of portal %d: %w", portalID, err)
	}
	return us, nil
}

// UserByBitrixID finds a portal's user by their Bitrix24 id; ErrNotFound
// when they never signed in nor were met as a responsible.
func (s *Store) UserByBitrixID(ctx context.Context, portalID, bitrixID int64) (User, error) {
	var u User
	err := s.get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE portal_id = $1 AND bitrix_user_id = $2`, portalID, bitrixID)
	if err != nil {
		return u, fmt.Errorf("db: unable to find Bitrix24 user %d: %w", bitrixID, notFound(err))
	}
	return u, nil
}

// MeetUser records a Bitrix24 user met as a responsible, who has not
// signed in to the app: they get no access from it.
func (s *Store) MeetUser(ctx context.Context, portalID, bitrixID int64, name string) (User, error) {
	var u User
	err := s.get(ctx, &u, `INSERT INTO users (portal_id, bitrix_user_id, name, can_use_app) VALUES ($1, $2, $3, false)
		ON CONFLICT (portal_id, bitrix_user_id) DO UPDATE SET name = CASE WHEN EXCLUDED.name = '' THEN users.name ELSE EXCLUDED.name END
		RETURNING `+userColumns, portalID, bitrixID, name)
	if err != nil {
		return u, fmt.Errorf("db: unable to record Bitrix24 user %d: %w", bitrixID, err)
	}
	return u, nil
}
