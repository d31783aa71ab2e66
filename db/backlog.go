package db

import (
	"context"
	"fmt"
)

// BacklogItem is a webhook body kept raw for processing in the background.
type BacklogItem struct {
	PortalID  int64  `db:"portal_id"`
	ID        int64  `db:"id"`
	ChannelID int64  `db:"channel_id"`
	Signature string `db:"signature"` // the X-Hub-Signature-256 it came with
	Body      []byte `db:"body"`
	Processed bool   `db:"processed"`
}

// InsertBacklog keeps a webhook body and returns its id.
func (s *Store) InsertBacklog(ctx context.Context, b BacklogItem) (int64, error) {
	var id int64
	err := s.get(ctx, &id, `INSERT INTO webhook_backlog (portal_id, channel_id, signature, body)
		VALUES ($1, $2, $3, $4) RETURNING id`, b.PortalID, b.ChannelID, b.Signature, b.Body)
	if err != nil {
		return 0, fmt.Errorf("db: unable to keep a webhook of channel %d: %w", b.ChannelID, err)
	}
	return id, nil
}

// Backlog loads a kept webhook body; ErrNotFound when there is none.
func (s *Store) Backlog(ctx context.Context, portalID, id int64) (BacklogItem, error) {
	var b BacklogItem
	err := s.get(ctx, &b, `SELECT portal_id, id, channel_id, signature, body, processed_at IS NOT NULL AS processed
		FROM webhook_backlog WHERE portal_id = $1 AND id = $2`, portalID, id)
	if err != nil {
		return b, fmt.Errorf("db: unable to fetch kept webhook %d: %w", id, notFound(err))
	}
	return b, nil
}

// FinishBacklog marks a kept webhook processed, with a summary of what it did.
func (s *Store) FinishBacklog(ctx context.Context, portalID, id int64, result string) error {
	_, err := s.exec(ctx, `UPDATE webhook_backlog SET processed_at = now(), result = $3
		WHERE portal_id = $1 AND id = $2`, portalID, id, result)
	if err != nil {
		return fmt.Errorf("db: unable to finish kept webhook %d: %w", id, err)
	}
	return nil
}
