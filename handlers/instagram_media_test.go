package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/channels/graphemu"
	"switchboard/channels/instagram"
	"switchboard/db"
)

// TestInstagramFetchesOutgoingFilesBySignedLink sends a picture to an
// Instagram client: Instagram takes files only by link, so the emulator
// fetches it from our signed /media link, over HTTP.
func TestInstagramFetchesOutgoingFilesBySignedLink(t *testing.T) {
	a := newMediaApp(t)
	ctx := context.Background()
	a.in.Transports[channels.Instagram] = &instagram.Transport{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	graph := httptest.NewUnstartedServer(nil)
	emu := graphemu.New(graphemu.Config{PublicURL: "http://" + graph.Listener.Addr().String(), Logger: log})
	graph.Config.Handler = emu.Handler()
	graph.Start()
	t.Cleanup(func() { graph.Close(); emu.Close() })

	const igID, client = "17841400000000009", "9912345678"
	chID, err := a.store.UpsertChannel(ctx, db.Channel{PortalID: a.portal, Transport: channels.Instagram, ExternalID: igID,
		Name: "Instagram", AccessToken: "ig-token", AppSecret: mediaSecret, APIBase: "http://" + graph.Listener.Addr().String() + "/v23.0"})
	if err != nil {
		t.Fatal(err)
	}
	emu.AddInstagramAccount(graphemu.IGAccount{ID: igID, Username: "shop", AccessToken: "ig-token", AppSecret: mediaSecret,
		WebhookURL: a.srv.URL + "/hooks/instagram/" + strconv.FormatInt(chID, 10)})
	if _, err := emu.SendText(igID, graphemu.Client{ID: client, Name: "Ira"}, "Do you have it in red?"); err != nil {
		t.Fatal(err)
	}
	var dialog int64
	for deadline := time.Now().Add(10 * time.Second); dialog == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		_ = a.store.DB.Get(&dialog, `SELECT id FROM dialogs WHERE channel_id = $1`, chID)
	}
	if dialog == 0 {
		t.Fatal("the client's Instagram message never arrived")
	}
	a.dialog = dialog
	if status, body := a.upload(t, "red.png", "image/png", 4096); status != 200 {
		t.Fatalf("upload: %d %s", status, body)
	}
	if _, err := a.in.RunDueJobs(ctx); err != nil {
		t.Fatal(err)
	}
	var got *graphemu.ChatMessage
	for _, m := range emu.Conversation(igID, client) {
		if m.From == graphemu.FromBusiness && m.Type == "image" {
			got = &m
		}
	}
	if got == nil || got.Media == nil || got.Media.Size != 4096 || got.Media.FileName != "red.png" {
		t.Fatalf("the client got %+v", emu.Conversation(igID, client))
	}
	var status string
	if err := a.store.DB.Get(&status, `SELECT status FROM messages WHERE dialog_id = $1 AND direction = 'out'`, dialog); err != nil || status == "failed" || status == "queued" {
		t.Fatalf("the picture's message is %q (err %v)", status, err)
	}
}
