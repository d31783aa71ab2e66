package inbox

import (
	"context"
	"errors"
	"time"

	"switchboard/channels"
	"switchboard/db"
)

// messagesShown is how many of a dialog's latest messages a view shows.
const messagesShown = 200

// DialogView is a dialog the viewer may see, with its latest messages and,
// in the viewer's language, why failed ones failed.
type DialogView struct {
	Dialog   db.DialogRow
	Messages []db.Message
	Reasons  map[int64]string // by message id
	// WindowClosed: WhatsApp's 24-hour window is closed, only a template
	// reaches the client; NeverWrote: the client never wrote at all.
	WindowClosed, NeverWrote bool
}

// replyWindow is WhatsApp's customer-service window: free-form messages
// reach a client for 24 hours after their last message.
const replyWindow = 24 * time.Hour

// windowState tells whether a dialog's reply window is closed.
func windowState(d db.DialogRow, now time.Time) (closed, never bool) {
	if d.Transport != channels.WhatsApp {
		return false, false
	}
	if d.LastInboundAt == nil {
		return true, true
	}
	return now.Sub(*d.LastInboundAt) > replyWindow, false
}

// OpenDialog reads a dialog for a viewer: ErrNotFound (db) when it does not
// exist, is another portal's, or is hidden from them by settings 6/7.
func (in *Inbox) OpenDialog(ctx context.Context, v Viewer, id int64, lang string) (DialogView, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return DialogView{}, err
	}
	d, err := in.Store.Dialog(ctx, vis, id)
	if err != nil {
		return DialogView{}, err
	}
	msgs, err := in.Store.Messages(ctx, v.PortalID, d.ID, messagesShown)
	if err != nil {
		return DialogView{}, err
	}
	reasons := map[int64]string{}
	for _, m := range msgs {
		if m.Status == "failed" {
			reasons[m.ID] = in.FailureReason(d.Transport, m.ErrorCode, m.ErrorText, lang)
		}
	}
	closed, never := windowState(d, in.Now())
	return DialogView{Dialog: d, Messages: msgs, Reasons: reasons, WindowClosed: closed, NeverWrote: never}, nil
}

// InboxList is the shared chat's list as one viewer sees it.
type InboxList struct {
	Dialogs []db.DialogRow
	Counts  db.InboxCounts
	Me      db.User
}

// List reads the dialogs a viewer may see (only theirs with onlyMine),
// newest activity first, and the counters.
func (in *Inbox) List(ctx context.Context, v Viewer, onlyMine bool) (InboxList, error) {
	var l InboxList
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return l, err
	}
	if l.Dialogs, err = in.Store.Dialogs(ctx, vis, db.DialogFilter{OnlyMine: onlyMine}); err != nil {
		return l, err
	}
	if l.Counts, err = in.Store.Counts(ctx, vis); err != nil {
		return l, err
	}
	l.Me, err = in.Store.User(ctx, v.PortalID, v.UserID)
	return l, err
}

// Change is what one live event changed, as one viewer may see it.
type Change struct {
	Dialog db.DialogRow
	// Counts are read only when the event can change them (a new message,
	// a dialog read); nil otherwise.
	Counts *db.InboxCounts
	// Message is the message the event names, if any; New when it is new.
	Message *db.Message
	New     bool
	Reason  string // why Message failed, in the viewer's language
}

// SeeChange reads what an event changed for a viewer; ok is false when the
// viewer may not see the dialog, and then nothing of it is read.
func (in *Inbox) SeeChange(ctx context.Context, v Viewer, e Event, lang string) (c Change, ok bool, err error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return c, false, err
	}
	c.Dialog, err = in.Store.Dialog(ctx, vis, e.Dialog)
	if errors.Is(err, db.ErrNotFound) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if e.Kind == EventMessage || e.Kind == EventRead {
		counts, err := in.Store.Counts(ctx, vis)
		if err != nil {
			return c, false, err
		}
		c.Counts = &counts
	}
	if e.Message != 0 {
		m, err := in.Store.Message(ctx, vis.PortalID, e.Message)
		if err != nil {
			return c, false, err
		}
		c.Message, c.New = &m, e.Kind == EventMessage
		if m.Status == "failed" {
			c.Reason = in.FailureReason(c.Dialog.Transport, m.ErrorCode, m.ErrorText, lang)
		}
	}
	return c, true, nil
}

// Rows reads the rows of the given dialogs that the viewer may see, in the
// order asked; the others are left out.
func (in *Inbox) Rows(ctx context.Context, v Viewer, ids []int64) ([]db.DialogRow, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return nil, err
	}
	rows := make([]db.DialogRow, 0, len(ids))
	for _, id := range ids {
		d, err := in.Store.Dialog(ctx, vis, id)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, d)
	}
	return rows, nil
}
