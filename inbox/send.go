package inbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
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

// Send queues a manager's text for a dialog they may see (SendMessage
// without files) and returns the message's id.
func (in *Inbox) Send(ctx context.Context, v Viewer, dialogID int64, text string) (int64, error) {
	sent, err := in.SendMessage(ctx, v, dialogID, text, nil)
	if err != nil {
		return 0, err
	}
	return sent.Messages[0].ID, nil
}

// Sent is what a send stored: the messages in sending order, as the dialog
// shows them, and the channel they go out on.
type Sent struct {
	Messages    []db.Message
	ChannelName string
}

// SendMessage queues what a manager wrote to a dialog they may see: the
// text and files, split into provider messages as planPieces decides and
// checked against the transport's limits first (a *RefusedError queues
// nothing). Each message is stored "queued" with its author and delivered
// by its own outbox job; the dialog counts as answered. A new dialog past
// its channel's plan limit has its messages stored "paused" (admit).
func (in *Inbox) SendMessage(ctx context.Context, v Viewer, dialogID int64, text string, files []Upload) (Sent, error) {
	return in.sendMessage(ctx, v, dialogID, text, files, 0)
}

// sendMessage is SendMessage with one of the viewer's templates (0: none),
// whose files go first (withTemplate).
func (in *Inbox) sendMessage(ctx context.Context, v Viewer, dialogID int64, text string, files []Upload, template int64) (Sent, error) {
	text = strings.TrimSpace(text)
	if text == "" && len(files) == 0 && template == 0 {
		return Sent{}, ErrEmpty
	}
	if utf8.RuneCountInString(text) > maxText {
		return Sent{}, ErrTooLong
	}
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return Sent{}, err
	}
	var sent Sent
	err = in.Store.InTx(ctx, func(tx *db.Store) error {
		d, err := tx.Dialog(ctx, vis, dialogID)
		if err != nil {
			return err
		}
		if ch, err := tx.Channel(ctx, v.PortalID, d.ChannelID); err != nil || !ch.Enabled {
			return cmp.Or(err, ErrChannelOff)
		}
		t, ok := in.Transports[d.Transport]
		if !ok {
			return fmt.Errorf("inbox: no transport %q", d.Transport)
		}
		if template != 0 {
			if text, files, err = in.withTemplate(ctx, tx, v, d, template, text, files); err != nil {
				return err
			}
			if text == "" && len(files) == 0 {
				return ErrEmpty
			}
		}
		pieces, err := planPieces(t, text, files)
		if err != nil {
			return err
		}
		// The dialog's row before the plan's windows: an ingest takes them in
		// that order too (its dialogs, then the windows its echoes count in).
		now, last := in.Now(), pieces[len(pieces)-1]
		err = tx.TouchDialog(ctx, v.PortalID, d.ID, db.Activity{
			At: now, Preview: Preview(last.Kind, last.Text), Direction: string(channels.Outbound), Answered: true,
		})
		if err != nil {
			return err
		}
		pause, err := in.admit(ctx, tx, d, now)
		if err != nil {
			return err
		}
		ids := make([]int64, 0, len(pieces))
		for _, p := range pieces {
			id, err := in.queuePiece(ctx, tx, v, d, p, pause, now)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if pause == nil { // what waits is mirrored once released: it never holds up the timeline
			if err := in.queueTimeline(ctx, tx, v.PortalID, ids); err != nil {
				return err
			}
		}
		sent = Sent{ChannelName: d.ChannelName}
		sent.Messages, err = tx.MessagesByID(ctx, v.PortalID, ids)
		return err
	})
	if err != nil {
		return Sent{}, fmt.Errorf("inbox: unable to send to dialog %d: %w", dialogID, err)
	}
	return sent, nil
}

// queuePiece stores one provider message of a composer message, with its
// file, and queues its delivery; with a pause (the plan limit), it is
// stored "paused" and waits for its window instead.
func (in *Inbox) queuePiece(ctx context.Context, tx *db.Store, v Viewer, d db.DialogRow, p piece, pause *db.Pause, now time.Time) (int64, error) {
	author := v.UserID
	status := "queued"
	if pause != nil {
		status = "paused"
	}
	msgID, _, err := tx.InsertMessage(ctx, db.Message{
		PortalID: v.PortalID, DialogID: d.ID, ChannelID: d.ChannelID, Direction: string(channels.Outbound),
		AuthorUserID: &author, Kind: string(p.Kind), Body: p.Text, Status: status, CreatedAt: now,
	})
	if err != nil {
		return 0, err
	}
	if f := p.File; f != nil {
		_, err := tx.InsertAttachment(ctx, db.Attachment{
			PortalID: v.PortalID, MessageID: msgID, FileName: f.FileName, MIME: f.MIME, Size: f.Size,
			SHA256: f.SHA256, StorageKey: f.Key, State: db.AttachmentReady,
		})
		if err != nil {
			return 0, err
		}
	}
	if pause != nil {
		err = tx.PauseMessage(ctx, v.PortalID, d.ChannelID, d.ID, msgID, *pause, now)
	} else {
		err = tx.Enqueue(ctx, v.PortalID, JobSend, SendPayload{MessageID: msgID}, now)
	}
	if err != nil {
		return 0, err
	}
	// Any message a manager sends answers the client: their line goes.
	if err := in.queueNotify(ctx, tx, v.PortalID, d.ID); err != nil {
		return 0, err
	}
	return msgID, tx.LogEvents(ctx, in.Now(), Event{Portal: v.PortalID, Dialog: d.ID, Message: msgID, Kind: EventMessage})
}

// MarkRead zeroes the unread count of a dialog the viewer opened and
// queues the read receipt the client sees (once per new inbound message).
func (in *Inbox) MarkRead(ctx context.Context, v Viewer, dialogID int64) error {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return err
	}
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		changed, err := tx.MarkRead(ctx, vis, dialogID)
		if err != nil || !changed {
			return err
		}
		if err := in.queueReadReceipt(ctx, tx, v.PortalID, dialogID); err != nil {
			return err
		}
		return tx.LogEvents(ctx, in.Now(), Event{Portal: v.PortalID, Dialog: dialogID, Kind: EventRead})
	})
}
