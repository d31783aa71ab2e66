package db

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// OutgoingTemplate is the template a template message goes out as.
type OutgoingTemplate struct {
	Name     string         `db:"name"`
	Language string         `db:"language"`
	Params   pq.StringArray `db:"params"`
}

// SaveOutgoingTemplate records the template of a queued template message.
func (s *Store) SaveOutgoingTemplate(ctx context.Context, portalID, messageID int64, t OutgoingTemplate) error {
	_, err := s.exec(ctx, `INSERT INTO outgoing_templates (portal_id, message_id, name, language, params)
		VALUES ($1, $2, $3, $4, $5)`, portalID, messageID, t.Name, t.Language, t.Params)
	if err != nil {
		return fmt.Errorf("db: unable to save the template of message %d: %w", messageID, err)
	}
	return nil
}

// OutgoingTemplateOf is the template of a template message; ErrNotFound
// when the message has none.
func (s *Store) OutgoingTemplateOf(ctx context.Context, portalID, messageID int64) (OutgoingTemplate, error) {
	var t OutgoingTemplate
	err := s.get(ctx, &t, `SELECT name, language, params FROM outgoing_templates
		WHERE portal_id = $1 AND message_id = $2`, portalID, messageID)
	if err != nil {
		return t, fmt.Errorf("db: unable to fetch the template of message %d: %w", messageID, notFound(err))
	}
	return t, nil
}
