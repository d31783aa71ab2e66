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

// DialogView is a dialog the viewer may see, with its latest messages and
// why failed ones failed.
type DialogView struct {
	Dialog   db.DialogRow
	Messages []db.Message
	Failures map[int64]channels.Failure // by message id
	// WindowClosed: the transport's template window (WhatsApp's 24 hours)
	// is closed, only a template reaches the client; NeverWrote: the client
	// never wrote at all.
	WindowClosed, NeverWrote bool
}

// windowState tells whether a dialog's template window is closed, for a
// transport that has one.
func (in *Inbox) windowState(d db.DialogRow, now time.Time) (closed, never bool) {
	t, ok := in.Transports[d.Transport]
	if !ok || t.Capabilities().TemplateWindow == 0 {
		return false, false
	}
	if d.LastInboundAt == nil {
		return true, true
	}
	return now.Sub(*d.LastInboundAt) > t.Capabilities().TemplateWindow, false
}

// OpenDialog reads a dialog for a viewer: ErrNotFound (db) when it does not
// exist, is another portal's, or is hidden from them by settings 6/7.
func (in *Inbox) OpenDialog(ctx context.Context, v Viewer, id int64) (DialogView, error) {
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
	failures := map[int64]channels.Failure{}
	for _, m := range msgs {
		if m.Status == "failed" {
			failures[m.ID] = in.failure(d.Transport, m.ErrorCode, m.ErrorText)
		}
	}
	closed, never := in.windowState(d, in.Now())
	return DialogView{Dialog: d, Messages: msgs, Failures: failures, WindowClosed: closed, NeverWrote: never}, nil
}

// InboxList is the shared chat's list as one viewer sees it.
type InboxList struct {
	Dialogs []db.DialogRow
	Counts  db.InboxCounts
	Me      db.User
	// Backlog is what waits for the CRM sync: shown to administrators.
	Backlog *db.CRMBacklog
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
	if l.Me, err = in.Store.User(ctx, v.PortalID, v.UserID); err != nil {
		return l, err
	}
	if v.IsAdmin && in.Portal != nil {
		b, err := in.Store.CRMBacklog(ctx, v.PortalID)
		if err != nil {
			return l, err
		}
		l.Backlog = &b
	}
	return l, nil
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

// ClientDialog is the newest dialog of a client that v may see (a link
// from Bitrix24 names the client); ErrNotFound when there is none.
func (in *Inbox) ClientDialog(ctx context.Context, v Viewer, clientID int64) (int64, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return 0, err
	}
	return in.Store.ClientDialog(ctx, vis, clientID)
}
