package graphemu

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
)

// The text path end to end: a client writes, the app gets a signed webhook
// shaped like Meta's; the app answers, the phone shows it and the statuses
// go sent → delivered → read.
func TestTextPath(t *testing.T) {
	f := newFixture(t)
	client := Client{ID: testClient, Name: "Anna Client"}

	inID, err := f.emu.SendText(testNumber, client, "Hello, é and / and 👋")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "inbound webhook", func() bool { return len(f.rc.all()) == 1 })
	got := f.rc.all()[0]
	if got.CT != "application/json" {
		t.Errorf("content type %q", got.CT)
	}
	raw := string(got.Body)
	if !strings.Contains(raw, `\u00e9`) || !strings.Contains(raw, `\/`) || !strings.Contains(raw, `\ud83d\udc4b`) {
		t.Errorf("body is not escaped like Meta's: %s", raw)
	}
	var env struct {
		Object string `json:"object"`
		Entry  []struct {
			ID      string `json:"id"`
			Changes []struct {
				Field string `json:"field"`
				Value struct {
					MessagingProduct string `json:"messaging_product"`
					Metadata         struct {
						DisplayPhoneNumber string `json:"display_phone_number"`
						PhoneNumberID      string `json:"phone_number_id"`
					} `json:"metadata"`
					Contacts []struct {
						Profile struct {
							Name string `json:"name"`
						} `json:"profile"`
						WaID string `json:"wa_id"`
					} `json:"contacts"`
					Messages []struct {
						From      string `json:"from"`
						ID        string `json:"id"`
						Timestamp string `json:"timestamp"`
						Type      string `json:"type"`
						Text      struct {
							Body string `json:"body"`
						} `json:"text"`
					} `json:"messages"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(got.Body, &env); err != nil {
		t.Fatal(err)
	}
	ch := env.Entry[0].Changes[0]
	v := ch.Value
	if env.Object != "whatsapp_business_account" || ch.Field != "messages" || v.MessagingProduct != "whatsapp" ||
		v.Metadata.PhoneNumberID != testNumber || v.Metadata.DisplayPhoneNumber != testDisplay {
		t.Errorf("envelope: %s", raw)
	}
	if len(v.Contacts) != 1 || v.Contacts[0].WaID != testClient || v.Contacts[0].Profile.Name != "Anna Client" {
		t.Errorf("contacts: %+v", v.Contacts)
	}
	m := v.Messages[0]
	if m.ID != inID || m.From != testClient || m.Type != "text" || m.Text.Body != "Hello, é and / and 👋" || m.Timestamp != "1795600800" {
		t.Errorf("message: %+v", m)
	}

	// The app answers; nobody has the phone open yet.
	outID := f.sendText(t, testClient, "Hi Anna!")
	waitFor(t, "sent status", func() bool { return len(f.rc.statusSeq(outID)) == 1 })
	if seq := f.rc.statusSeq(outID); !reflect.DeepEqual(seq, []string{"sent"}) {
		t.Fatalf("statuses before the phone connects: %v", seq)
	}
	st := f.rc.statuses()[0]
	if st["recipient_id"] != testClient || st["timestamp"] != "1795600800" {
		t.Errorf("status item: %v", st)
	}

	// The phone page connects: it shows the reply and the message is delivered.
	phone := f.openPhone(t, testNumber, testClient)
	var snap struct {
		Messages []ChatMessage `json:"messages"`
	}
	if err := json.Unmarshal([]byte(phone.next(t, "snapshot")), &snap); err != nil {
		t.Fatal(err)
	}
	if len(snap.Messages) != 2 || snap.Messages[1].Text != "Hi Anna!" || snap.Messages[1].From != FromBusiness {
		t.Fatalf("phone snapshot: %+v", snap.Messages)
	}
	waitFor(t, "delivered", func() bool { return len(f.rc.statusSeq(outID)) == 2 })

	// While the phone is open, a new message is delivered at once.
	second := f.sendText(t, testClient, "Anything else?")
	var ev phoneEvent
	_ = json.Unmarshal([]byte(phone.next(t, "message")), &ev)
	if ev.Message.ID != second || ev.Message.Text != "Anything else?" {
		t.Errorf("live message: %+v", ev.Message)
	}
	waitFor(t, "second delivered", func() bool { return len(f.rc.statusSeq(second)) == 2 })

	// The client looks at the chat.
	resp, err := http.PostForm(f.srv.URL+"/phone/api/read", url.Values{"account": {testNumber}, "client": {testClient}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("read: %v %v", resp, err)
	}
	resp.Body.Close()
	waitFor(t, "read", func() bool { return len(f.rc.statusSeq(outID)) == 3 && len(f.rc.statusSeq(second)) == 3 })
	for _, id := range []string{outID, second} {
		if seq := f.rc.statusSeq(id); !reflect.DeepEqual(seq, []string{"sent", "delivered", "read"}) {
			t.Errorf("%s statuses %v", id, seq)
		}
	}
	conv := f.emu.Conversation(testNumber, testClient)
	if conv[1].Status != "read" || conv[2].Status != "read" {
		t.Errorf("phone statuses: %+v", conv)
	}
	if f.rc.badSigs != 0 {
		t.Errorf("%d webhooks had bad signatures", f.rc.badSigs)
	}
}

// The app's mark-as-read answers {"success":true} and shows blue ticks on
// the client's message.
func TestMarkAsRead(t *testing.T) {
	f := newFixture(t)
	id, _ := f.emu.SendText(testNumber, Client{ID: testClient, Name: "Anna"}, "hi")
	code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, map[string]any{
		"messaging_product": "whatsapp", "status": "read", "message_id": id,
	})
	if code != 200 || !reflect.DeepEqual(out, map[string]any{"success": true}) {
		t.Fatalf("mark read: %d %v", code, out)
	}
	if st := f.emu.Conversation(testNumber, testClient)[0].Status; st != "read" {
		t.Errorf("client message status %q", st)
	}
	code, out = f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, map[string]any{
		"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.unknown",
	})
	if code != 400 || out["error"].(map[string]any)["code"] != float64(100) {
		t.Errorf("unknown message: %d %v", code, out)
	}
}

// The phone page renders the accounts and the elements browser tests drive.
func TestPhonePageRenders(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	for _, want := range []string{
		`data-testid="phone-input"`, `data-testid="phone-send"`, `data-testid="phone-attach"`,
		`data-testid="phone-location"`, `data-testid="phone-contact"`, `data-testid="phone-voice"`,
		`value="` + testNumber + `"`, `value="` + testIG + `"`, `new EventSource(`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("content type %q", ct)
	}
}

// Close removes the media directory New created, and only that one.
func TestCloseRemovesOwnMediaDir(t *testing.T) {
	emu := New(Config{Logger: slog.New(slog.DiscardHandler)})
	dir := emu.cfg.MediaDir
	emu.AddWhatsAppNumber(Number{PhoneNumberID: "1", DisplayPhone: "15550001", AccessToken: "t", AppSecret: "s"})
	if _, err := emu.SendFile("1", Client{ID: testClient}, KindDocument, File{Name: "a.txt", Data: []byte("hi")}, ""); err != nil {
		t.Fatal(err)
	}
	emu.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("media dir left behind: %v", err)
	}
	keep := t.TempDir()
	emu = New(Config{MediaDir: keep, Logger: slog.New(slog.DiscardHandler)})
	emu.Close()
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("caller's media dir removed: %v", err)
	}
}

func TestVerifyWebhook(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != "GET" || q.Get("hub.mode") != "subscribe" || q.Get("hub.verify_token") != "right" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, q.Get("hub.challenge"))
	}))
	defer app.Close()
	f := newFixture(t, func(_ *Config, n *Number) { n.WebhookURL = app.URL + "/hooks/whatsapp/1" })
	if err := f.emu.VerifyWebhook(context.Background(), testNumber, "right"); err != nil {
		t.Errorf("good token: %v", err)
	}
	if err := f.emu.VerifyWebhook(context.Background(), testNumber, "wrong"); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("bad token: %v", err)
	}
}
