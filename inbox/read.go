package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"switchboard/channels"
	"switchboard/db"
)

// How much of a conversation a view shows: its latest messages, and each
// page of earlier ones; around a search hit outside them, so many before
// the hit and so many from it on.
const (
	messagesShown = 200
	hitBefore     = 50
	hitFrom       = 150
)

// DialogView is a client's conversation as the viewer may see it: every
// visible dialog of the client merged, the latest messages in time order,
// why failed ones failed, the channels the composer may pick, and the
// client's CRM records.
type DialogView struct {
	// Dialog is the composer's dialog: the one asked for by channel, else
	// the one of the client's last inbound message.
	Dialog db.DialogRow
	// Dialogs are the client's dialogs the viewer may see, newest first.
	Dialogs  []db.DialogRow
	Messages []db.Message
	Failures map[int64]channels.Failure // by message id
	// Channels are the portal's channels, for the composer's switcher.
	Channels []db.Channel
	// Links are the client's leads, contacts and deals, closed ones too.
	Links []db.CRMLink
	// WindowClosed: the transport's template window (WhatsApp's 24 hours)
	// is closed, only a template reaches the client; NeverWrote: the client
	// never wrote at all.
	WindowClosed, NeverWrote bool
	// Earlier: the history goes on above the first message shown. Later:
	// the messages shown are a part of the history (around a search hit)
	// that its latest messages follow.
	Earlier, Later bool
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

// OpenDialog reads the conversation of a dialog's client for a viewer,
// the composer on the channel of the client's last inbound message:
// ErrNotFound (db) when the dialog does not exist, is another portal's, or
// is hidden from them by settings 6/7.
func (in *Inbox) OpenDialog(ctx context.Context, v Viewer, id int64) (DialogView, error) {
	return in.OpenConversation(ctx, v, id, 0)
}

// OpenConversation is OpenDialog with the composer on channelID (0: the
// channel of the client's last inbound message). A channel the client has
// no dialog on yet gets a composer that starts one; its DialogView.Dialog
// then has no ID.
func (in *Inbox) OpenConversation(ctx context.Context, v Viewer, id, channelID int64) (DialogView, error) {
	vis, d, err := in.visibleDialog(ctx, v, id)
	if err != nil {
		return DialogView{}, err
	}
	return in.conversation(ctx, v, vis, d.ClientID, channelID)
}

// visibleDialog is the viewer's visibility and a dialog they may see:
// ErrNotFound (db) for any other.
func (in *Inbox) visibleDialog(ctx context.Context, v Viewer, id int64) (db.Visibility, db.DialogRow, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return db.Visibility{}, db.DialogRow{}, err
	}
	d, err := in.Store.Dialog(ctx, vis, id)
	return vis, d, err
}

// ClientConversation is OpenConversation by client: ErrNotFound when the
// viewer sees no dialog of the client.
func (in *Inbox) ClientConversation(ctx context.Context, v Viewer, clientID, channelID int64) (DialogView, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return DialogView{}, err
	}
	return in.conversation(ctx, v, vis, clientID, channelID)
}

func (in *Inbox) conversation(ctx context.Context, v Viewer, vis db.Visibility, clientID, channelID int64) (DialogView, error) {
	view := DialogView{Failures: map[int64]channels.Failure{}}
	var err error
	if view.Dialogs, err = in.Store.ClientDialogs(ctx, vis, clientID); err != nil {
		return DialogView{}, err
	}
	if len(view.Dialogs) == 0 {
		return DialogView{}, fmt.Errorf("inbox: client %d: %w", clientID, ErrNotFound)
	}
	if view.Channels, err = in.Store.Channels(ctx, v.PortalID); err != nil {
		return DialogView{}, err
	}
	if view.Dialog, err = composerDialog(view.Dialogs, view.Channels, channelID); err != nil {
		return DialogView{}, err
	}
	if view.Messages, err = in.Store.ClientMessages(ctx, vis, clientID, messagesShown+1); err != nil {
		return DialogView{}, err
	}
	view.Messages, view.Earlier = firstDropped(view.Messages, messagesShown)
	if view.Links, err = in.Store.ClientLinks(ctx, v.PortalID, []int64{clientID}); err != nil {
		return DialogView{}, err
	}
	in.explainFailures(&view)
	view.WindowClosed, view.NeverWrote = in.windowState(view.Dialog, in.Now())
	return view, nil
}

// firstDropped is ms without its first message when it has more than n
// (asked for one more than shown, to know whether there are more), and
// whether it had.
func firstDropped(ms []db.Message, n int) ([]db.Message, bool) {
	if len(ms) > n {
		return ms[len(ms)-n:], true
	}
	return ms, false
}

// explainFailures says why each failed message of the view failed.
func (in *Inbox) explainFailures(view *DialogView) {
	for _, m := range view.Messages {
		if m.Status == "failed" {
			view.Failures[m.ID] = in.failure(view.Dialog.Transport, m.ErrorCode, m.ErrorText)
		}
	}
}

// OpenDialogAt is OpenDialog showing message `at` (a search hit): when it
// is older than the latest messages, the view is the part of the history
// around it (Later), with hitBefore messages before it. A message the
// viewer may not see, or not the client's, is ignored.
func (in *Inbox) OpenDialogAt(ctx context.Context, v Viewer, id, at int64) (DialogView, error) {
	vis, d, err := in.visibleDialog(ctx, v, id)
	if err != nil {
		return DialogView{}, err
	}
	view, err := in.conversation(ctx, v, vis, d.ClientID, 0)
	if err != nil || at == 0 || slices.ContainsFunc(view.Messages, func(m db.Message) bool { return m.ID == at }) {
		return view, err
	}
	client := d.ClientID
	from, err := in.Store.ClientMessagesFrom(ctx, vis, client, at, hitFrom+1)
	if err != nil || len(from) == 0 {
		return view, err
	}
	before, err := in.Store.ClientMessagesBefore(ctx, vis, client, at, hitBefore+1)
	if err != nil {
		return DialogView{}, err
	}
	before, view.Earlier = firstDropped(before, hitBefore)
	if len(from) > hitFrom {
		from, view.Later = from[:hitFrom], true
	}
	view.Messages = append(before, from...)
	in.explainFailures(&view)
	return view, nil
}

// EarlierMessages is the page of a conversation's history above message
// `before`, for a viewer who may see the dialog: ErrNotFound otherwise.
// Earlier tells whether the history goes on above it.
func (in *Inbox) EarlierMessages(ctx context.Context, v Viewer, id, before int64) (DialogView, error) {
	vis, d, err := in.visibleDialog(ctx, v, id)
	if err != nil {
		return DialogView{}, err
	}
	view := DialogView{Dialog: d, Failures: map[int64]channels.Failure{}}
	if view.Channels, err = in.Store.Channels(ctx, v.PortalID); err != nil {
		return DialogView{}, err
	}
	ms, err := in.Store.ClientMessagesBefore(ctx, vis, d.ClientID, before, messagesShown+1)
	if err != nil {
		return DialogView{}, err
	}
	view.Messages, view.Earlier = firstDropped(ms, messagesShown)
	in.explainFailures(&view)
	return view, nil
}

// composerDialog picks the composer's dialog among a client's visible ones
// (newest first, at least one): on channelID when asked (a channel of the
// client's transport without a dialog yet gives a row with no ID), else on
// the channel of the last inbound message, else the newest. ErrNotFound
// for a channel that is not the portal's or cannot reach the client.
func composerDialog(dialogs []db.DialogRow, chans []db.Channel, channelID int64) (db.DialogRow, error) {
	if channelID == 0 {
		best := dialogs[0]
		for _, d := range dialogs {
			if d.LastInboundAt != nil && (best.LastInboundAt == nil || d.LastInboundAt.After(*best.LastInboundAt)) {
				best = d
			}
		}
		return best, nil
	}
	for _, d := range dialogs {
		if d.ChannelID == channelID {
			return d, nil
		}
	}
	for _, ch := range chans {
		if ch.ID == channelID && ch.Transport == dialogs[0].Transport {
			d := dialogs[0]
			d.ID, d.ChannelID, d.ChannelName, d.UnreadCount, d.LastInboundAt = 0, ch.ID, ch.Name, 0, nil
			return d, nil
		}
	}
	return db.DialogRow{}, fmt.Errorf("inbox: channel %d cannot reach client %d: %w", channelID, dialogs[0].ClientID, ErrNotFound)
}

// InboxList is the shared chat's list as one viewer sees it.
type InboxList struct {
	Dialogs []db.DialogRow // one per client
	Counts  db.InboxCounts
	Me      db.User
	// Backlog is what waits for the CRM sync: shown to administrators.
	Backlog *db.CRMBacklog
}

// Filter is one of the list's filters.
type Filter string

// The list's filters.
const (
	FilterAll        Filter = "all"
	FilterMine       Filter = "mine"       // where the viewer is responsible
	FilterUnanswered Filter = "unanswered" // the client wrote last and waits
)

// FilterOf reads a filter's name; anything else is FilterAll.
func FilterOf(name string) Filter {
	switch f := Filter(name); f {
	case FilterMine, FilterUnanswered:
		return f
	}
	return FilterAll
}

// List reads the conversations a viewer may see through a filter, one row
// per client, newest activity first, and the counters.
func (in *Inbox) List(ctx context.Context, v Viewer, f Filter) (InboxList, error) {
	var l InboxList
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return l, err
	}
	lf := db.ListFilter{Mine: f == FilterMine, Unanswered: f == FilterUnanswered}
	if l.Dialogs, err = in.Store.Conversations(ctx, vis, lf); err != nil {
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

// Rows reads the conversation rows of the given dialogs' clients that the
// viewer may see, in the order asked, each client once; the others are
// left out.
func (in *Inbox) Rows(ctx context.Context, v Viewer, ids []int64) ([]db.DialogRow, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return nil, err
	}
	rows := make([]db.DialogRow, 0, len(ids))
	seen := map[int64]bool{}
	for _, id := range ids {
		d, err := in.Store.Dialog(ctx, vis, id)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if seen[d.ClientID] {
			continue
		}
		seen[d.ClientID] = true
		ds, err := in.Store.ClientDialogs(ctx, vis, d.ClientID)
		if err != nil {
			return nil, err
		}
		if row := conversationOf(vis, ds); row != nil {
			rows = append(rows, *row)
		}
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
