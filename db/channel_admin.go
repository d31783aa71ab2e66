package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrChannelTaken is an account already connected: to this portal, or to
// another one (which must not learn more than that).
var ErrChannelTaken = errors.New("db: the account is already connected")

// PortalChannels lists a portal's channels that are not removed, oldest
// first.
func (s *Store) PortalChannels(ctx context.Context, portalID int64) ([]Channel, error) {
	var cs []Channel
	err := s.all(ctx, &cs, `SELECT `+channelColumns+` FROM channels
		WHERE portal_id = $1 AND removed_at IS NULL ORDER BY id`, portalID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list the channels of portal %d: %w", portalID, err)
	}
	return cs, nil
}

// AddChannel connects an account and returns the stored row. An account
// this portal removed before comes back with its dialogs and history and
// the new credentials, waiting for a new handshake; one connected now, here
// or on another portal, is ErrChannelTaken.
func (s *Store) AddChannel(ctx context.Context, c Channel) (Channel, error) {
	var out Channel
	err := s.get(ctx, &out, `
		INSERT INTO channels (portal_id, transport, external_id, name, mode, access_token, app_secret, verify_token, api_base,
			business_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (transport, external_id) DO UPDATE SET
			name = EXCLUDED.name, mode = EXCLUDED.mode, access_token = EXCLUDED.access_token,
			app_secret = EXCLUDED.app_secret, verify_token = EXCLUDED.verify_token, api_base = EXCLUDED.api_base,
			business_id = EXCLUDED.business_id,
			enabled = true, removed_at = NULL, verified_at = NULL
		WHERE channels.portal_id = EXCLUDED.portal_id AND channels.removed_at IS NOT NULL
		RETURNING `+channelColumns,
		c.PortalID, c.Transport, c.ExternalID, c.Name, c.Mode, c.AccessToken, c.AppSecret, c.VerifyToken, c.APIBase,
		c.BusinessID)
	if errors.Is(notFound(err), ErrNotFound) {
		return out, fmt.Errorf("db: channel %s/%s: %w", c.Transport, c.ExternalID, ErrChannelTaken)
	}
	if err != nil {
		return out, fmt.Errorf("db: unable to add channel %s/%s: %w", c.Transport, c.ExternalID, err)
	}
	return out, nil
}

// ChannelChange is what the settings page changes on a channel; a nil field
// stays as it is.
type ChannelChange struct {
	Name    *string
	Mode    *string
	Enabled *bool
}

// ChangeChannel applies a change to a portal's channel that is not removed;
// ErrNotFound when there is none.
func (s *Store) ChangeChannel(ctx context.Context, portalID, id int64, c ChannelChange) error {
	res, err := s.exec(ctx, `UPDATE channels SET name = COALESCE($3, name), mode = COALESCE($4, mode),
		enabled = COALESCE($5, enabled) WHERE portal_id = $1 AND id = $2 AND removed_at IS NULL`,
		portalID, id, c.Name, c.Mode, c.Enabled)
	if err != nil {
		return fmt.Errorf("db: unable to change channel %d: %w", id, err)
	}
	return affected(res, id)
}

// RemoveChannel removes a channel: its dialogs and messages stay, its
// credentials are erased and its webhooks refused. ErrNotFound when the
// portal has no such channel (or removed it already).
func (s *Store) RemoveChannel(ctx context.Context, portalID, id int64, at time.Time) error {
	res, err := s.exec(ctx, `UPDATE channels SET removed_at = $3, enabled = false, access_token = '', app_secret = '',
		verified_at = NULL WHERE portal_id = $1 AND id = $2 AND removed_at IS NULL`, portalID, id, at)
	if err != nil {
		return fmt.Errorf("db: unable to remove channel %d: %w", id, err)
	}
	return affected(res, id)
}

// MarkChannelVerified records a successful subscription handshake.
func (s *Store) MarkChannelVerified(ctx context.Context, portalID, id int64, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE channels SET verified_at = $3 WHERE portal_id = $1 AND id = $2`, portalID, id, at)
	if err != nil {
		return fmt.Errorf("db: unable to mark channel %d verified: %w", id, err)
	}
	return nil
}

// affected is ErrNotFound when an update touched no row.
func affected(res sql.Result, id int64) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("db: unable to count what changed on %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("db: %d: %w", id, ErrNotFound)
	}
	return nil
}

// ChannelPeers lists the external ids of the clients with a dialog on a
// channel.
func (s *Store) ChannelPeers(ctx context.Context, portalID, channelID int64) ([]string, error) {
	var ids []string
	err := s.all(ctx, &ids, `SELECT cl.external_id FROM dialogs d JOIN clients cl ON cl.id = d.client_id
		WHERE d.portal_id = $1 AND d.channel_id = $2`, portalID, channelID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list the clients of channel %d: %w", channelID, err)
	}
	return ids, nil
}
