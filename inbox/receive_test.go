package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/db"
	"switchboard/inbox"
)

// textWebhook is a signed-to-be WhatsApp webhook with one client text.
func textWebhook(id, text string) []byte {
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001001","phone_number_id":%q},
"contacts":[{"profile":{"name":"Client"},"wa_id":%q}],
"messages":[{"from":%q,"id":%q,"timestamp":"1767225600","type":"text","text":{"body":%q}}]}}]}]}`,
		phoneID, clientWA, clientWA, id, text))
}

// A webhook's channel is remembered for a moment, so that the webhooks
// after it need no read; a channel this instance removes refuses its
// webhooks at once all the same, and one whose handshake is still to come
// is read afresh each time (it is marked set up by its first webhook).
func TestARemovedChannelRefusesItsWebhooksAtOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	ch := strconv.FormatInt(r.channel.ID, 10)
	receive := func(id string) (inbox.Received, error) {
		body := textWebhook(id, "hello "+id)
		return r.in.Receive(ctx, "whatsapp", ch, signed(body), body)
	}
	for i := range 3 { // the first marks the channel set up, the others find it remembered
		if rec, err := receive(fmt.Sprintf("wamid.cache.%d", i)); err != nil || rec.Stored != 1 {
			t.Fatalf("webhook %d: %+v, %v", i, rec, err)
		}
	}
	if c, err := r.store.Channel(ctx, r.viewer.PortalID, r.channel.ID); err != nil || c.VerifiedAt == nil {
		t.Fatalf("the channel is not marked set up by its webhooks: %+v, %v", c, err)
	}
	if _, err := r.store.DB.Exec(`UPDATE users SET is_admin = true WHERE id = $1`, r.viewer.UserID); err != nil {
		t.Fatal(err)
	}
	if err := r.in.RemoveChannel(ctx, r.admin(), r.channel.ID); err != nil {
		t.Fatal(err)
	}
	if rec, err := receive("wamid.cache.after"); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("a webhook right after the channel's removal: %+v, %v; want ErrNotFound", rec, err)
	}
	var n int
	if err := r.store.DB.Get(&n, `SELECT count(*) FROM messages WHERE channel_id = $1`, r.channel.ID); err != nil || n != 3 {
		t.Fatalf("%d messages stored, want 3 (%v)", n, err)
	}
}

// The live path has connections of its own: with every connection of the
// main pool taken (a burst of page loads), a webhook is still stored.
func TestWebhooksAreStoredWhileTheMainPoolIsTaken(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	live, err := db.OpenPool(ctx, r.dsn, inbox.LivePool)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	r.in.Live = db.New(live)
	r.store.DB.SetMaxOpenConns(1)
	held, err := r.store.DB.BeginTx(ctx, nil) // the main pool's one connection
	if err != nil {
		t.Fatal(err)
	}
	defer held.Rollback()
	res, err := r.in.IngestShared(ctx, r.channel, &channels.Webhook{Messages: []channels.Message{{
		ProviderID: "wamid.pool", Direction: channels.Inbound, Peer: channels.Peer{ID: clientWA},
		Kind: channels.KindText, Text: "hello", SentAt: r.clock.Now()}}})
	if err != nil || res.Stored != 1 {
		t.Fatalf("a webhook while the main pool is taken: %+v, %v", res, err)
	}
	var n int
	if err := held.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE provider_id = 'wamid.pool'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d messages stored (%v), want 1", n, err)
	}
}
