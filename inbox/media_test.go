package inbox_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"switchboard/channels"
	"switchboard/channels/graphemu"
	"switchboard/db"
	"switchboard/inbox"
	"switchboard/inbox/inboxtest"
)

var ivan = graphemu.Client{ID: clientWA, Name: "Ivan"}

// pngBytes is a small PNG-looking file.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 2048)...)

// pdfBytes is a small PDF-looking file.
var pdfBytes = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 4096)...)

// dialogMessages lists the only dialog's messages.
func (r *rig) dialogMessages(t *testing.T) []db.Message {
	t.Helper()
	rows, err := r.store.Dialogs(context.Background(), db.Visibility{PortalID: r.viewer.PortalID, All: true}, db.DialogFilter{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("dialogs: %v %v", rows, err)
	}
	msgs, err := r.store.Messages(context.Background(), r.viewer.PortalID, rows[0].ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func (r *rig) send(t *testing.T, c graphemu.Content) string {
	t.Helper()
	id, err := r.emu.ClientSend(phoneID, ivan, c)
	if err != nil {
		t.Fatal(err)
	}
	r.deliver(t, r.nextHook(t))
	return id
}

func (r *rig) blob(t *testing.T, a db.Attachment) []byte {
	t.Helper()
	full, err := r.store.Attachment(context.Background(), a.PortalID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.in.OpenAttachment(context.Background(), full)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return b
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestEveryInboundKindIsStoredAndFilesAreFetched(t *testing.T) {
	r := newRig(t)
	textID := r.send(t, graphemu.Content{Text: "Hello"})
	r.send(t, graphemu.Content{Kind: graphemu.KindImage, Text: "my photo", File: &graphemu.File{Name: "photo.png", MIME: "image/png", Data: pngBytes}})
	r.send(t, graphemu.Content{Kind: graphemu.KindDocument, File: &graphemu.File{Name: "invoice.pdf", MIME: "application/pdf", Data: pdfBytes}})
	r.send(t, graphemu.Content{Kind: graphemu.KindVoice, File: &graphemu.File{Name: "voice.ogg", MIME: "audio/ogg; codecs=opus", Data: []byte("OggS fake opus")}})
	r.send(t, graphemu.Content{Kind: graphemu.KindLocation, Location: &graphemu.Location{Latitude: 55.7558, Longitude: 37.6173, Name: "Red Square", Address: "Moscow"}})
	r.send(t, graphemu.Content{Kind: graphemu.KindContacts, Contacts: []graphemu.ContactCard{{Name: "Boris Friend", Phone: "+7 999 000 33 44"}}})
	r.send(t, graphemu.Content{Text: "about that", ReplyTo: textID})
	r.send(t, graphemu.Content{Kind: graphemu.KindReaction, ReactTo: textID, Emoji: "👍"})

	msgs := r.dialogMessages(t)
	if len(msgs) != 7 {
		t.Fatalf("%d messages, want 7 (the reaction is not a message)", len(msgs))
	}
	for _, m := range msgs[1:4] {
		if len(m.Attachments) != 1 || m.Attachments[0].State != db.AttachmentPending {
			t.Fatalf("%s message before the fetch: %+v, want one pending file", m.Kind, m.Attachments)
		}
	}
	if n := r.runJobs(t); n != 3 {
		t.Fatalf("ran %d jobs, want 3 downloads", n)
	}
	msgs = r.dialogMessages(t)
	want := []struct {
		kind, body, file, mime string
		data                   []byte
	}{
		{"text", "Hello", "", "", nil},
		{"image", "my photo", "", "image/png", pngBytes},
		{"document", "", "invoice.pdf", "application/pdf", pdfBytes},
		{"voice", "", "", "audio/ogg", nil},
		{"location", "https://maps.google.com/?q=55.7558,37.6173\nRed Square\nMoscow", "", "", nil},
		{"contact", "Boris Friend\nPhone: +7 999 000 33 44", "", "", nil},
		{"text", "about that", "", "", nil},
	}
	for i, w := range want {
		m := msgs[i]
		if m.Kind != w.kind || !strings.HasPrefix(m.Body, w.body) {
			t.Errorf("message %d: %s %q, want %s %q", i, m.Kind, m.Body, w.kind, w.body)
		}
		if w.mime == "" {
			continue
		}
		a := m.Attachments[0]
		if a.State != db.AttachmentReady || !strings.HasPrefix(a.MIME, w.mime) || a.Size == 0 || (w.file != "" && a.FileName != w.file) {
			t.Errorf("message %d file: %+v, want ready %s %q", i, a, w.mime, w.file)
		}
		got := r.blob(t, a)
		if int64(len(got)) != a.Size || a.SHA256 != sum(got) || (w.data != nil && !bytes.Equal(got, w.data)) {
			t.Errorf("message %d: stored %d bytes (sha %s), row says %d (sha %s)", i, len(got), sum(got), a.Size, a.SHA256)
		}
	}
	if msgs[0].Reactions != "👍" {
		t.Errorf("reactions on the first message: %q, want 👍", msgs[0].Reactions)
	}
	if msgs[6].QuoteBody != "Hello" || msgs[6].QuoteDirection != "in" {
		t.Errorf("the reply quotes %q (%s), want Hello", msgs[6].QuoteBody, msgs[6].QuoteDirection)
	}
	// An empty emoji removes the reaction.
	r.send(t, graphemu.Content{Kind: graphemu.KindReaction, ReactTo: textID, Emoji: ""})
	if got := r.dialogMessages(t)[0].Reactions; got != "" {
		t.Errorf("reactions after removal: %q, want none", got)
	}
}

func TestAMediaWebhookRetriedThreeTimesStoresOneFileOnce(t *testing.T) {
	r := newRig(t)
	if _, err := r.emu.ClientSend(phoneID, ivan, graphemu.Content{Kind: graphemu.KindImage,
		File: &graphemu.File{Name: "p.png", MIME: "image/png", Data: pngBytes}}); err != nil {
		t.Fatal(err)
	}
	body := r.nextHook(t)
	for i := 0; i < 4; i++ {
		r.deliver(t, body)
	}
	if n := r.runJobs(t); n != 1 {
		t.Fatalf("ran %d jobs, want one download", n)
	}
	msgs := r.dialogMessages(t)
	if len(msgs) != 1 || len(msgs[0].Attachments) != 1 || msgs[0].Attachments[0].State != db.AttachmentReady {
		t.Fatalf("after four deliveries: %+v", msgs)
	}
	var files int
	if err := r.store.DB.Get(&files, `SELECT count(*) FROM attachments`); err != nil || files != 1 {
		t.Fatalf("%d attachments (err %v), want 1", files, err)
	}
}

func TestADownloadThatKeepsFailingShowsCouldNotDownload(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	hook := &channels.Webhook{Messages: []channels.Message{
		// The provider refuses this id for good: no retry.
		{ProviderID: "wamid.gone", Direction: channels.Inbound, Peer: channels.Peer{ID: clientWA}, Kind: channels.KindImage,
			Media: &channels.MediaRef{ID: "999000999", MIME: "image/jpeg"}},
		// Nobody answers here: retried, then given up.
		{ProviderID: "wamid.down", Direction: channels.Inbound, Peer: channels.Peer{ID: clientWA}, Kind: channels.KindDocument,
			Media: &channels.MediaRef{URL: "http://" + downHost + "/file.pdf", MIME: "application/pdf", FileName: "file.pdf"}},
	}}
	if _, err := r.in.Ingest(ctx, r.channel, hook); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		inboxtest.AdvanceAndRun(t, r.in, r.clock, inbox.MaxBackoff)
	}
	for _, m := range r.dialogMessages(t) {
		a := m.Attachments[0]
		if a.State != db.AttachmentFailed {
			t.Errorf("%s: file %s after retries, want failed", *m.ProviderID, a.State)
		}
		if *m.ProviderID == "wamid.down" && a.Attempts != 5 {
			t.Errorf("unreachable file tried %d times, want 5", a.Attempts)
		}
		if *m.ProviderID == "wamid.gone" && a.Attempts != 1 {
			t.Errorf("refused file tried %d times, want 1 (a permanent error is not retried)", a.Attempts)
		}
	}
	var pending int
	if err := r.store.DB.Get(&pending, `SELECT count(*) FROM outbox WHERE done_at IS NULL`); err != nil || pending != 0 {
		t.Fatalf("%d jobs left (err %v)", pending, err)
	}
}

func TestFilesFromTheComposerReachThePhone(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	img, err := r.in.SaveUpload(ctx, r.viewer.PortalID, "photo.png", "image/png", bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := r.in.SaveUpload(ctx, r.viewer.PortalID, "offer.pdf", "application/pdf", bytes.NewReader(pdfBytes))
	if err != nil {
		t.Fatal(err)
	}
	sent, err := r.in.SendMessage(ctx, r.viewer, dialog, "Here is our offer", []inbox.Upload{img, pdf})
	if err != nil {
		t.Fatal(err)
	}
	if len(sent.Messages) != 2 {
		t.Fatalf("%d messages queued, want 2 (the text is the first file's caption)", len(sent.Messages))
	}
	r.runJobs(t)
	var got []graphemu.ChatMessage
	for _, m := range r.emu.Conversation(phoneID, clientWA) {
		if m.From == graphemu.FromBusiness {
			got = append(got, m)
		}
	}
	if len(got) != 2 || got[0].Type != "image" || got[0].Text != "Here is our offer" || got[1].Type != "document" ||
		got[1].Media == nil || got[1].Media.FileName != "offer.pdf" || got[1].Media.Size != int64(len(pdfBytes)) {
		t.Fatalf("the phone got %+v", got)
	}
	// A retried job neither re-uploads nor re-sends.
	for _, m := range sent.Messages {
		r.enqueueSend(t, m.ID)
	}
	if n := r.runJobs(t); n != 2 {
		t.Fatalf("ran %d jobs again, want the 2 sends", n)
	}
	if n := r.businessMessages(t); n != 2 {
		t.Fatalf("the client got %d messages, want 2", n)
	}
}

func TestTransportLimitsAreCheckedBeforeQueueing(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	big := bytes.Repeat([]byte{1}, 5*1000*1000+1)
	png, err := r.in.SaveUpload(ctx, r.viewer.PortalID, "big.png", "image/png", bytes.NewReader(append(append([]byte{}, pngBytes...), big...)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.in.SendMessage(ctx, r.viewer, dialog, "", []inbox.Upload{png})
	var refused *inbox.RefusedError
	if !errorsAs(err, &refused) || refused.FileName != "big.png" || refused.Limit == nil {
		t.Fatalf("a 5 MB+ PNG on WhatsApp: %v, want refused by a limit", err)
	}
	exe, err := r.in.SaveUpload(ctx, r.viewer.PortalID, "tool.exe", "application/x-msdownload", bytes.NewReader([]byte("MZ")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.in.SendMessage(ctx, r.viewer, dialog, "", []inbox.Upload{exe})
	if !errorsAs(err, &refused) || refused.Limit == nil || refused.Limit.What != channels.LimitType {
		t.Fatalf("an .exe on WhatsApp: %v, want refused by type", err)
	}
	var queued int
	if err := r.store.DB.Get(&queued, `SELECT count(*) FROM messages WHERE direction = 'out'`); err != nil || queued != 0 {
		t.Fatalf("%d messages queued (err %v), want none", queued, err)
	}
	huge := io.LimitReader(zeros{}, inbox.MaxUpload+1)
	if _, err := r.in.SaveUpload(ctx, r.viewer.PortalID, "huge.pdf", "application/pdf", huge); err != inbox.ErrFileTooLarge {
		t.Fatalf("a file over 50 MB: %v, want ErrFileTooLarge", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestAVoiceNoteEndsPlayedWhateverTheOrderOfItsStatuses(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	voice, err := r.in.SaveUpload(ctx, r.viewer.PortalID, "note.ogg", "audio/ogg; codecs=opus", bytes.NewReader([]byte("OggS voice")))
	if err != nil {
		t.Fatal(err)
	}
	sent, err := r.in.SendMessage(ctx, r.viewer, dialog, "", []inbox.Upload{voice})
	if err != nil {
		t.Fatal(err)
	}
	r.runJobs(t)
	m, _ := r.store.Message(ctx, r.viewer.PortalID, sent.Messages[0].ID)
	if m.ProviderID == nil || m.Kind != "audio" {
		t.Fatalf("voice note after sending: %+v", m)
	}
	status := func(state string) *channels.Webhook {
		return &channels.Webhook{Statuses: []channels.Status{{ProviderID: *m.ProviderID, State: state}}}
	}
	for _, state := range []string{"played", "delivered", "read", "sent", "failed", "played", "delivered"} {
		for range 3 { // each webhook retried three times
			if _, err := r.in.Ingest(ctx, r.channel, status(state)); err != nil {
				t.Fatal(err)
			}
		}
	}
	m, _ = r.store.Message(ctx, r.viewer.PortalID, sent.Messages[0].ID)
	if m.Status != "played" || len(m.Attachments) != 1 {
		t.Fatalf("final: %s with %d files, want played with its file", m.Status, len(m.Attachments))
	}
	if n := r.count(t, `SELECT count(*) FROM messages WHERE direction = 'out'`); n != 1 {
		t.Fatalf("%d outgoing messages, want 1", n)
	}
}

// An Instagram attachment URL comes in the webhook, so anyone who can write
// to the account picks it: one that points inside our network is refused at
// once (no retries), and the message stays, its file "could not download".
func TestAnInstagramAttachmentOnAnInternalAddressIsNotFetched(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	chID, err := r.store.UpsertChannel(ctx, db.Channel{PortalID: r.viewer.PortalID, Transport: channels.Instagram,
		ExternalID: "17841400000000001", Name: "Shop", AccessToken: "ig-token", AppSecret: appSecret, APIBase: r.channel.APIBase})
	if err != nil {
		t.Fatal(err)
	}
	ig, err := r.store.Channel(ctx, r.viewer.PortalID, chID)
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{
		"mid.loopback": "https://127.0.0.1/ig_messaging_cdn/?asset_id=1",
		"mid.private":  "https://10.0.0.5/ig_messaging_cdn/?asset_id=2",
		"mid.metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
		"mid.plain":    "http://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=3", // public, but not https
	}
	hook := &channels.Webhook{}
	for mid, u := range urls {
		hook.Messages = append(hook.Messages, channels.Message{ProviderID: mid, Direction: channels.Inbound,
			Peer: channels.Peer{ID: "6000000000000001"}, Kind: channels.KindImage, Media: &channels.MediaRef{URL: u, MIME: "image/jpeg"}})
	}
	if _, err := r.in.Ingest(ctx, ig, hook); err != nil {
		t.Fatal(err)
	}
	if n := r.runJobs(t); n != len(urls)+1 {
		t.Fatalf("ran %d jobs, want %d downloads and the new client's profile read", n, len(urls))
	}
	msgs := r.dialogMessages(t)
	if len(msgs) != len(urls) {
		t.Fatalf("%d messages, want %d: a refused file must not lose its message", len(msgs), len(urls))
	}
	for _, m := range msgs {
		a := m.Attachments[0]
		if a.State != db.AttachmentFailed || a.Attempts != 1 {
			t.Errorf("%s (%s): file %s after %d attempts, want failed after 1", *m.ProviderID, urls[*m.ProviderID], a.State, a.Attempts)
		}
	}
	var pending int
	if err := r.store.DB.Get(&pending, `SELECT count(*) FROM outbox WHERE done_at IS NULL`); err != nil || pending != 0 {
		t.Fatalf("%d jobs left (err %v), want none: a refused address is not retried", pending, err)
	}
}
