package inbox

import (
	"context"
	"sort"
	"time"

	"switchboard/db"
)

// Update is what a stream sends its viewer: one event they may see, a
// change of their counters, or a reset.
type Update struct {
	ID    string // the stream's event id: resume after it with Follow
	Reset bool   // re-read everything shown
	Live  *Live  // the change, shared with the portal's other streams; nil with Reset
	// Counts are the viewer's counters after the update, when the update
	// changed them or shows them; nil otherwise.
	Counts *db.InboxCounts
	// Row is the viewer's row of the event's client (conversationOf): nil
	// when the event changed nothing they see in the list.
	Row *db.DialogRow
	// Moved: the row goes to the top of the list (new activity, or a
	// dialog handed to the viewer); otherwise it is redrawn in place.
	Moved bool
	// Gone is a client whose every dialog left the viewer's sight (a
	// responsible changed): their row is taken off the page.
	Gone int64
	// Recheck: the portal's settings changed; the stream reads its viewer
	// again (Authorize, SetViewer), and a changed visibility resets it.
	Recheck bool
}

// Feed is one stream's view of its portal's live events: where it stands,
// what its viewer may see, and their counters, kept by deltas.
type Feed struct {
	h     *Hub
	pl    *portalLog
	vis   db.Visibility
	seq   uint64 // next entry to take
	total int    // the viewer's unread count as of seq
	reset bool   // the next Next starts with a reset
}

// resumeWait is how long a stream resumed on an instance that has not yet
// read as far as the stream's last event waits for it to catch up.
const resumeWait = 2 * time.Second

// Follow starts a viewer's feed. With after (a stream's last event id) it
// replays what came since; a feed that cannot (no id, an id older than the
// portal's backlog here) starts with a reset.
func (h *Hub) Follow(ctx context.Context, v Viewer, after string) (*Feed, error) {
	vis, err := h.in.visibility(ctx, v)
	if err != nil {
		return nil, err
	}
	pl, err := h.follow(ctx, v.PortalID)
	if err != nil {
		return nil, err
	}
	f := &Feed{h: h, pl: pl, vis: vis}
	pos, ok := db.ParsePosition(after)
	for deadline := time.Now().Add(resumeWait); ok && h.behind(pos) && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	f.seq, f.total = pl.end(), pl.total(vis)
	if !ok || pos.After(h.pos) || pl.start.After(pos) {
		f.reset = true
		return f, nil
	}
	i := sort.Search(len(pl.entries), func(i int) bool { return pl.entries[i].Event.Pos.After(pos) })
	f.seq, f.total = pl.first+uint64(i), f.totalBefore(i)
	return f, nil
}

// behind reports whether the hub has not read up to pos yet.
func (h *Hub) behind(pos db.Position) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return pos.After(h.pos)
}

// SetViewer applies a viewer read again (settings 6/7 may have changed):
// when what they may see changed, the next Next is a reset.
func (f *Feed) SetViewer(ctx context.Context, v Viewer) error {
	vis, err := f.h.in.visibility(ctx, v)
	if err != nil || vis.Equal(f.vis) {
		return err
	}
	f.h.mu.RLock()
	defer f.h.mu.RUnlock()
	f.vis, f.seq, f.total, f.reset = vis, f.pl.end(), f.pl.total(vis), true
	return nil
}

// totalBefore is the viewer's unread count before entries[i]: the
// portal's counters now, less what the later entries did. The caller holds
// the hub's lock.
func (f *Feed) totalBefore(i int) int {
	n := f.pl.total(f.vis)
	for _, l := range f.pl.entries[i:] {
		n -= f.delta(l)
	}
	return n
}

// delta is what l does to the viewer's unread count.
func (f *Feed) delta(l *Live) int {
	if l.Row == nil {
		return 0
	}
	d := 0
	if f.vis.Sees(l.Row.ResponsibleUserID) {
		d += l.Row.UnreadCount
	}
	if f.vis.Sees(l.before.Responsible) {
		d -= l.before.Unread
	}
	return d
}

// conversation is the viewer's row of l's client; nil when they see none
// of its dialogs. Viewers who see the same of the client's dialogs share
// one row, made once per event.
func (f *Feed) conversation(l *Live) *db.DialogRow {
	dialogs := l.client
	if len(dialogs) == 0 { // read before the dialog's client had it: the dialog alone
		dialogs = []db.DialogRow{*l.Row}
	}
	if len(dialogs) > 64 { // no key fits: made for this viewer alone
		return conversationOf(f.vis, dialogs)
	}
	var seen conversationKey
	for i := range dialogs {
		if f.vis.Sees(dialogs[i].ResponsibleUserID) {
			seen |= 1 << i
		}
	}
	row, _ := l.Rendered(seen, func() (any, error) { return conversationOf(f.vis, dialogs), nil })
	return row.(*db.DialogRow)
}

// conversationKey is which of a client's dialogs a viewer sees, one bit
// each.
type conversationKey uint64

// Next waits for what the viewer may see next and returns all of it, in log
// order: nothing of a dialog hidden from them, and their counters moved by
// each event's delta.
func (f *Feed) Next(ctx context.Context) ([]Update, error) {
	for {
		ups, changed := f.Take()
		if len(ups) > 0 {
			return ups, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-changed:
		}
	}
}

// Take is Next without the wait: what the viewer may see now (possibly
// nothing), and a channel closed when there may be more. A stream selects
// on that channel among its other cases, with no goroutine of its own.
func (f *Feed) Take() ([]Update, <-chan struct{}) {
	f.h.mu.RLock()
	defer f.h.mu.RUnlock()
	return f.take(), f.pl.changed
}

// take collects the updates since seq; the caller holds the hub's lock.
func (f *Feed) take() []Update {
	pl := f.pl
	if f.seq < pl.first { // fell behind the backlog
		f.reset = true
		f.seq, f.total = pl.end(), pl.total(f.vis)
	}
	var ups []Update
	if f.reset {
		f.reset = false
		ups = append(ups, Update{ID: pl.last().String(), Reset: true, Counts: &db.InboxCounts{Unread: f.total}})
	}
	for i, l := range pl.entries[f.seq-pl.first:] {
		if l.Event.Kind == EventSettings {
			ups = append(ups, Update{ID: l.id, Recheck: true})
			continue
		}
		if l.Event.Kind == EventReset { // it carries the portal's counters read again
			f.total = f.totalBefore(int(f.seq-pl.first) + i + 1)
			ups = append(ups, Update{ID: l.id, Reset: true, Counts: &db.InboxCounts{Unread: f.total}})
			continue
		}
		d := f.delta(l)
		f.total += d
		var counts *db.InboxCounts
		if d != 0 || l.Event.Kind == EventMessage || l.Event.Kind == EventRead {
			counts = &db.InboxCounts{Unread: f.total}
		}
		switch {
		case l.Row != nil && f.vis.Sees(l.Row.ResponsibleUserID):
			moved := l.Event.Kind == EventMessage || l.Event.Kind == EventAssign
			ups = append(ups, Update{ID: l.id, Live: l, Counts: counts, Row: f.conversation(l), Moved: moved})
		case l.Row != nil && l.Event.Kind == EventAssign: // it left the viewer's sight
			if row := f.conversation(l); row != nil { // another dialog of the client is still theirs
				ups = append(ups, Update{ID: l.id, Counts: counts, Row: row})
				break
			}
			ups = append(ups, Update{ID: l.id, Counts: counts, Gone: l.Row.ClientID})
		case d != 0: // the dialog left the viewer's sight: only their counters change
			ups = append(ups, Update{ID: l.id, Counts: counts})
		}
	}
	f.seq = pl.end()
	return ups
}
