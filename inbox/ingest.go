package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"switchboard/channels"
	"switchboard/db"
)

// IngestResult counts what a webhook changed.
type IngestResult struct {
	Stored     int // new messages
	Duplicates int // messages already stored (a retried webhook)
	Statuses   int // delivery statuses applied
	Changes    int // reactions, edits and deletes applied
	Orphans    int // edits and deletes whose message we do not have
}

// Ingest stores everything one webhook carried for a channel in ONE
// transaction: clients, dialogs, messages (each provider id once), exact
// unread counts, statuses, and the live events, published on commit.
func (in *Inbox) Ingest(ctx context.Context, ch db.Channel, w *channels.Webhook) (IngestResult, error) {
	var res IngestResult
	err := in.Store.InTx(ctx, func(tx *db.Store) error {
		var err error
		res, err = in.ingestTx(ctx, tx, ch, w)
		return err
	})
	if err != nil {
		return IngestResult{}, fmt.Errorf("inbox: unable to ingest webhook of channel %d: %w", ch.ID, err)
	}
	return res, nil
}

// ingestTx is Ingest inside the caller's transaction.
func (in *Inbox) ingestTx(ctx context.Context, tx *db.Store, ch db.Channel, w *channels.Webhook) (IngestResult, error) {
	var res IngestResult
	err := func() error {
		for _, m := range w.Messages {
			// Per message: a body may carry live changes beside a backfill.
			stored, err := in.ingestMessage(ctx, tx, ch, m, m.History)
			if err != nil {
				return err
			}
			if stored {
				res.Stored++
			} else {
				res.Duplicates++
			}
		}
		for _, st := range w.Statuses {
			applied, err := applyStatus(ctx, tx, ch, st, in.Now())
			if err != nil {
				return err
			}
			if applied {
				res.Statuses++
			}
		}
		return in.applyChanges(ctx, tx, ch, w, &res)
	}()
	return res, err
}

func (in *Inbox) ingestMessage(ctx context.Context, tx *db.Store, ch db.Channel, m channels.Message, history bool) (bool, error) {
	if m.ProviderID == "" || m.Peer.ID == "" {
		return false, errors.New("inbox: a message without a provider id or peer cannot be stored")
	}
	clientID, err := tx.UpsertClient(ctx, db.Client{
		PortalID: ch.PortalID, Transport: ch.Transport, ExternalID: m.Peer.ID, Phone: m.Peer.Phone, Name: m.Peer.Name,
	})
	if err != nil {
		return false, err
	}
	at := m.SentAt
	if at.IsZero() {
		at = in.Now()
	}
	dialogID, err := tx.EnsureDialog(ctx, ch.PortalID, ch.ID, clientID, at)
	if err != nil {
		return false, err
	}
	providerID := m.ProviderID
	status := "received"
	if m.Direction == channels.Outbound {
		status = "sent"
	}
	msgID, inserted, err := tx.InsertMessage(ctx, db.Message{
		PortalID: ch.PortalID, DialogID: dialogID, ChannelID: ch.ID, Direction: string(m.Direction),
		FromPhone: m.FromPhone, Kind: string(m.Kind), Body: m.Text, ProviderID: &providerID, Status: status,
		ReplyTo: m.ReplyTo, Forwarded: m.Forwarded, CreatedAt: at,
	})
	if err != nil || !inserted {
		return false, err
	}
	if err := in.attachInbound(ctx, tx, ch, msgID, m.Media); err != nil {
		return false, err
	}
	inbound := m.Direction == channels.Inbound
	err = tx.TouchDialog(ctx, ch.PortalID, dialogID, db.Activity{
		At: at, Preview: Preview(m.Kind, m.Text), Direction: string(m.Direction),
		Unread: inbound && !history, Answered: !inbound && !history,
	})
	if err != nil {
		return false, err
	}
	if history {
		return true, nil
	}
	return true, tx.Notify(ctx, Event{Portal: ch.PortalID, Dialog: dialogID, Message: msgID, Kind: EventMessage})
}

func applyStatus(ctx context.Context, tx *db.Store, ch db.Channel, st channels.Status, now time.Time) (bool, error) {
	msgID, dialogID, found, changed, err := tx.ApplyStatus(ctx, db.StatusUpdate{
		PortalID: ch.PortalID, ChannelID: ch.ID, ProviderID: st.ProviderID, Status: st.State,
		ErrorCode: st.ErrorCode, ErrorText: st.ErrorTitle, At: now,
	})
	if err != nil || !found || !changed {
		return false, err
	}
	return true, tx.Notify(ctx, Event{Portal: ch.PortalID, Dialog: dialogID, Message: msgID, Kind: EventStatus})
}

// previewLen is how many characters of a message the dialog list shows.
const previewLen = 80

// Preview is the dialog list's one-line summary of a message.
func Preview(kind channels.Kind, text string) string {
	if text == "" && kind != channels.KindText {
		text = "[" + string(kind) + "]"
	}
	if utf8.RuneCountInString(text) > previewLen {
		r := []rune(text)
		text = string(r[:previewLen-1]) + "…"
	}
	return text
}
