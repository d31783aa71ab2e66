package inbox_test

import (
	"context"
	"testing"

	"switchboard/channels"
	"switchboard/channels/graphemu"
	"switchboard/db"
	"switchboard/inbox"
)

// A new Instagram client is named from their profile (the webhooks carry
// only an IGSID), by one outbox job per client, and their row is redrawn.
func TestNewInstagramClientIsNamedFromTheirProfile(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	const igID, igToken, igsid = "17841400000000009", "ig-token", "4455667788"
	r.emu.AddInstagramAccount(graphemu.IGAccount{ID: igID, Username: "shop", AccessToken: igToken, AppSecret: appSecret, WebhookURL: r.hookURL})
	chID, err := r.store.UpsertChannel(ctx, db.Channel{PortalID: r.viewer.PortalID, Transport: channels.Instagram, ExternalID: igID,
		Name: "Instagram", AccessToken: igToken, AppSecret: appSecret, APIBase: r.channel.APIBase})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := r.store.Channel(ctx, r.viewer.PortalID, chID)
	if err != nil {
		t.Fatal(err)
	}
	write := func(text string) {
		t.Helper()
		if _, err := r.emu.ClientSend(igID, graphemu.Client{ID: igsid, Name: "Sunny Shop"}, graphemu.Content{Text: text}); err != nil {
			t.Fatal(err)
		}
		body := r.nextHook(t)
		hook, err := r.in.Transports[channels.Instagram].ParseWebhook(inbox.Account(ch), signed(body), body)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.in.Ingest(ctx, ch, hook); err != nil {
			t.Fatal(err)
		}
	}
	row := func() db.DialogRow {
		t.Helper()
		rows, err := r.store.Dialogs(ctx, db.Visibility{PortalID: r.viewer.PortalID, All: true}, db.DialogFilter{})
		if err != nil || len(rows) != 1 {
			t.Fatalf("dialogs: %v %v", rows, err)
		}
		return rows[0]
	}

	write("Hello")
	if got := row().ClientName; got != "" {
		t.Fatalf("named %q before the profile was read", got)
	}
	r.runJobs(t)
	if got := row().ClientName; got != "Sunny Shop" {
		t.Fatalf("client name = %q, want the profile's Sunny Shop", got)
	}
	var username, picture string
	if err := r.store.DB.QueryRow(`SELECT username, picture_url FROM clients WHERE external_id = $1`, igsid).Scan(&username, &picture); err != nil {
		t.Fatal(err)
	}
	if username != "sunny.shop" || picture == "" {
		t.Errorf("stored username %q, picture %q", username, picture)
	}
	var events int
	if err := r.store.DB.Get(&events, `SELECT count(*) FROM live_events WHERE kind = $1`, inbox.EventClient); err != nil || events != 1 {
		t.Errorf("%d client events (%v), want one: the row is redrawn", events, err)
	}

	write("Are you there?")
	r.runJobs(t)
	if n := r.jobCount(t, inbox.JobClientProfile); n != 1 {
		t.Errorf("%d profile reads for one client", n)
	}
}
