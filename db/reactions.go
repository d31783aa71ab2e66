package db

import (
	"context"
	"fmt"
	"time"
)

// Reaction is one side's reaction to a message, by the message's provider id.
type Reaction struct {
	PortalID  int64
	ChannelID int64
	TargetID  string // provider id of the message reacted to
	Direction string // "in" (the client) or "out" (the business)
	Emoji     string // empty removes the side's reaction
	At        time.Time
}

// SetReaction records (or, with an empty emoji, removes) one side's reaction.
// A reaction older than the one stored is ignored, so reordered webhooks end
// in the latest state.
func (s *Store) SetReaction(ctx context.Context, r Reaction) error {
	_, err := s.exec(ctx, `
		INSERT INTO reactions (portal_id, channel_id, target_id, direction, emoji, reacted_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (channel_id, target_id, direction) DO UPDATE SET emoji = EXCLUDED.emoji, reacted_at = EXCLUDED.reacted_at
		WHERE reactions.portal_id = EXCLUDED.portal_id AND reactions.reacted_at <= EXCLUDED.reacted_at`,
		r.PortalID, r.ChannelID, r.TargetID, r.Direction, r.Emoji, r.At)
	if err != nil {
		return fmt.Errorf("db: unable to record reaction to %s: %w", r.TargetID, err)
	}
	return nil
}

// reactionsOf aggregates the non-empty reactions on messages m.
const reactionsOf = `COALESCE((SELECT string_agg(r.emoji, ' ' ORDER BY r.direction)
	FROM reactions r WHERE r.portal_id = m.portal_id AND r.channel_id = m.channel_id
	AND r.target_id = m.provider_id AND r.emoji <> ''), '') AS reactions`
