package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"switchboard/channels"
	"switchboard/db"
)

// JobReadReceipt is the outbox job that tells the messenger the business
// read a client's messages: WhatsApp's status=read on the newest (the
// client sees blue ticks), Instagram's mark_seen.
const JobReadReceipt = "read_receipt"

// ReadReceiptPayload is a JobReadReceipt job's payload.
type ReadReceiptPayload struct {
	MessageID int64 `json:"message_id"`
}

// queueReadReceipt queues a read receipt for the dialog's newest inbound
// message, once per new inbound message however often the dialog is opened.
func (in *Inbox) queueReadReceipt(ctx context.Context, tx *db.Store, portalID, dialogID int64) error {
	msgID, ok, err := tx.ClaimReadReceipt(ctx, portalID, dialogID)
	if err != nil || !ok {
		return err
	}
	return tx.Enqueue(ctx, portalID, JobReadReceipt, ReadReceiptPayload{MessageID: msgID}, in.Now())
}

// runReadReceipt sends one read receipt. A refusal is not retried (a
// receipt is a courtesy: the next inbound message brings another); a
// transport without receipts has nothing to do.
func (in *Inbox) runReadReceipt(ctx context.Context, j db.Job) error {
	var p ReadReceiptPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return errPermanent{fmt.Errorf("inbox: bad %s payload: %w", j.Kind, err)}
	}
	m, err := in.Store.Message(ctx, j.PortalID, p.MessageID)
	if err != nil {
		return err
	}
	if m.ProviderID == nil {
		return nil
	}
	d, err := in.Store.Dialog(ctx, db.Visibility{PortalID: j.PortalID, All: true}, m.DialogID)
	if err != nil {
		return err
	}
	ch, t, err := in.channelOf(ctx, j.PortalID, d.ChannelID)
	if err != nil {
		return err
	}
	err = t.MarkRead(ctx, Account(ch), d.ClientExternalID, *m.ProviderID)
	var sendErr *channels.SendError
	switch {
	case errors.Is(err, channels.ErrUnsupported):
		return nil
	case errors.As(err, &sendErr) && !sendErr.Transient:
		return errPermanent{fmt.Errorf("inbox: read receipt of message %d: %w", m.ID, err)}
	}
	return err
}
