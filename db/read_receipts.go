package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ClaimReadReceipt moves a dialog's read receipt up to its newest inbound
// message (one the provider knows: it has a provider id) and returns that
// message's id; ok is false when no inbound message came since the last
// receipt. Two openings at once claim it once.
func (s *Store) ClaimReadReceipt(ctx context.Context, portalID, dialogID int64) (messageID int64, ok bool, err error) {
	err = s.get(ctx, &messageID, `
		WITH newest AS (
			SELECT max(id) AS id FROM messages
			WHERE portal_id = $1 AND dialog_id = $2 AND direction = 'in' AND provider_id IS NOT NULL)
		UPDATE dialogs d SET read_receipt_id = newest.id FROM newest
		WHERE d.id = $2 AND `+byID("d", "$1")+` AND newest.id > d.read_receipt_id
		RETURNING d.read_receipt_id`, portalID, dialogID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("db: unable to claim the read receipt of dialog %d: %w", dialogID, err)
	}
	return messageID, true, nil
}
