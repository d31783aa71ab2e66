package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"

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
