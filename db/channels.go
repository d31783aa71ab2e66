package db

import (
	"context"
	"fmt"
	"time"
)

// Channel is one connected messenger account of a portal.
type Channel struct {
	PortalID    int64  `db:"portal_id"`
	ID          int64  `db:"id"`
	Transport   string `db:"transport"`
	ExternalID  string `db:"external_id"`
	Name        string `db:"name"`
	Mode        string `db:"mode"`
	HourlyLimit int    `db:"hourly_limit"`
	AccessToken string `db:"access_token"`
	AppSecret   string `db:"app_secret"`
	VerifyToken string `db:"verify_token"`
	APIBase     string `db:"api_base"`
	// SourceID is the CRM source (crm.status SOURCE) written on what the
	// CRM sync creates for this channel's clients; "" writes none.
	SourceID string `db:"source_id"`
	// Enabled is off for a channel the admin turned off: nothing is sent
	// through it, and what clients write still arrives.
	Enabled bool `db:"enabled"`
	// RemovedAt is set on a removed channel: its dialogs and history stay,
	// its webhooks are refused.
	RemovedAt *time.Time `db:"removed_at"`
	// VerifiedAt is when the provider's subscription handshake last
	// succeeded; nil until the webhook is set up.
	VerifiedAt *time.Time `db:"verified_at"`
	// BusinessID is a WhatsApp channel's Business Account (its templates).
	BusinessID string `db:"business_id"`
}

const channelColumns = `portal_id, id, transport, external_id, name, mode, hourly_limit,
	access_token, app_secret, verify_token, api_base, source_id, enabled, removed_at, verified_at, business_id`

// UpsertChannel creates the channel of (transport, external id) or updates
// its name and credentials, and returns its id.
func (s *Store) UpsertChannel(ctx context.Context, c Channel) (int64, error) {
	var id int64
	err := s.get(ctx, &id, `
		INSERT INTO channels (portal_id, transport, external_id, name, hourly_limit, access_token, app_secret, verify_token, api_base)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (transport, external_id) DO UPDATE SET
			name = EXCLUDED.name, access_token = EXCLUDED.access_token, app_secret = EXCLUDED.app_secret,
			verify_token = EXCLUDED.verify_token, api_base = EXCLUDED.api_base
		WHERE channels.portal_id = EXCLUDED.portal_id
		RETURNING id`,
		c.PortalID, c.Transport, c.ExternalID, c.Name, c.HourlyLimit, c.AccessToken, c.AppSecret, c.VerifyToken, c.APIBase)
	if err != nil {
		return 0, fmt.Errorf("db: unable to save channel %s/%s: %w", c.Transport, c.ExternalID, notFound(err))
	}
	return id, nil
}

// Channel loads one channel of a portal; ErrNotFound when there is none.
func (s *Store) Channel(ctx context.Context, portalID, id int64) (Channel, error) {
	var c Channel
	err := s.get(ctx, &c, `SELECT `+channelColumns+` FROM channels WHERE portal_id = $1 AND id = $2`, portalID, id)
	if err != nil {
		return c, fmt.Errorf("db: unable to fetch channel %d: %w", id, notFound(err))
	}
	return c, nil
}

// ChannelForWebhook finds the channel a webhook URL names (a removed one is
// ErrNotFound). It is how a webhook finds its portal, so it is not
// portal-scoped; the caller must verify the webhook's signature with the
// channel's secret before trusting anything else.
func (s *Store) ChannelForWebhook(ctx context.Context, transport string, id int64) (Channel, error) {
	var c Channel
	err := s.get(ctx, &c, `SELECT `+channelColumns+` FROM channels WHERE transport = $1 AND id = $2 AND removed_at IS NULL`, transport, id)
	if err != nil {
		return c, fmt.Errorf("db: unable to fetch %s channel %d: %w", transport, id, notFound(err))
	}
	return c, nil
}

// SetChannelSource records the CRM source written for a channel's clients.
func (s *Store) SetChannelSource(ctx context.Context, portalID, channelID int64, sourceID string) error {
	_, err := s.exec(ctx, `UPDATE channels SET source_id = $3 WHERE portal_id = $1 AND id = $2`, portalID, channelID, sourceID)
	if err != nil {
		return fmt.Errorf("db: unable to set the CRM source of channel %d: %w", channelID, err)
	}
	return nil
}

// SetChannelBusiness records a WhatsApp channel's Business Account id.
func (s *Store) SetChannelBusiness(ctx context.Context, portalID, channelID int64, businessID string) error {
	_, err := s.exec(ctx, `UPDATE channels SET business_id = $3 WHERE portal_id = $1 AND id = $2`, portalID, channelID, businessID)
	if err != nil {
		return fmt.Errorf("db: unable to set the business account of channel %d: %w", channelID, err)
	}
	return nil
}
