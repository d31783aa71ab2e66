package inbox

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"

	"switchboard/channels"
	"switchboard/db"
)

// EventReset tells a stream it may have missed events (a backfill changed
// many dialogs, or the stream fell behind its portal's backlog): re-render
// everything.
const EventReset = "reset"

// Live hub tuning.
const (
	liveBacklog  = 10_000           // events kept per portal for streams to catch up and resume
	liveBatch    = 1_000            // events read from the log at once
	liveFallback = time.Second      // re-read this often even when nothing woke the hub
	liveKeep     = time.Hour        // the log keeps events this long
	livePrune    = 10 * time.Minute // and is pruned this often
)

// Hub reads the event log once per process and keeps, per portal, the last
// events with what they name (the dialog's row, the message), read once per
// event whatever the number of streams. Streams (Follow) take them from
// there and decide in memory what their viewer may see.
type Hub struct {
	in  *Inbox
	log *slog.Logger

	mu      sync.RWMutex
	pos     db.Position // everything up to here is read
	portals map[int64]*portalLog

	wake      chan struct{} // this process logged events
	tellOther chan struct{} // other instances should read the log
	self      string        // this hub's name in its NOTIFY payloads
	listening chan struct{}
	once      sync.Once
}

// NewHub builds a hub over in's store; Run feeds it. Every commit that logs
// events through in.Store wakes it (and, through NOTIFY, the other
// instances' hubs).
func NewHub(in *Inbox) *Hub {
	h := &Hub{in: in, log: in.Log, portals: make(map[int64]*portalLog),
		wake: make(chan struct{}, 1), tellOther: make(chan struct{}, 1), listening: make(chan struct{}),
		self: rand.Text()}
	in.Store.OnEvents = h.poke
	if in.Live != nil {
		in.Live.OnEvents = h.poke
	}
	return h
}

// Listening is closed once the hub reads the log.
func (h *Hub) Listening() <-chan struct{} { return h.listening }

// poke wakes the reader and, coalesced, the other instances.
func (h *Hub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
	select {
	case h.tellOther <- struct{}{}:
	default:
	}
}

// Live is one event as the hub read it, shared by every stream of its
// portal: what it names, and the dialog's unread count before it.
type Live struct {
	Event   Event
	id      string        // Event.Pos as a stream's event id
	Row     *db.DialogRow // nil: the dialog is gone (or a reset)
	Message *db.Message   // the message the event names, if any
	Failure channels.Failure
	// client is every dialog of Row's client, newest first: each stream
	// makes its viewer's conversation row of it (conversationOf).
	client []db.DialogRow

	before db.UnreadDialog // the dialog as the portal's counters held it before
	reload []db.UnreadDialog
	memo   sync.Map
}

// Rendered is render's result for key, computed once per event whatever the
// number of streams asking (streams with the same output share it). The
// key is any comparable value; the result is what render made of it.
func (l *Live) Rendered(key any, render func() (any, error)) (any, error) {
	if v, ok := l.memo.Load(key); ok {
		return v, nil
	}
	v, err := render()
	if err != nil {
		return nil, err
	}
	v, _ = l.memo.LoadOrStore(key, v)
	return v, nil
}

// portalLog is one portal's recent events and its unread dialogs, both as of
// the hub's position.
type portalLog struct {
	entries []*Live
	first   uint64      // sequence number of entries[0]
	start   db.Position // every event of the portal after it is in entries
	unread  map[int64]db.UnreadDialog
	changed chan struct{} // closed when entries grow
}

func (pl *portalLog) end() uint64 { return pl.first + uint64(len(pl.entries)) }

// last is the position of the newest event held, or start.
func (pl *portalLog) last() db.Position {
	if len(pl.entries) == 0 {
		return pl.start
	}
	return pl.entries[len(pl.entries)-1].Event.Pos
}

// total is the unread count over the dialogs vis sees.
func (pl *portalLog) total(vis db.Visibility) int {
	n := 0
	for _, d := range pl.unread {
		if vis.Sees(d.Responsible) {
			n += d.Unread
		}
	}
	return n
}

// Run reads the log until ctx ends: woken by this process's commits, by
// other instances' NOTIFY, and every second anyway.
func (h *Hub) Run(ctx context.Context, dsn string) error {
	start, err := h.in.Store.EventsStart(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.pos = start
	h.mu.Unlock()
	l := pq.NewListener(dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			h.log.Warn("live events: listener problem", "event", ev, "err", err)
		}
	})
	defer l.Close()
	if err := l.Listen(db.WakeChannel); err != nil {
		return fmt.Errorf("inbox: unable to listen for live events: %w", err)
	}
	go h.tellOthers(ctx)
	h.once.Do(func() { close(h.listening) })
	fallback, prune, ping := time.NewTicker(liveFallback), time.NewTicker(livePrune), time.NewTicker(90*time.Second)
	defer fallback.Stop()
	defer prune.Stop()
	defer ping.Stop()
	var again <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.wake:
		case n := <-l.Notify: // nil after a reconnect: the log still holds what was missed
			if n != nil && n.Extra == h.self {
				continue // our own: read when it was sent
			}
		case <-fallback.C:
		case <-again:
		case <-ping.C:
			go l.Ping()
			continue
		case <-prune.C:
			if _, err := h.in.Store.PruneEvents(ctx, h.in.Now().Add(-liveKeep)); err != nil {
				h.log.Error("live events: prune failed", "err", err)
			}
			continue
		}
		again = nil
		if err := h.read(ctx); err != nil {
			h.log.Error("live events: read failed", "err", err)
			again = time.After(100 * time.Millisecond)
		}
	}
}

// tellOthers sends one NOTIFY at a time while this process logs events: a
// wake-up per process per short window, never one per transaction.
func (h *Hub) tellOthers(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.tellOther:
			if err := h.in.Store.Wake(ctx, h.self); err != nil && ctx.Err() == nil {
				h.log.Warn("live events: unable to wake other instances", "err", err)
			}
		}
	}
}

// read takes every event logged since the last read.
func (h *Hub) read(ctx context.Context) error {
	for {
		h.mu.RLock()
		pos := h.pos
		h.mu.RUnlock()
		events, err := h.in.live().EventsAfter(ctx, pos, liveBatch)
		if err != nil || len(events) == 0 {
			return err
		}
		lives, err := h.load(ctx, events)
		if err != nil {
			return err
		}
		h.append(events[len(events)-1].Pos, lives)
		if len(events) < liveBatch {
			return nil
		}
	}
}

// load reads what the events of followed portals name: per portal, the
// dialogs and messages in one query each.
func (h *Hub) load(ctx context.Context, events []Event) ([]*Live, error) {
	h.mu.RLock()
	followed := make(map[int64]bool, len(h.portals))
	for id := range h.portals {
		followed[id] = true
	}
	h.mu.RUnlock()
	dialogs, messages := map[int64][]int64{}, map[int64][]int64{}
	var lives []*Live
	for _, e := range events {
		if !followed[e.Portal] {
			continue
		}
		lives = append(lives, &Live{Event: e, id: e.Pos.String()})
		if e.Dialog != 0 {
			dialogs[e.Portal] = append(dialogs[e.Portal], e.Dialog)
		}
		if e.Message != 0 {
			messages[e.Portal] = append(messages[e.Portal], e.Message)
		}
	}
	rows, msgs := map[int64]*db.DialogRow{}, map[int64]*db.Message{}
	clients := map[int64][]db.DialogRow{}
	for portal, ids := range dialogs {
		rs, err := h.in.live().ClientsDialogRows(ctx, portal, ids)
		if err != nil {
			return nil, err
		}
		named := make(map[int64]bool, len(ids))
		for _, id := range ids {
			named[id] = true
		}
		for i := range rs {
			if named[rs[i].ID] {
				rows[rs[i].ID] = &rs[i]
			}
			clients[rs[i].ClientID] = append(clients[rs[i].ClientID], rs[i])
		}
	}
	for portal, ids := range messages {
		ms, err := h.in.live().MessagesByID(ctx, portal, ids)
		if err != nil {
			return nil, err
		}
		for i := range ms {
			msgs[ms[i].ID] = &ms[i]
		}
	}
	for _, l := range lives {
		l.Row, l.Message = rows[l.Event.Dialog], msgs[l.Event.Message]
		if l.Row != nil && l.Row.PortalID != l.Event.Portal || l.Message != nil && l.Message.DialogID != l.Event.Dialog {
			l.Row, l.Message = nil, nil
		}
		if l.Row != nil {
			l.client = clients[l.Row.ClientID]
		}
		if l.Message != nil && l.Row != nil && l.Message.Status == "failed" {
			l.Failure = h.in.failure(l.Row.Transport, l.Message.ErrorCode, l.Message.ErrorText)
		}
		if l.Event.Kind == EventReset {
			reload, err := h.in.Store.UnreadDialogs(ctx, l.Event.Portal)
			if err != nil {
				return nil, err
			}
			l.reload = reload
		}
	}
	return lives, nil
}

// append adds read events to their portals' logs and moves the hub to pos.
func (h *Hub) append(pos db.Position, lives []*Live) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pos = pos
	grown := map[*portalLog]bool{}
	for _, l := range lives {
		pl := h.portals[l.Event.Portal]
		if pl == nil {
			continue
		}
		switch {
		case l.Event.Kind == EventReset:
			pl.unread = unreadMap(l.reload)
		case l.Row != nil:
			l.before = pl.unread[l.Event.Dialog]
			if l.Row.UnreadCount > 0 {
				pl.unread[l.Event.Dialog] = db.UnreadDialog{ID: l.Event.Dialog, Unread: l.Row.UnreadCount, Responsible: l.Row.ResponsibleUserID}
			} else {
				delete(pl.unread, l.Event.Dialog)
			}
		}
		pl.entries = append(pl.entries, l)
		grown[pl] = true
	}
	for pl := range grown {
		if n := len(pl.entries) - liveBacklog; n > 0 {
			pl.start = pl.entries[n-1].Event.Pos
			pl.entries = append([]*Live(nil), pl.entries[n:]...)
			pl.first += uint64(n)
		}
		close(pl.changed)
		pl.changed = make(chan struct{})
	}
}

func unreadMap(ds []db.UnreadDialog) map[int64]db.UnreadDialog {
	m := make(map[int64]db.UnreadDialog, len(ds))
	for _, d := range ds {
		m[d.ID] = d
	}
	return m
}

// follow returns the portal's log, starting it (with its unread dialogs read
// now) on the first stream of the portal in this process.
func (h *Hub) follow(ctx context.Context, portalID int64) (*portalLog, error) {
	h.mu.RLock()
	pl := h.portals[portalID]
	h.mu.RUnlock()
	if pl != nil {
		return pl, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if pl := h.portals[portalID]; pl != nil {
		return pl, nil
	}
	// Read under the lock: no event is applied meanwhile. Events read before
	// but applied after carry older rows; the dialog's next event corrects it.
	ds, err := h.in.Store.UnreadDialogs(ctx, portalID)
	if err != nil {
		return nil, err
	}
	pl = &portalLog{start: h.pos, unread: unreadMap(ds), changed: make(chan struct{})}
	h.portals[portalID] = pl
	return pl, nil
}
