package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"switchboard/channels"
	"switchboard/db"
)

// JobSend is the outbox job that hands one message to its transport.
const JobSend = "send"

// SendPayload is a JobSend job's payload.
type SendPayload struct {
	MessageID int64 `json:"message_id"`
}

// Errors of a message the composer cannot send.
var (
	ErrEmpty   = errors.New("inbox: the message is empty")
	ErrTooLong = fmt.Errorf("inbox: the message is longer than %d characters", maxText)
)

// maxText is the longest text we accept from the composer; transports check
// their own, stricter limits before sending.
const maxText = 4096

// Send queues a manager's text for a dialog they may see: the message is
// stored "queued" with its author, the dialog counts as answered, and an
// outbox job delivers it.
func (in *Inbox) Send(ctx context.Context, v Viewer, dialogID int64, text string) (int64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, ErrEmpty
	}
	if utf8.RuneCountInString(text) > maxText {
		return 0, ErrTooLong
	}
	vis, err := in.Visibility(ctx, v)
	if err != nil {
		return 0, err
	}
	var msgID int64
	err = in.Store.InTx(ctx, func(tx *db.Store) error {
		d, err := tx.Dialog(ctx, vis, dialogID)
		if err != nil {
			return err
		}
		now := in.Now()
		author := v.UserID
		msgID, _, err = tx.InsertMessage(ctx, db.Message{
			PortalID: v.PortalID, DialogID: d.ID, ChannelID: d.ChannelID, Direction: string(channels.Outbound),
			AuthorUserID: &author, Kind: string(channels.KindText), Body: text, Status: "queued", CreatedAt: now,
		})
		if err != nil {
			return err
		}
		err = tx.TouchDialog(ctx, v.PortalID, d.ID, db.Activity{
			At: now, Preview: Preview(channels.KindText, text), Direction: string(channels.Outbound), Answered: true,
		})
		if err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, v.PortalID, JobSend, SendPayload{MessageID: msgID}, now); err != nil {
			return err
		}
		return tx.Notify(ctx, Event{Portal: v.PortalID, Dialog: d.ID, Message: msgID, Kind: EventMessage})
	})
	if err != nil {
		return 0, fmt.Errorf("inbox: unable to send to dialog %d: %w", dialogID, err)
	}
	return msgID, nil
}

// MarkRead zeroes the unread count of a dialog the viewer opened.
func (in *Inbox) MarkRead(ctx context.Context, v Viewer, dialogID int64) error {
	vis, err := in.Visibility(ctx, v)
	if err != nil {
		return err
	}
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		changed, err := tx.MarkRead(ctx, vis, dialogID)
		if err != nil || !changed {
			return err
		}
		return tx.Notify(ctx, Event{Portal: v.PortalID, Dialog: dialogID, Kind: EventRead})
	})
}
