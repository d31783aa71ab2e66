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
// responsible 0 leaves the dialogs as they are. It returns the dialogs
// whose responsible changed.
func (s *Store) LinkClient(ctx context.Context, portalID, clientID int64, links []CRMLink, created bool, responsible int64) ([]int64, error) {
	types, ids, titles, closed := make([]string, len(links)), make([]int64, len(links)), make([]string, len(links)), make([]bool, len(links))
	for i, l := range links {
		types[i], ids[i], titles[i], closed[i] = l.EntityType, l.EntityID, l.Title, l.Closed
	}
	var changed []int64
	err := s.all(ctx, &changed, `
		WITH linked AS (
			INSERT INTO crm_links (portal_id, client_id, entity_type, entity_id, title, closed)
			SELECT $1, $2, t, i, ti, c FROM unnest($3::text[], $4::bigint[], $5::text[], $6::boolean[]) AS v(t, i, ti, c)
			ON CONFLICT (portal_id, client_id, entity_type, entity_id) DO UPDATE SET title = EXCLUDED.title, closed = EXCLUDED.closed
		), client AS (
			UPDATE clients SET crm_state = 'linked', crm_created = crm_created OR $7 WHERE id = $2 AND `+byID("clients", "$1")+`
		)
		UPDATE dialogs SET responsible_user_id = $8 WHERE portal_id = $1 AND client_id = $2 AND $8 <> 0
			AND responsible_user_id IS DISTINCT FROM $8 RETURNING id`,
		portalID, clientID, pq.Array(types), pq.Array(ids), pq.Array(titles), pq.Array(closed), created, responsible)
	if err != nil {
		return nil, fmt.Errorf("db: unable to link client %d: %w", clientID, err)
	}
	return changed, nil
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
	_, err := s.exec(ctx, `DELETE FROM crm_links WHERE portal_id = $1 AND entity_type = $2 AND entity_id = $3`,
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

// CRMEntity names a lead, contact or deal.
type CRMEntity struct {
	Type string `db:"entity_type"`
	ID   int64  `db:"entity_id"`
}

// MarkDirty records entities to read again from the CRM.
func (s *Store) MarkDirty(ctx context.Context, portalID int64, es []CRMEntity, at time.Time) error {
	if len(es) == 0 {
		return nil
	}
	types, ids := make([]string, len(es)), make([]int64, len(es))
	for i, e := range es {
		types[i], ids[i] = e.Type, e.ID
	}
	_, err := s.exec(ctx, `INSERT INTO crm_dirty (portal_id, entity_type, entity_id, marked_at)
		SELECT $1, t, i, $4 FROM unnest($2::text[], $3::bigint[]) AS v(t, i) ON CONFLICT DO NOTHING`,
		portalID, pq.Array(types), pq.Array(ids), at)
	if err != nil {
		return fmt.Errorf("db: unable to mark %d CRM entities: %w", len(es), err)
	}
	return nil
}

// DirtyEntities lists up to limit entities to read again, oldest first.
func (s *Store) DirtyEntities(ctx context.Context, portalID int64, limit int) ([]CRMEntity, error) {
	var es []CRMEntity
	err := s.all(ctx, &es, `SELECT entity_type, entity_id FROM crm_dirty WHERE portal_id = $1
		ORDER BY marked_at, entity_type, entity_id LIMIT $2`, portalID, limit)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list CRM entities to read: %w", err)
	}
	return es, nil
}

// CleanEntities forgets entities read again.
func (s *Store) CleanEntities(ctx context.Context, portalID int64, es []CRMEntity) error {
	types, ids := make([]string, len(es)), make([]int64, len(es))
	for i, e := range es {
		types[i], ids[i] = e.Type, e.ID
	}
	_, err := s.exec(ctx, `DELETE FROM crm_dirty d USING unnest($2::text[], $3::bigint[]) AS v(t, i)
		WHERE d.portal_id = $1 AND d.entity_type = v.t AND d.entity_id = v.i`, portalID, pq.Array(types), pq.Array(ids))
	if err != nil {
		return fmt.Errorf("db: unable to clean %d CRM entities: %w", len(es), err)
	}
	return nil
}

// RelinkEntity puts an entity's links right as the CRM now has it: every
// client with one of its phones or Instagram ids (or of contactIDs' clients,
// for a deal) is linked to it with its title and state, and its
// responsible becomes the responsible of those clients' dialogs when it is
// their primary entity (a contact; a lead or deal of a client without one).
// responsible 0 leaves the dialogs as they are. It returns the dialogs
// whose responsible changed.
func (s *Store) RelinkEntity(ctx context.Context, portalID int64, l CRMLink, phones, instagram []string, contactIDs []int64, responsible int64) ([]int64, error) {
	var changed []int64
	err := s.all(ctx, &changed, `
		WITH matched AS (
			SELECT id FROM clients WHERE portal_id = $1 AND (phone = ANY($6) OR (transport = 'whatsapp' AND external_id = ANY($6))
				OR (transport = 'instagram' AND external_id = ANY($7)))
			UNION
			SELECT client_id FROM crm_links WHERE portal_id = $1 AND entity_type = 'contact' AND entity_id = ANY($8)
			UNION
			SELECT client_id FROM crm_links WHERE portal_id = $1 AND entity_type = $2 AND entity_id = $3
		), linked AS (
			INSERT INTO crm_links (portal_id, client_id, entity_type, entity_id, title, closed)
			SELECT $1, id, $2, $3, $4, $5 FROM matched
			ON CONFLICT (portal_id, client_id, entity_type, entity_id) DO UPDATE SET title = EXCLUDED.title, closed = EXCLUDED.closed
		)
		UPDATE dialogs d SET responsible_user_id = $9 FROM matched m
		WHERE $9 <> 0 AND d.portal_id = $1 AND d.client_id = m.id AND d.responsible_user_id IS DISTINCT FROM $9
			AND ($2 = 'contact' OR NOT EXISTS (SELECT 1 FROM crm_links c WHERE c.portal_id = $1 AND c.client_id = m.id AND c.entity_type = 'contact'))
		RETURNING d.id`,
		portalID, l.EntityType, l.EntityID, l.Title, l.Closed, pq.Array(phones), pq.Array(instagram), pq.Array(contactIDs), responsible)
	if err != nil {
		return nil, fmt.Errorf("db: unable to relink %s %d: %w", l.EntityType, l.EntityID, err)
	}
	return changed, nil
}

// CRMCursor is how far the reconciliation read an entity type's changes;
// zero when it never did.
func (s *Store) CRMCursor(ctx context.Context, portalID int64, entityType string) (time.Time, error) {
	var at time.Time
	err := s.get(ctx, &at, `SELECT modified_at FROM crm_cursors WHERE portal_id = $1 AND entity_type = $2`, portalID, entityType)
	if err = notFound(err); err == ErrNotFound {
		return time.Time{}, nil
	}
	if err != nil {
		return at, fmt.Errorf("db: unable to read the CRM cursor of %s: %w", entityType, err)
	}
	return at, nil
}

// SetCRMCursor moves the reconciliation's cursor of an entity type.
func (s *Store) SetCRMCursor(ctx context.Context, portalID int64, entityType string, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO crm_cursors (portal_id, entity_type, modified_at) VALUES ($1, $2, $3)
		ON CONFLICT (portal_id, entity_type) DO UPDATE SET modified_at = GREATEST(crm_cursors.modified_at, EXCLUDED.modified_at)`,
		portalID, entityType, at)
	if err != nil {
		return fmt.Errorf("db: unable to move the CRM cursor of %s: %w", entityType, err)
	}
	return nil
}

// EnabledPortals lists the ids of the portals with the app installed: the
// one query over every portal, for the worker's periodic reconciliation.
func (s *Store) EnabledPortals(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := s.all(ctx, &ids, `SELECT id FROM portals WHERE enabled ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list portals: %w", err)
	}
	return ids, nil
}

// PortalsWithCRMWork lists the portals whose CRM sync has work waiting:
// messages to mirror, clients to link, entities to read again.
func (s *Store) PortalsWithCRMWork(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := s.all(ctx, &ids, `SELECT DISTINCT portal_id FROM (
			(SELECT portal_id FROM timeline_queue LIMIT 1000)
			UNION ALL (SELECT portal_id FROM clients WHERE crm_state = 'new' LIMIT 1000)
			UNION ALL (SELECT portal_id FROM crm_dirty LIMIT 1000)) w`)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list portals with CRM work: %w", err)
	}
	return ids, nil
}
