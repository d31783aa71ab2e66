package db

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// RequestProfiles marks the clients of (transport, external ids) whose
// profile was never asked for as asked at at, and returns their ids: each
// is returned once, ever.
func (s *Store) RequestProfiles(ctx context.Context, portalID int64, transport string, externalIDs []string, at time.Time) ([]int64, error) {
	var ids []int64
	err := s.all(ctx, &ids, `UPDATE clients SET profile_requested_at = $4
		WHERE portal_id = $1 AND transport = $2 AND external_id = ANY($3) AND profile_requested_at IS NULL
		RETURNING id`, portalID, transport, pq.Array(externalIDs), at)
	if err != nil {
		return nil, fmt.Errorf("db: unable to request %d client profiles: %w", len(externalIDs), err)
	}
	return ids, nil
}

// ProfileTarget is where a client's profile is read: their id at the
// messenger and a channel they wrote to.
type ProfileTarget struct {
	ExternalID string `db:"external_id"`
	ChannelID  int64  `db:"channel_id"`
}

// ProfileTargetOf is a client's ProfileTarget; ErrNotFound when the client
// has no dialog.
func (s *Store) ProfileTargetOf(ctx context.Context, portalID, clientID int64) (ProfileTarget, error) {
	var t ProfileTarget
	err := s.get(ctx, &t, `SELECT c.external_id, d.channel_id FROM clients c
		JOIN dialogs d ON d.portal_id = c.portal_id AND d.client_id = c.id
		WHERE c.id = $2 AND `+byID("c", "$1")+` ORDER BY d.id LIMIT 1`, portalID, clientID)
	if err != nil {
		return t, fmt.Errorf("db: unable to find where client %d writes: %w", clientID, notFound(err))
	}
	return t, nil
}

// SaveProfile stores a client's profile: the name only when we had none
// (a name the CRM or a manager gave stays), the username and picture link
// always. It returns the client's dialogs, whose rows show the name.
func (s *Store) SaveProfile(ctx context.Context, portalID, clientID int64, name, username, picture string) ([]int64, error) {
	_, err := s.exec(ctx, `UPDATE clients SET name = CASE WHEN name = '' THEN $3 ELSE name END,
		username = $4, picture_url = $5 WHERE id = $2 AND `+byID("clients", "$1"), portalID, clientID, name, username, picture)
	if err != nil {
		return nil, fmt.Errorf("db: unable to save the profile of client %d: %w", clientID, err)
	}
	var dialogs []int64
	err = s.all(ctx, &dialogs, `SELECT id FROM dialogs WHERE portal_id = $1 AND client_id = $2 ORDER BY id`, portalID, clientID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list the dialogs of client %d: %w", clientID, err)
	}
	return dialogs, nil
}
