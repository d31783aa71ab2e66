package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/channels/graphemu"
	"switchboard/db"
	"switchboard/inbox"
	"switchboard/inbox/inboxtest"
)

// planClient is the WhatsApp id of the rig's i-th client of a plan test.
func planClient(i int) string { return fmt.Sprintf("7999100%04d", i) }

// openDialogs has n clients write first (each opening WhatsApp's window)
// and returns their dialogs, in the clients' order.
func (r *rig) openDialogs(t *testing.T, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, n)
	for i := range n {
		if _, err := r.emu.SendText(phoneID, graphemu.Client{ID: planClient(i), Name: fmt.Sprintf("Client %d", i)}, "Hello"); err != nil {
			t.Fatal(err)
		}
		r.deliver(t, r.nextHook(t))
		rows, err := r.store.Dialogs(ctx, db.Visibility{PortalID: r.viewer.PortalID, All: true}, db.DialogFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range rows {
			if d.ClientExternalID == planClient(i) {
				ids[i] = d.ID
			}
		}
		if ids[i] == 0 {
			t.Fatalf("no dialog for client %d", i)
		}
	}
	return ids
}

// instance is a second copy of the app on the rig's database: its own
// connections and statement cache, the same clock and transports.
func (r *rig) instance(t *testing.T) *inbox.Inbox {
	t.Helper()
	conn, err := db.Open(context.Background(), r.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ts := make([]channels.Transport, 0, len(r.in.Transports))
	for _, tr := range r.in.Transports {
		ts = append(ts, tr)
	}
	in := inbox.New(db.New(conn), ts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	in.Blobs, in.Clock = r.in.Blobs, r.clock
	return in
}

// admin is the rig's viewer as an administrator.
func (r *rig) admin() inbox.Viewer {
	v := r.viewer
	v.IsAdmin = true
	return v
}

// setLimit sets the channel's plan limit as its administrator.
func (r *rig) setLimit(t *testing.T, period string, limit int) {
	t.Helper()
	if err := r.in.SetLimit(context.Background(), r.admin(), r.channel.ID, period, limit); err != nil {
		t.Fatalf("set limit: %v", err)
	}
}

// sendTo sends text to a dialog through in and returns the stored message.
func (r *rig) sendTo(t *testing.T, in *inbox.Inbox, dialogID int64, text string) db.Message {
	t.Helper()
	sent, err := in.SendMessage(context.Background(), r.viewer, dialogID, text, nil)
	if err != nil {
		t.Fatalf("send to dialog %d: %v", dialogID, err)
	}
	return sent.Messages[0]
}

// message reads one message back.
func (r *rig) message(t *testing.T, id int64) db.Message {
	t.Helper()
	m, err := r.store.Message(context.Background(), r.viewer.PortalID, id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// received is what the client i's phone got from the business, in order.
func (r *rig) received(i int) []string {
	var texts []string
	for _, m := range r.emu.Conversation(phoneID, planClient(i)) {
		if m.From == graphemu.FromBusiness {
			texts = append(texts, m.Text)
		}
	}
	return texts
}

// drain runs the due jobs, through in, until none is left due.
func drain(t *testing.T, in *inbox.Inbox) {
	t.Helper()
	for inboxtest.RunDue(t, in) > 0 {
	}
}

// usage reads the channel's counter as its administrator.
func (r *rig) usage(t *testing.T) db.ChannelUsage {
	t.Helper()
	u, err := r.in.Usage(context.Background(), r.admin(), r.channel.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestTheTwentyFirstDialogOfAnHourWaitsForTheNextHour(t *testing.T) {
	r := newRig(t)
	r.clock.Set(time.Date(2026, 12, 2, 14, 10, 0, 0, time.UTC))
	dialogs := r.openDialogs(t, 21)
	r.setLimit(t, inbox.PeriodHour, 20)

	// Nineteen dialogs on this instance; the app restarts; the 20th and 21st
	// race from two instances at once: exactly one takes the last slot.
	for i := range 19 {
		if m := r.sendTo(t, r.in, dialogs[i], "Answer"); m.Status != "queued" {
			t.Fatalf("dialog %d of 20: %s, want queued", i+1, m.Status)
		}
	}
	a, b := r.instance(t), r.instance(t)
	var race [2]db.Message
	var wg sync.WaitGroup
	for k, in := range []*inbox.Inbox{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent, err := in.SendMessage(context.Background(), r.viewer, dialogs[19+k], "Answer", nil)
			if err != nil {
				t.Errorf("send: %v", err)
				return
			}
			race[k] = sent.Messages[0]
		}()
	}
	wg.Wait()
	if race[0].Status == race[1].Status {
		t.Fatalf("the last slot went to %s and %s; want one queued, one paused", race[0].Status, race[1].Status)
	}
	late, lateClient := race[0], 19
	if race[1].Status == "paused" {
		late, lateClient = race[1], 20
	}
	if late.Status != "paused" || late.PausedUntil == nil || !late.PausedUntil.Equal(time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)) ||
		late.PauseLimit != 20 || late.PausePeriod != inbox.PeriodHour {
		t.Fatalf("the 21st dialog's message: %+v, want paused until 15:00 by the limit of 20 per hour", late)
	}
	// A counted dialog always gets its messages out, and the waiting one
	// keeps waiting (in order) for the hour.
	if m := r.sendTo(t, b, dialogs[0], "More"); m.Status != "queued" {
		t.Fatalf("a counted dialog's next message: %s, want queued", m.Status)
	}
	second := r.sendTo(t, a, late.DialogID, "Second")
	if second.Status != "paused" {
		t.Fatalf("the waiting dialog's next message: %s, want paused behind the first", second.Status)
	}
	drain(t, b)
	if got := r.received(lateClient); len(got) != 0 {
		t.Fatalf("the waiting client got %v before the hour", got)
	}
	// Incoming keeps flowing while the dialog waits.
	if _, err := r.emu.SendText(phoneID, graphemu.Client{ID: planClient(lateClient)}, "Anyone?"); err != nil {
		t.Fatal(err)
	}
	for r.deliver(t, r.nextHook(t)).Stored == 0 { // statuses of what was sent come first
	}
	u := r.usage(t)
	if u.ThisHour != 20 || u.ThisMonth != 20 || u.Waiting != 1 || u.WaitingMessages != 2 || u.WaitingSince == nil {
		t.Fatalf("usage before the hour: this hour %d, month %d, waiting %d (%d messages) since %v",
			u.ThisHour, u.ThisMonth, u.Waiting, u.WaitingMessages, u.WaitingSince)
	}

	// The app restarts again; at 15:00 the new instance sends what waited.
	c := r.instance(t)
	r.clock.Set(time.Date(2026, 12, 2, 14, 59, 59, 0, time.UTC))
	drain(t, c)
	if got := r.received(lateClient); len(got) != 0 {
		t.Fatalf("sent before 15:00: %v", got)
	}
	r.clock.Set(time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC))
	drain(t, c)
	drain(t, a)
	if got := r.received(lateClient); len(got) != 2 || got[0] != "Answer" || got[1] != "Second" {
		t.Fatalf("the waiting client got %v at 15:00, want [Answer Second] once each, in order", got)
	}
	for _, id := range []int64{late.ID, second.ID} {
		if m := r.message(t, id); m.Status != "sent" || m.PausedUntil != nil {
			t.Fatalf("message %d after 15:00: %s (paused until %v)", id, m.Status, m.PausedUntil)
		}
	}
	for i := range 21 {
		want := 1
		if i == 0 {
			want = 2
		}
		if i == lateClient {
			want = 2
		}
		if got := r.received(i); len(got) != want {
			t.Fatalf("client %d got %d messages, want %d: %v", i, len(got), want, got)
		}
	}
	u = r.usage(t)
	if u.ThisHour != 1 || u.ThisMonth != 21 || u.Waiting != 0 {
		t.Fatalf("usage at 15:00: this hour %d, month %d, waiting %d", u.ThisHour, u.ThisMonth, u.Waiting)
	}
	if h := u.Hours; len(h) != 24 || h[22].Dialogs != 20 || h[23].Dialogs != 1 || !h[23].StartsAt.Equal(time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)) {
		t.Fatalf("the last 24 hours: %+v", u.Hours)
	}
}

func TestTheMonthlyLimitTurnsWithThePortalsMonth(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.store.SetPortalTimeZone(ctx, r.viewer.PortalID, "Asia/Vladivostok"); err != nil { // UTC+10
		t.Fatal(err)
	}
	vladivostok, err := time.LoadLocation("Asia/Vladivostok")
	if err != nil {
		t.Fatal(err)
	}
	// 31 December, 12:30 UTC: 22:30 in Vladivostok, whose month ends at
	// 14:00 UTC.
	r.clock.Set(time.Date(2026, 12, 31, 12, 30, 0, 0, time.UTC))
	dialogs := r.openDialogs(t, 3)
	r.setLimit(t, inbox.PeriodMonth, 2)
	r.sendTo(t, r.in, dialogs[0], "One")
	r.sendTo(t, r.in, dialogs[1], "Two")
	third := r.sendTo(t, r.in, dialogs[2], "Three")
	newYear := time.Date(2027, 1, 1, 0, 0, 0, 0, vladivostok)
	if third.Status != "paused" || third.PausedUntil == nil || !third.PausedUntil.Equal(newYear) || third.PausePeriod != inbox.PeriodMonth {
		t.Fatalf("the third dialog of the month: %s until %v (%s), want paused until %v", third.Status, third.PausedUntil, third.PausePeriod, newYear)
	}
	// 13:59 UTC is 23:59 in Vladivostok: still December.
	r.clock.Set(time.Date(2026, 12, 31, 13, 59, 0, 0, time.UTC))
	drain(t, r.in)
	if got := r.received(2); len(got) != 0 {
		t.Fatalf("sent in the old month: %v", got)
	}
	// Midnight in Vladivostok, 14:00 UTC, long before the UTC month turns.
	r.clock.Set(time.Date(2026, 12, 31, 14, 0, 0, 0, time.UTC))
	drain(t, r.in)
	if got := r.received(2); len(got) != 1 || got[0] != "Three" {
		t.Fatalf("at the new month the third client got %v", got)
	}
	u := r.usage(t)
	if u.ThisMonth != 1 || u.Waiting != 0 {
		t.Fatalf("the new month's counter: %d dialogs, %d waiting", u.ThisMonth, u.Waiting)
	}
}

func TestAPhoneEchoCountsItsDialog(t *testing.T) {
	r := newRig(t)
	r.clock.Set(time.Date(2026, 12, 2, 9, 5, 0, 0, time.UTC))
	dialogs := r.openDialogs(t, 2)
	r.setLimit(t, inbox.PeriodHour, 1)
	// The business answers client 0 from the WhatsApp Business app; the
	// echo is mirrored in, and takes the hour's only slot.
	res, err := r.in.Ingest(context.Background(), r.channel, &channels.Webhook{Messages: []channels.Message{{
		ProviderID: "wamid.echo-1", Direction: channels.Outbound, FromPhone: true, Peer: channels.Peer{ID: planClient(0)},
		Kind: channels.KindText, Text: "From the phone", SentAt: r.clock.Now(),
	}}})
	if err != nil || res.Stored != 1 {
		t.Fatalf("echo: %+v %v", res, err)
	}
	if u := r.usage(t); u.ThisHour != 1 || u.ThisMonth != 1 {
		t.Fatalf("after the echo: this hour %d, this month %d; want 1 and 1", u.ThisHour, u.ThisMonth)
	}
	if m := r.sendTo(t, r.in, dialogs[0], "And from the app"); m.Status != "queued" {
		t.Fatalf("the echoed dialog: %s, want queued (counted already)", m.Status)
	}
	waiting := r.sendTo(t, r.in, dialogs[1], "Hello")
	if waiting.Status != "paused" {
		t.Fatalf("another dialog past the limit the echo filled: %s, want paused", waiting.Status)
	}
	// A retried echo webhook counts nothing twice.
	if _, err := r.in.Ingest(context.Background(), r.channel, &channels.Webhook{Messages: []channels.Message{{
		ProviderID: "wamid.echo-1", Direction: channels.Outbound, FromPhone: true, Peer: channels.Peer{ID: planClient(0)},
		Kind: channels.KindText, Text: "From the phone", SentAt: r.clock.Now(),
	}}}); err != nil {
		t.Fatal(err)
	}
	if u := r.usage(t); u.ThisHour != 1 || u.Waiting != 1 {
		t.Fatalf("after the retried echo: this hour %d, waiting %d", u.ThisHour, u.Waiting)
	}
	// The phone answers the waiting client too: that dialog is counted now
	// (past the limit: the phone is not held back), and what the app had
	// waiting for it goes out.
	if _, err := r.in.Ingest(context.Background(), r.channel, &channels.Webhook{Messages: []channels.Message{{
		ProviderID: "wamid.echo-2", Direction: channels.Outbound, FromPhone: true, Peer: channels.Peer{ID: planClient(1)},
		Kind: channels.KindText, Text: "Typed on the phone", SentAt: r.clock.Now(),
	}}}); err != nil {
		t.Fatal(err)
	}
	if m := r.message(t, waiting.ID); m.Status != "queued" || m.PausedUntil != nil {
		t.Fatalf("the waiting message after its dialog's echo: %s (paused until %v), want queued", m.Status, m.PausedUntil)
	}
	if u := r.usage(t); u.ThisHour != 2 || u.Waiting != 0 {
		t.Fatalf("after the second echo: this hour %d, waiting %d", u.ThisHour, u.Waiting)
	}
}

func TestARaisedLimitReleasesAtOnce(t *testing.T) {
	r := newRig(t)
	r.clock.Set(time.Date(2026, 12, 2, 11, 20, 0, 0, time.UTC))
	dialogs := r.openDialogs(t, 4)
	r.setLimit(t, inbox.PeriodHour, 1)
	r.sendTo(t, r.in, dialogs[0], "First")
	var waiting []db.Message
	for _, d := range dialogs[1:] {
		waiting = append(waiting, r.sendTo(t, r.in, d, "Waits"))
	}
	for _, m := range waiting {
		if m.Status != "paused" {
			t.Fatalf("past the limit: %s, want paused", m.Status)
		}
	}
	// Raised to 3: the two dialogs that waited longest go now, the last
	// keeps waiting; nothing moved the clock.
	r.setLimit(t, inbox.PeriodHour, 3)
	want := []string{"queued", "queued", "paused"}
	for i, m := range waiting {
		if got := r.message(t, m.ID); got.Status != want[i] {
			t.Fatalf("after raising the limit, waiting message %d: %s, want %s", i, got.Status, want[i])
		}
	}
	drain(t, r.in)
	if got := r.received(1); len(got) != 1 {
		t.Fatalf("a released client got %v", got)
	}
	if got := r.received(3); len(got) != 0 {
		t.Fatalf("the client still past the limit got %v", got)
	}
	// No limit at all: everything goes.
	r.setLimit(t, inbox.PeriodHour, 0)
	drain(t, r.in)
	if got := r.received(3); len(got) != 1 {
		t.Fatalf("with the limit lifted the last client got %v", got)
	}
}

func TestOnlyAnAdministratorSetsALimitAndItIsChecked(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if err := r.in.SetLimit(ctx, r.viewer, r.channel.ID, inbox.PeriodHour, 20); err != inbox.ErrNotFound {
		t.Fatalf("a manager setting a limit: %v, want ErrNotFound", err)
	}
	if _, err := r.in.Usage(ctx, r.viewer, r.channel.ID); err != inbox.ErrNotFound {
		t.Fatalf("a manager reading the counter: %v, want ErrNotFound", err)
	}
	for _, c := range []struct {
		period string
		limit  int
	}{{inbox.PeriodHour, -1}, {"week", 5}, {inbox.PeriodMonth, inbox.MaxPlanLimit + 1}} {
		if err := r.in.SetLimit(ctx, r.admin(), r.channel.ID, c.period, c.limit); err != inbox.ErrBadLimit {
			t.Fatalf("limit %d per %q: %v, want ErrBadLimit", c.limit, c.period, err)
		}
	}
	if err := r.in.SetLimit(ctx, r.admin(), r.channel.ID+1000, inbox.PeriodHour, 5); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("another portal's channel: %v", err)
	}
	r.setLimit(t, inbox.PeriodMonth, 500)
	if u := r.usage(t); u.Rule.MonthlyLimit != 500 || u.Rule.HourlyLimit != 0 {
		t.Fatalf("the stored rule: %+v", u.Rule)
	}
}

func TestSendsAndPhoneEchoesOfOneChannelRaceSafely(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.clock.Set(time.Date(2026, 12, 2, 16, 30, 0, 0, time.UTC))
	dialogs := r.openDialogs(t, 12)
	r.setLimit(t, inbox.PeriodHour, 5)
	a, b := r.instance(t), r.instance(t)
	// Two instances send to every dialog while webhooks bring, for the same
	// dialogs, a client's message and an echo of the phone answering
	// another: every transaction counts on the same windows.
	errs := make(chan error, 64)
	var wg sync.WaitGroup
	for i, d := range dialogs {
		in := a
		if i%2 == 1 {
			in = b
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := in.SendMessage(ctx, r.viewer, d, "Answer", nil)
			errs <- err
		}()
		go func() {
			defer wg.Done()
			now := r.clock.Now()
			_, err := in.Ingest(ctx, r.channel, &channels.Webhook{Messages: []channels.Message{
				{ProviderID: fmt.Sprintf("wamid.in-%d", i), Direction: channels.Inbound, Peer: channels.Peer{ID: planClient(i)},
					Kind: channels.KindText, Text: "More", SentAt: now},
				{ProviderID: fmt.Sprintf("wamid.echo-%d", i), Direction: channels.Outbound, FromPhone: true,
					Peer: channels.Peer{ID: planClient((i + 5) % len(dialogs))}, Kind: channels.KindText, Text: "From the phone", SentAt: now},
			}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a racing send or webhook failed: %v", err)
		}
	}
	// The windows' totals are their dialogs, and every dialog either went
	// out (counted) or waits (not counted), never both.
	var totals, counted, waitingCounted, unaccounted int
	q := func(dest *int, query string) {
		t.Helper()
		if err := r.store.DB.Get(dest, query); err != nil {
			t.Fatal(err)
		}
	}
	q(&totals, `SELECT dialogs FROM dialog_windows WHERE period = 'hour'`)
	q(&counted, `SELECT count(*) FROM counted_dialogs WHERE period = 'hour'`)
	q(&waitingCounted, `SELECT count(DISTINCT p.dialog_id) FROM paused_messages p JOIN counted_dialogs c ON c.dialog_id = p.dialog_id AND c.period = 'hour'`)
	q(&unaccounted, `SELECT count(*) FROM messages m WHERE m.direction = 'out' AND NOT m.from_phone AND m.status = 'queued'
		AND NOT EXISTS (SELECT 1 FROM counted_dialogs c WHERE c.dialog_id = m.dialog_id AND c.period = 'hour')`)
	if totals != counted || counted < 5 || unaccounted != 0 {
		t.Fatalf("hour window: total %d, counted %d, queued without a count %d", totals, counted, unaccounted)
	}
	// Every dialog went out (counted) or waits (not counted), never both:
	// an echo that counts a waiting dialog lets its messages out.
	u := r.usage(t)
	if waitingCounted != 0 || u.ThisHour != counted || u.Waiting+counted != len(dialogs) {
		t.Fatalf("usage: this hour %d, waiting %d; counted %d (%d of them waiting) of %d dialogs", u.ThisHour, u.Waiting, counted, waitingCounted, len(dialogs))
	}
}

func TestAWaitingMessageJoinsTheTimelineWhenReleased(t *testing.T) {
	r := newRig(t)
	r.in.Portal = &inbox.Portal{} // a Bitrix24 portal behind the inbox: messages are mirrored (no job runs here)
	r.clock.Set(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC))
	dialogs := r.openDialogs(t, 2)
	r.setLimit(t, inbox.PeriodMonth, 1)
	inQueue := func(id int64) bool {
		t.Helper()
		return r.count(t, `SELECT count(*) FROM timeline_queue WHERE message_id = $1`, id) == 1
	}
	sent := r.sendTo(t, r.in, dialogs[0], "Goes")
	waiting := r.sendTo(t, r.in, dialogs[1], "Waits")
	// A month's pause must not hold up the CRM: what waits is not in its
	// queue, so the client's later messages are mirrored meanwhile.
	if !inQueue(sent.ID) || inQueue(waiting.ID) {
		t.Fatalf("timeline queue: the sent message %v, the waiting one %v; want only the sent one", inQueue(sent.ID), inQueue(waiting.ID))
	}
	r.setLimit(t, inbox.PeriodMonth, 2)
	if !inQueue(waiting.ID) {
		t.Fatal("the released message is not queued for the timeline")
	}
}
