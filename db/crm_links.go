package db

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// CRMLink ties a client to a lead, contact or deal.
type CRMLink struct {
	PortalID   int64  `db:"portal_id"`
	ClientID   int64  `db:"client_id"`
	EntityType string `db:"entity_type"` // lead, contact, deal
	EntityID   int64  `db:"entity_id"`
	Title      string `db:"title"`
	Closed     bool   `db:"closed"`
}

// DialogsOfPhones lists the dialogs v may see whose client has one of the
// phones (digits only), newest activity first: a CRM card's dialogs.
func (s *Store) DialogsOfPhones(ctx context.Context, v Visibility, phones []string) ([]DialogRow, error) {
	var rows []DialogRow
	err := s.all(ctx, &rows, dialogRowSelect+` WHERE `+visible+`
		AND (cl.phone = ANY($5) OR (cl.transport = 'whatsapp' AND cl.external_id = ANY($5)))
		ORDER BY d.last_message_at DESC, d.id DESC LIMIT 100`, append(v.args(), pq.Array(phones))...)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list dialogs of phones: %w", err)
	}
	return rows, nil
}

// LinkClients records that the clients with these phones belong to a CRM
// entity (the card they were seen on).
func (s *Store) LinkClients(ctx context.Context, portalID int64, phones []string, l CRMLink) error {
	_, err := s.exec(ctx, `
		INSERT INTO crm_links (portal_id, client_id, entity_type, entity_id, title, closed)
		SELECT $1, id, $3, $4, $5, $6 FROM clients
		WHERE portal_id = $1 AND (phone = ANY($2) OR (transport = 'whatsapp' AND external_id = ANY($2)))
		ON CONFLICT (portal_id, client_id, entity_type, entity_id) DO UPDATE SET title = EXCLUDED.title, closed = EXCLUDED.closed`,
		portalID, pq.Array(phones), l.EntityType, l.EntityID, l.Title, l.Closed)
	if err != nil {
		return fmt.Errorf("db: unable to link clients to %s %d: %w", l.EntityType, l.EntityID, err)
	}
	return nil
}
