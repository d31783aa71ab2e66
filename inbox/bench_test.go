package inbox_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
	"switchboard/db"
	"switchboard/db/pgtest"
	"switchboard/inbox"
)

// BenchmarkIngestWebhook is the webhook's hot path past HTTP: verify the
// signature, parse, and store one client text in one transaction (client,
// dialog, message, unread count, NOTIFY), over 100 clients.
func BenchmarkIngestWebhook(b *testing.B) {
	ctx := context.Background()
	store := db.New(pgtest.New(b))
	in := inbox.New(store, []channels.Transport{&whatsapp.Transport{}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	portal, err := store.UpsertPortal(ctx, db.Portal{Domain: "a.bitrix24.test", MemberID: "a"})
	if err != nil {
		b.Fatal(err)
	}
	id, err := store.UpsertChannel(ctx, db.Channel{PortalID: portal, Transport: channels.WhatsApp, ExternalID: phoneID, Name: "Sales", AppSecret: appSecret})
	if err != nil {
		b.Fatal(err)
	}
	ch, err := store.Channel(ctx, portal, id)
	if err != nil {
		b.Fatal(err)
	}
	t := in.Transports[channels.WhatsApp]
	n := 0
	for b.Loop() {
		n++
		body := []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001001","phone_number_id":%q},
"contacts":[{"profile":{"name":"Client %d"},"wa_id":"7999%07d"}],
"messages":[{"from":"7999%07d","id":"wamid.B%d","timestamp":"%d","type":"text","text":{"body":"Hello %d"}}]}}]}]}`,
			phoneID, n%100, n%100, n%100, n, time.Now().Unix(), n))
		hook, err := t.ParseWebhook(inbox.Account(ch), signed(body), body)
		if err != nil {
			b.Fatal(err)
		}
		if res, err := in.Ingest(ctx, ch, hook); err != nil || res.Stored != 1 {
			b.Fatalf("ingest: %+v %v", res, err)
		}
	}
}
