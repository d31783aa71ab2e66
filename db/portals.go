package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Portal is one Bitrix24 account: the tenant.
type Portal struct {
	ID               int64           `db:"id"`
	Domain           string          `db:"domain"`
	MemberID         string          `db:"member_id"`
	BaseURL          string          `db:"base_url"`
	AccessToken      string          `db:"access_token"`
	RefreshToken     string          `db:"refresh_token"`
	TokenExpiresAt   *time.Time      `db:"token_expires_at"`
	ApplicationToken string          `db:"application_token"`
	Settings         json.RawMessage `db:"settings"`
	Enabled          bool            `db:"enabled"`
	CreatedAt        time.Time       `db:"created_at"`
	// Lang is the portal's language (the install's LANG): what the app
	// writes into the portal is in it.
	Lang string `db:"lang"`
}

const portalColumns = `id, domain, member_id, base_url, access_token, refresh_token, token_expires_at,
	application_token, settings, enabled, created_at, lang`

// UpsertPortal creates the portal of p.MemberID or updates its domain, URL,
// tokens and application token (a reinstall), and returns its id.
func (s *Store) UpsertPortal(ctx context.Context, p Portal) (int64, error) {
	var id int64
	err := s.get(ctx, &id, `
		INSERT INTO portals (domain, member_id, base_url, access_token, refresh_token, token_expires_at, application_token, lang)
		VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE(NULLIF($8, ''), 'en'))
		ON CONFLICT (member_id) DO UPDATE SET
			domain = EXCLUDED.domain, base_url = EXCLUDED.base_url,
			access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token,
			token_expires_at = EXCLUDED.token_expires_at,
			application_token = COALESCE(NULLIF(EXCLUDED.application_token, ''), portals.application_token),
			lang = COALESCE(NULLIF(EXCLUDED.lang, 'en'), portals.lang),
			enabled = true
		RETURNING id`,
		p.Domain, p.MemberID, p.BaseURL, p.AccessToken, p.RefreshToken, p.TokenExpiresAt, p.ApplicationToken, p.Lang)
	if err != nil {
		return 0, fmt.Errorf("db: unable to upsert portal %s: %w", p.MemberID, err)
	}
	return id, nil
}

// Portal loads a portal by id; ErrNotFound when there is none.
func (s *Store) Portal(ctx context.Context, id int64) (Portal, error) {
	var p Portal
	err := s.get(ctx, &p, `SELECT `+portalColumns+` FROM portals WHERE id = $1`, id)
	if err != nil {
		return p, fmt.Errorf("db: unable to fetch portal %d: %w", id, notFound(err))
	}
	return p, nil
}

// PortalByMemberID finds the portal of a Bitrix24 member_id (how requests from
// Bitrix24 find their tenant); ErrNotFound when there is none.
func (s *Store) PortalByMemberID(ctx context.Context, memberID string) (Portal, error) {
	var p Portal
	err := s.get(ctx, &p, `SELECT `+portalColumns+` FROM portals WHERE member_id = $1`, memberID)
	if err != nil {
		return p, fmt.Errorf("db: unable to fetch portal %s: %w", memberID, notFound(err))
	}
	return p, nil
}

// SetPortalEnabled turns a portal on or off (uninstall keeps its data).
func (s *Store) SetPortalEnabled(ctx context.Context, id int64, enabled bool) error {
	_, err := s.exec(ctx, `UPDATE portals SET enabled = $2 WHERE id = $1`, id, enabled)
	if err != nil {
		return fmt.Errorf("db: unable to update portal %d: %w", id, err)
	}
	return nil
}

// InstallState is what the install set up on a portal.
type InstallState struct {
	BotID        *int64 `db:"bot_id"`
	BotCommandID *int64 `db:"bot_command_id"`
	NotifyChatID *int64 `db:"notify_chat_id"`
	InstalledBy  *int64 `db:"installed_by"`
}

// PortalInstall reads what the install set up on a portal.
func (s *Store) PortalInstall(ctx context.Context, id int64) (InstallState, error) {
	var st InstallState
	err := s.get(ctx, &st, `SELECT bot_id, bot_command_id, notify_chat_id, installed_by FROM portals WHERE id = $1`, id)
	if err != nil {
		return st, fmt.Errorf("db: unable to read the install of portal %d: %w", id, notFound(err))
	}
	return st, nil
}

// SaveInstall records what the install set up and when it finished.
func (s *Store) SaveInstall(ctx context.Context, id int64, st InstallState) error {
	_, err := s.exec(ctx, `UPDATE portals SET bot_id = $2, bot_command_id = $3, notify_chat_id = $4,
		installed_by = $5, installed_at = now(), enabled = true WHERE id = $1`,
		id, st.BotID, st.BotCommandID, st.NotifyChatID, st.InstalledBy)
	if err != nil {
		return fmt.Errorf("db: unable to record the install of portal %d: %w", id, err)
	}
	return nil
}
