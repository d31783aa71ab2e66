package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"sync"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
	"switchboard/db"
	"switchboard/db/pgtest"
	"switchboard/inbox"
)

// livePortal is one portal of the live tests: its channel, its dialogs (one
// per client) and its viewers.
type livePortal struct {
	channel db.Channel
	dialogs []int64
	viewers map[string]inbox.Viewer
}

// liveRig is two portals over one database and one running hub.
type liveRig struct {
	store   *db.Store
	in      *inbox.Inbox
	hub     *inbox.Hub
	portals []*livePortal
}

// newLiveRig seeds two portals of n dialogs each. Portal 1 shows managers
// their own dialogs only, Anna sees all (setting 7), Boris is responsible for
// every third dialog, Anna for the next; the rest have nobody. Portal 2 keeps
// the default (own and unassigned) for Vera, responsible for every other one.
func newLiveRig(t testing.TB, n int) *liveRig {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	conn, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	r := &liveRig{store: db.New(conn)}
	r.in = inbox.New(r.store, []channels.Transport{&whatsapp.Transport{}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for p, users := range [][]string{{"Anna", "Boris"}, {"Vera", "Gleb"}} {
		portal, err := r.store.UpsertPortal(ctx, db.Portal{Domain: fmt.Sprintf("p%d.bitrix24.test", p), MemberID: fmt.Sprint("m", p)})
		if err != nil {
			t.Fatal(err)
		}
		lp := &livePortal{viewers: map[string]inbox.Viewer{}}
		ids := map[string]int64{}
		for i, name := range users {
			u, err := r.store.UpsertUser(ctx, db.User{PortalID: portal, BitrixUserID: int64(i + 1), Name: name, CanUseApp: true})
			if err != nil {
				t.Fatal(err)
			}
			ids[name] = u.ID
		}
		settings := `{}`
		if p == 0 {
			settings = fmt.Sprintf(`{"visibility": "own", "see_all": [%d]}`, ids["Anna"])
		}
		if _, err := r.store.DB.Exec(`UPDATE portals SET settings = $1 WHERE id = $2`, settings, portal); err != nil {
			t.Fatal(err)
		}
		chID, err := r.store.UpsertChannel(ctx, db.Channel{PortalID: portal, Transport: channels.WhatsApp,
			ExternalID: fmt.Sprint("phone-", p), Name: "Sales", AccessToken: "t", AppSecret: "s"})
		if err != nil {
			t.Fatal(err)
		}
		if lp.channel, err = r.store.Channel(ctx, portal, chID); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			r.ingest(t, lp, i, fmt.Sprintf("seed-%d-%d", p, i))
			var d int64
			if err := r.store.DB.Get(&d, `SELECT id FROM dialogs WHERE channel_id = $1 ORDER BY id DESC LIMIT 1`, chID); err != nil {
				t.Fatal(err)
			}
			lp.dialogs = append(lp.dialogs, d)
			var resp *int64
			switch {
			case p == 0 && i%3 == 0:
				resp = ptr(ids["Boris"])
			case p == 0 && i%3 == 1:
				resp = ptr(ids["Anna"])
			case p == 1 && i%2 == 0:
				resp = ptr(ids["Vera"])
			case p == 1 && i%4 == 1:
				resp = ptr(ids["Gleb"])
			}
			if _, err := r.store.DB.Exec(`UPDATE dialogs SET responsible_user_id = $1 WHERE id = $2`, resp, d); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range users[:len(users)-p] { // Gleb only owns dialogs
			v, err := r.in.Authorize(ctx, portal, ids[name])
			if err != nil {
				t.Fatal(err)
			}
			lp.viewers[name] = v
		}
		r.portals = append(r.portals, lp)
	}
	r.hub = inbox.NewHub(r.in)
	hubCtx, stop := context.WithCancel(ctx)
	t.Cleanup(stop)
	go r.hub.Run(hubCtx, dsn)
	<-r.hub.Listening()
	return r
}

func ptr(v int64) *int64 { return &v }

// ingest delivers one client message to the client of dialog i, as a
// webhook does: in a transaction shared with those arriving with it.
func (r *liveRig) ingest(t testing.TB, lp *livePortal, i int, id string) {
	hook := &channels.Webhook{Messages: []channels.Message{{ProviderID: id, Direction: channels.Inbound,
		Peer: channels.Peer{ID: fmt.Sprintf("7999%06d", i)}, Kind: channels.KindText, Text: id, SentAt: time.Now()}}}
	if _, err := r.in.IngestShared(context.Background(), lp.channel, hook); err != nil {
		t.Error(err)
	}
}

// page is what a stream's updates leave on a page: each dialog's row, the
// messages shown, and the unread total.
type page struct {
	rows   map[int64]db.DialogRow
	msgs   map[int64]bool
	total  int
	lastID string
	resets int
}

func newPage() *page { return &page{rows: map[int64]db.DialogRow{}, msgs: map[int64]bool{}} }

// apply takes one update as the browser does; it fails the test on one the
// viewer may not see.
func (p *page) apply(t *testing.T, v inbox.Viewer, visible func(inbox.Viewer, int64) bool, u inbox.Update) {
	p.lastID = u.ID
	if u.Counts != nil {
		p.total = u.Counts.Unread
	}
	if u.Reset {
		p.resets++
		return
	}
	if l := u.Live; l != nil {
		if l.Row.PortalID != v.PortalID || !visible(v, l.Row.ID) {
			t.Errorf("viewer %d of portal %d got dialog %d of portal %d, which they may not see", v.UserID, v.PortalID, l.Row.ID, l.Row.PortalID)
		}
		p.rows[l.Row.ID] = *l.Row
		if l.Message != nil {
			p.msgs[l.Message.ID] = true
		}
	}
}

// 2,000 messages at full speed across two portals, read by viewers who see
// different dialogs, some dialogs read meanwhile: every stream receives
// exactly the messages it may see, none it may not, its counter ends exact,
// and a stream cut mid-run and resumed with its last event id ends with the
// same page as one that never dropped, without a reset.
func TestEveryStreamGetsExactlyWhatItMaySeeAndAResumedOneEndsTheSame(t *testing.T) {
	const dialogs, messages, senders = 40, 2000, 8
	r := newLiveRig(t, dialogs)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hang guard, not a speed target
	defer cancel()
	visibleNow := func(v inbox.Viewer, dialog int64) bool {
		_, err := r.in.OpenDialog(ctx, v, dialog)
		return err == nil
	}
	var visMu sync.Mutex
	visCache := map[[2]int64]bool{}
	visible := func(v inbox.Viewer, dialog int64) bool { // responsibles do not change during the run
		visMu.Lock()
		defer visMu.Unlock()
		k := [2]int64{v.UserID, dialog}
		if _, ok := visCache[k]; !ok {
			visCache[k] = visibleNow(v, dialog)
		}
		return visCache[k]
	}

	type stream struct {
		name  string
		v     inbox.Viewer
		cut   bool
		page  *page
		feed  *inbox.Feed
		taken int
	}
	var streams []*stream
	for _, lp := range r.portals {
		for name, v := range lp.viewers {
			for _, cut := range []bool{false, true} {
				f, err := r.hub.Follow(ctx, v, "")
				if err != nil {
					t.Fatal(err)
				}
				streams = append(streams, &stream{name: name, v: v, cut: cut, page: newPage(), feed: f})
			}
		}
	}

	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := s; i < messages; i += senders {
				lp := r.portals[i%2]
				r.ingest(t, lp, (i/2)%dialogs, fmt.Sprint("live-", i))
				if i%97 == 0 { // a manager reads a dialog meanwhile: counters move down too
					v := lp.viewers[map[int]string{0: "Anna", 1: "Vera"}[i%2]]
					if err := r.in.MarkRead(ctx, v, lp.dialogs[(i/2)%dialogs]); err != nil && !errors.Is(err, inbox.ErrNotFound) {
						t.Error(err)
					}
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	// want is, per viewer, every message they may see and their counter,
	// once ingestion is over.
	want := func(v inbox.Viewer) (map[int64]bool, int) {
		var ids []int64
		if err := r.store.DB.Select(&ids, `SELECT id FROM messages WHERE portal_id = $1 AND provider_id LIKE 'live-%'`, v.PortalID); err != nil {
			t.Fatal(err)
		}
		var dialogOf = map[int64]int64{}
		rows, err := r.store.DB.Query(`SELECT id, dialog_id FROM messages WHERE portal_id = $1`, v.PortalID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, d int64
			_ = rows.Scan(&id, &d)
			dialogOf[id] = d
		}
		rows.Close()
		set := map[int64]bool{}
		for _, id := range ids {
			if visible(v, dialogOf[id]) {
				set[id] = true
			}
		}
		list, err := r.in.List(ctx, v, inbox.FilterAll)
		if err != nil {
			t.Fatal(err)
		}
		return set, list.Counts.Unread
	}

	var runs sync.WaitGroup
	for _, s := range streams {
		runs.Add(1)
		go func() {
			defer runs.Done()
			var wantMsgs map[int64]bool
			wantTotal := -1
			for {
				select {
				case <-done:
					if wantMsgs == nil {
						wantMsgs, wantTotal = want(s.v)
					}
				default:
				}
				if wantMsgs != nil && s.page.total == wantTotal && len(s.page.msgs) >= len(wantMsgs) {
					for id := range s.page.msgs {
						if !wantMsgs[id] {
							t.Errorf("%s got message %d they may not see", s.name, id)
						}
					}
					return
				}
				wait, stop := context.WithTimeout(ctx, 50*time.Millisecond) // to look at done again
				ups, err := s.feed.Next(wait)
				stop()
				if ctx.Err() != nil {
					t.Errorf("%s (cut %v): %d of %d messages, total %d of %d when the test gave up",
						s.name, s.cut, len(s.page.msgs), len(wantMsgs), s.page.total, wantTotal)
					for id := range wantMsgs {
						if !s.page.msgs[id] {
							var ev []struct {
								Xid  string
								ID   int64
								Kind string
							}
							_ = r.store.DB.Select(&ev, `SELECT xid::text AS xid, id, kind FROM live_events WHERE message_id = $1`, id)
							t.Logf("missing %d: %+v", id, ev)
						}
					}
					return
				}
				if err != nil {
					continue
				}
				for _, u := range ups {
					s.page.apply(t, s.v, visible, u)
				}
				s.taken += len(ups)
				if s.cut && s.taken > 0 && s.page.resets == 1 && s.taken < 1000 && len(s.page.msgs) > 100 {
					// The connection drops; the browser comes back with its last id.
					s.taken = 1000
					f, err := r.hub.Follow(ctx, s.v, s.page.lastID)
					if err != nil {
						t.Error(err)
						return
					}
					s.feed = f
				}
			}
		}()
	}
	runs.Wait()
	for i := 0; i < len(streams); i += 2 {
		whole, cut := streams[i], streams[i+1]
		if cut.taken < 1000 {
			t.Errorf("%s's stream was never cut", cut.name)
		}
		if whole.page.resets != 1 || cut.page.resets != 1 {
			t.Errorf("%s: %d and %d resets, want only the first one of each stream", whole.name, whole.page.resets, cut.page.resets)
		}
		if !maps.Equal(whole.page.msgs, cut.page.msgs) || whole.page.total != cut.page.total ||
			!maps.EqualFunc(whole.page.rows, cut.page.rows, func(a, b db.DialogRow) bool {
				return a.UnreadCount == b.UnreadCount && a.LastPreview == b.LastPreview
			}) {
			t.Errorf("%s: the resumed stream's page differs from the one that never dropped", whole.name)
		}
		if len(whole.page.msgs) == 0 {
			t.Errorf("%s saw no message at all", whole.name)
		}
	}
}

// BenchmarkOneEventToStreams: one message reaching 1,000 followers of its
// portal, from commit to the last feed's update (rendering and the socket
// are the handlers' part, not measured here).
func BenchmarkOneEventToStreams(b *testing.B) {
	const streams = 1000
	r := newLiveRig(b, 4)
	ctx := context.Background()
	lp := r.portals[0]
	feeds := make([]*inbox.Feed, streams)
	for i := range feeds {
		f, err := r.hub.Follow(ctx, lp.viewers["Anna"], "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Next(ctx); err != nil { // the first reset
			b.Fatal(err)
		}
		feeds[i] = f
	}
	b.ResetTimer()
	for n := range b.N {
		var wg sync.WaitGroup
		for _, f := range feeds {
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = f.Next(ctx) }()
		}
		r.ingest(b, lp, n%4, fmt.Sprint("bench-", n))
		wg.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/event")
}

// A stream that falls further behind than its portal's backlog gets one
// reset, carrying the viewer's true counters, and then goes on live: it
// never silently misses what it may see.
func TestAStreamThatFallsBehindGetsOneResetWithTrueCounts(t *testing.T) {
	r := newLiveRig(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lp := r.portals[1]
	v := lp.viewers["Vera"]
	f, err := r.hub.Follow(ctx, v, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Next(ctx); err != nil { // the stream's first reset
		t.Fatal(err)
	}
	// One webhook of more messages than the backlog holds, the stream
	// reading none of them meanwhile.
	var msgs []channels.Message
	for i := range 10_050 {
		msgs = append(msgs, channels.Message{ProviderID: fmt.Sprintf("flood-%d", i), Direction: channels.Inbound,
			Peer: channels.Peer{ID: fmt.Sprintf("7888%06d", i%500)}, Kind: channels.KindText, Text: "flood", SentAt: time.Now()})
	}
	if _, err := r.in.Ingest(ctx, lp.channel, &channels.Webhook{Messages: msgs}); err != nil {
		t.Fatal(err)
	}
	// A second stream, reading all along, shows when the hub has it all:
	// a last message after the flood.
	watcher, err := r.hub.Follow(ctx, v, "")
	if err != nil {
		t.Fatal(err)
	}
	r.ingest(t, lp, 0, "after-the-flood")
	for seen := false; !seen; {
		ups, err := watcher.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range ups {
			seen = seen || u.Live != nil && u.Live.Message != nil && u.Live.Message.Body == "after-the-flood"
		}
	}
	ups, err := f.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !ups[0].Reset || ups[0].Counts == nil {
		t.Fatalf("a stream 10,050 events behind got %+v first, want a reset with counters", ups[0])
	}
	vis, err := r.in.Authorize(ctx, v.PortalID, v.UserID)
	if err != nil {
		t.Fatal(err)
	}
	list, err := r.in.List(ctx, vis, inbox.FilterAll)
	if err != nil {
		t.Fatal(err)
	}
	if ups[0].Counts.Unread != list.Counts.Unread {
		t.Fatalf("the reset says %d unread, the database %d", ups[0].Counts.Unread, list.Counts.Unread)
	}
	resets := 0
	for _, u := range ups {
		if u.Reset {
			resets++
		}
	}
	if resets != 1 {
		t.Fatalf("%d resets, want one", resets)
	}
}
