package inbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/channels/graphemu"
	"switchboard/db"
	"switchboard/inbox"
)

// coexistence makes the rig's number a coexistence number.
func (r *rig) coexistence() {
	r.emu.AddWhatsAppNumber(graphemu.Number{PhoneNumberID: phoneID, DisplayPhone: "15550001001", Name: "Sales",
		AccessToken: token, AppSecret: appSecret, WebhookURL: r.hookURL, Coexistence: true})
}

// parse reads a webhook body the emulator delivered.
func (r *rig) parse(t *testing.T, body []byte) *channels.Webhook {
	t.Helper()
	hook, err := r.in.Transports[channels.WhatsApp].ParseWebhook(inbox.Account(r.channel), signed(body), body)
	if err != nil {
		t.Fatal(err)
	}
	return hook
}

// keep does what the webhook handler does with a history body.
func (r *rig) keep(t *testing.T, body []byte) {
	t.Helper()
	if _, err := r.in.KeepWebhook(context.Background(), r.channel, signed(body), body); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := r.store.DB.Get(&n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEchoesEditsAndRevokesFromTheBusinessPhone(t *testing.T) {
	r := newRig(t)
	r.coexistence()
	ctx := context.Background()
	r.openDialog(t)
	id, err := r.emu.BusinessSend(phoneID, clientWA, graphemu.Content{Text: "Typed on the phone"})
	if err != nil {
		t.Fatal(err)
	}
	r.deliver(t, r.nextHook(t))
	if err := r.emu.BusinessEdit(phoneID, clientWA, id, "Typed on the phone, edited"); err != nil {
		t.Fatal(err)
	}
	r.deliver(t, r.nextHook(t))
	msgs := r.dialogMessages(t)
	echo := msgs[len(msgs)-1]
	if echo.Direction != "out" || !echo.FromPhone || echo.Body != "Typed on the phone, edited" || echo.EditedAt == nil || echo.AuthorUserID != nil {
		t.Fatalf("echo after edit: %+v", echo)
	}
	if err := r.emu.BusinessRevoke(phoneID, clientWA, id); err != nil {
		t.Fatal(err)
	}
	r.deliver(t, r.nextHook(t))
	if m, _ := r.store.Message(ctx, r.viewer.PortalID, echo.ID); m.DeletedAt == nil {
		t.Fatalf("echo after revoke: %+v, want deleted", m)
	}
	rows, _ := r.store.Dialogs(ctx, db.Visibility{PortalID: r.viewer.PortalID, All: true}, db.DialogFilter{})
	if rows[0].UnreadCount != 1 || rows[0].LastDirection != "out" {
		t.Fatalf("dialog after the echo: %+v (the client's Hello stays unread; the echo is the last word)", rows[0])
	}
}

// TestHistoryBackfillIsAbsorbedQuietly backfills 10,000 messages over 200
// dialogs while clients keep writing live: every message is stored once,
// no unread count or notification comes from history, and the inbox order
// follows each dialog's newest message.
func TestHistoryBackfillIsAbsorbedQuietly(t *testing.T) {
	const dialogs, perDialog = 200, 50
	r := newRig(t)
	// This measures absorbing a large backfill: every dialog comes in (the
	// seed's last three are TestHistoryBringsTheLastThreeDialogs').
	r.in.HistoryDialogs = dialogs
	r.coexistence()
	ctx := context.Background()

	// One live message first: how many jobs does a live message queue?
	liveIDs := map[string]bool{}
	first, err := r.emu.SendText(phoneID, ivan, "Live before the backfill")
	if err != nil {
		t.Fatal(err)
	}
	liveIDs[first] = true
	r.deliver(t, r.nextHook(t))
	jobsPerLive := r.count(t, `SELECT count(*) FROM outbox`)

	now := time.Now()
	threads := make([]graphemu.HistoryThread, dialogs)
	newest := map[string]time.Time{}
	for i := range threads {
		client := fmt.Sprintf("7999%07d", i)
		if i == 0 {
			client = clientWA // Ivan, who also writes live
		}
		threads[i].Client = graphemu.Client{ID: client}
		for j := 0; j < perDialog; j++ {
			at := now.Add(-48*time.Hour - time.Duration(i)*8*time.Hour).Add(time.Duration(j) * time.Minute).Truncate(time.Second)
			from := graphemu.FromClient
			if j%3 == 2 {
				from = graphemu.FromBusiness
			}
			threads[i].Messages = append(threads[i].Messages, graphemu.HistoryMessage{From: from, Text: fmt.Sprintf("old %d/%d", i, j), At: at})
			newest[client] = at
		}
	}
	go func() {
		if err := r.emu.SendHistory(phoneID, threads); err != nil {
			t.Error(err)
		}
	}()

	// Chunks arrive; each is kept (as the handler does) and absorbed by the
	// worker, while live messages keep coming in between.
	var absorbing time.Duration
	chunks, live, delivered := 0, 0, 0
	liveBy := map[string]int{clientWA: 1}
	for chunks < dialogs*perDialog/100 || delivered < live {
		body := r.nextHook(t)
		hook := r.parse(t, body)
		if !hook.History {
			r.deliver(t, body)
			delivered++
			continue
		}
		r.keep(t, body)
		chunks++
		start := time.Now()
		r.runJobs(t)
		absorbing += time.Since(start)
		if chunks%5 == 0 && live < 20 {
			client := clientWA
			if live%2 == 1 {
				client = fmt.Sprintf("7999%07d", live*7)
			}
			id, err := r.emu.SendText(phoneID, graphemu.Client{ID: client}, fmt.Sprintf("live %d", live))
			if err != nil {
				t.Fatal(err)
			}
			liveIDs[id] = true
			liveBy[client]++
			live++
		}
	}
	// A live message Meta also puts in history is stored once.
	if _, err := r.emu.SendText(phoneID, ivan, "live, and in history too"); err != nil {
		t.Fatal(err)
	} else {
		body := r.nextHook(t)
		r.deliver(t, body)
		hook := r.parse(t, body)
		liveIDs[hook.Messages[0].ProviderID] = true
		liveBy[clientWA]++
		hook.History = true
		res, err := r.in.Ingest(ctx, r.channel, hook)
		if err != nil || res.Stored != 0 || res.Duplicates != 1 {
			t.Fatalf("a live message again as history: %+v %v", res, err)
		}
	}
	t.Logf("backfill: %d messages over %d dialogs in %d chunks absorbed in %v (%.0f messages/s), with %d live messages meanwhile",
		dialogs*perDialog, dialogs, chunks, absorbing, float64(dialogs*perDialog)/absorbing.Seconds(), len(liveIDs))

	if n := r.count(t, `SELECT count(*) FROM messages`); n != dialogs*perDialog+len(liveIDs) {
		t.Fatalf("%d messages stored, want %d history + %d live", n, dialogs*perDialog, len(liveIDs))
	}
	for id := range liveIDs {
		if n := r.count(t, `SELECT count(*) FROM messages WHERE provider_id = $1`, id); n != 1 {
			t.Fatalf("live message %s stored %d times", id, n)
		}
	}
	rows, err := r.store.Dialogs(ctx, db.Visibility{PortalID: r.viewer.PortalID, All: true}, db.DialogFilter{Limit: 1000})
	if err != nil || len(rows) != dialogs {
		t.Fatalf("%d dialogs (err %v), want %d", len(rows), err, dialogs)
	}
	for _, d := range rows {
		if d.UnreadCount != liveBy[d.ClientExternalID] {
			t.Errorf("dialog with %s: unread %d, want %d (its live messages only)", d.ClientExternalID, d.UnreadCount, liveBy[d.ClientExternalID])
		}
		if liveBy[d.ClientExternalID] == 0 && !d.LastMessageAt.Equal(newest[d.ClientExternalID]) {
			t.Errorf("history-only dialog with %s sits at %v, want its newest message's %v", d.ClientExternalID, d.LastMessageAt, newest[d.ClientExternalID])
		}
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].LastMessageAt.After(rows[i-1].LastMessageAt) {
			t.Fatalf("inbox out of order at %d", i)
		}
	}
	var liveJobs int
	if err := r.store.DB.Get(&liveJobs, `SELECT count(*) FROM outbox WHERE kind <> $1`, inbox.JobHistory); err != nil {
		t.Fatal(err)
	}
	if liveJobs != jobsPerLive*len(liveIDs) {
		t.Fatalf("%d jobs besides history, want %d (%d per live message): history must notify nobody", liveJobs, jobsPerLive*len(liveIDs), jobsPerLive)
	}
	if n := r.count(t, `SELECT count(*) FROM webhook_backlog WHERE processed_at IS NULL`); n != 0 {
		t.Fatalf("%d kept webhooks left unprocessed", n)
	}
}

// TestHistoryBringsTheLastThreeDialogs connects a coexistence number whose
// history holds five conversations, one of them with a client who already
// wrote live: that dialog gets its history, and so do the two other newest
// conversations; the two oldest stay out.
func TestHistoryBringsTheLastThreeDialogs(t *testing.T) {
	r := newRig(t)
	r.coexistence()
	if _, err := r.emu.SendText(phoneID, ivan, "Live first"); err != nil {
		t.Fatal(err)
	}
	r.deliver(t, r.nextHook(t))
	now := time.Now().Truncate(time.Second)
	var threads []graphemu.HistoryThread
	for i, client := range []string{"79990000001", clientWA, "79990000002", "79990000003", "79990000004"} {
		at := now.Add(-time.Duration(i+2) * 24 * time.Hour) // client 1 newest, client 4 oldest; one chunk
		threads = append(threads, graphemu.HistoryThread{Client: graphemu.Client{ID: client}, Messages: []graphemu.HistoryMessage{
			{From: graphemu.FromClient, Text: "old from " + client, At: at},
			{From: graphemu.FromBusiness, Text: "old answer to " + client, At: at.Add(time.Minute)},
		}})
	}
	go func() {
		if err := r.emu.SendHistory(phoneID, threads); err != nil {
			t.Error(err)
		}
	}()
	r.keep(t, r.nextHook(t))
	r.runJobs(t)

	got := map[string]int{}
	rows, err := r.store.Dialogs(context.Background(), db.Visibility{PortalID: r.viewer.PortalID, All: true}, db.DialogFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rows {
		got[d.ClientExternalID] = r.count(t, `SELECT count(*) FROM messages WHERE dialog_id = $1`, d.ID)
	}
	want := map[string]int{clientWA: 3, "79990000001": 2, "79990000002": 2}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("dialogs and their messages after the backfill: %v, want %v", got, want)
	}
}
