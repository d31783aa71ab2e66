package graphemu

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const igClient = "6385001122334455"

// igHook is a decoded Instagram webhook.
type igHook struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string           `json:"id"`
		Time      int64            `json:"time"`
		Messaging []map[string]any `json:"messaging"`
	} `json:"entry"`
}

func (rc *receiver) igEvents() []map[string]any {
	var out []map[string]any
	for _, g := range rc.all() {
		var h igHook
		if json.Unmarshal(g.Body, &h) != nil || h.Object != "instagram" {
			continue
		}
		for _, e := range h.Entry {
			out = append(out, e.Messaging...)
		}
	}
	return out
}

func TestInstagramInbound(t *testing.T) {
	f := newFixture(t)
	mid, err := f.emu.SendText(testIG, Client{ID: igClient, Name: "Ivan"}, "Привет")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.emu.SendFile(testIG, Client{ID: igClient}, KindImage, File{Name: "a.png", Data: pngBytes}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.emu.SendLocation(testIG, Client{ID: igClient}, Location{Latitude: 1, Longitude: 2}); err == nil {
		t.Error("instagram clients cannot share locations")
	}
	waitFor(t, "ig webhooks", func() bool { return len(f.rc.igEvents()) == 2 })
	var h igHook
	_ = json.Unmarshal(f.rc.all()[0].Body, &h)
	if h.Entry[0].ID != testIG || h.Entry[0].Time != f.clock.Now().UnixMilli() {
		t.Errorf("entry %+v", h.Entry[0])
	}
	ev := f.rc.igEvents()
	text := ev[0]
	if text["sender"].(map[string]any)["id"] != igClient || text["recipient"].(map[string]any)["id"] != testIG ||
		text["timestamp"] != float64(f.clock.Now().UnixMilli()) {
		t.Errorf("event %v", text)
	}
	if m := text["message"].(map[string]any); m["mid"] != mid || m["text"] != "Привет" {
		t.Errorf("message %v", m)
	}
	att := ev[1]["message"].(map[string]any)["attachments"].([]any)[0].(map[string]any)
	url := att["payload"].(map[string]any)["url"].(string)
	if att["type"] != "image" || !strings.HasPrefix(url, f.srv.URL+"/ig-cdn/") {
		t.Fatalf("attachment %v", att)
	}
	if c, body, _ := download(t, url, ""); c != 200 || string(body) != string(pngBytes) {
		t.Errorf("CDN download %d", c)
	}
}

func TestInstagramSend(t *testing.T) {
	f := newFixture(t)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/pic.png" {
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(pngBytes)
			return
		}
		http.NotFound(w, r)
	}))
	defer app.Close()
	_, _ = f.emu.SendText(testIG, Client{ID: igClient, Name: "Ivan"}, "hi")
	path := "/v23.0/" + testIG + "/messages"

	code, out := f.call(t, "POST", path, testIGToken, map[string]any{"recipient": map[string]any{"id": igClient}, "message": map[string]any{"text": "Hello Ivan"}})
	if code != 200 || out["recipient_id"] != igClient || out["message_id"] == "" || len(out) != 2 {
		t.Fatalf("send %d %v", code, out)
	}
	mid := out["message_id"].(string)
	code, out = f.call(t, "POST", "/v23.0/me/messages", testIGToken, map[string]any{"recipient": map[string]any{"id": igClient},
		"message": map[string]any{"attachment": map[string]any{"type": "image", "payload": map[string]any{"url": app.URL + "/pic.png"}}}})
	if code != 200 {
		t.Fatalf("/me attachment send %d %v", code, out)
	}
	conv := f.emu.Conversation(testIG, igClient)
	if conv[1].Text != "Hello Ivan" || conv[2].Type != "image" || conv[2].Media == nil {
		t.Errorf("phone shows %+v", conv)
	}

	// Echoes of API sends, sender = business.
	waitFor(t, "echoes", func() bool { return len(f.rc.igEvents()) == 3 })
	echo := f.rc.igEvents()[1]
	m := echo["message"].(map[string]any)
	if echo["sender"].(map[string]any)["id"] != testIG || echo["recipient"].(map[string]any)["id"] != igClient ||
		m["is_echo"] != true || m["mid"] != mid || m["text"] != "Hello Ivan" {
		t.Errorf("echo %v", echo)
	}

	// Reading on the phone sends a messaging_seen event.
	f.emu.MarkRead(testIG, igClient)
	waitFor(t, "read", func() bool { return len(f.rc.igEvents()) == 4 })
	if read := f.rc.igEvents()[3]; read["read"].(map[string]any)["mid"] != conv[2].ID || read["sender"].(map[string]any)["id"] != igClient {
		t.Errorf("read event %v", read)
	}

	errorsCases := []struct {
		name    string
		token   string
		body    map[string]any
		http    int
		code    float64
		subcode float64
	}{
		{"no bearer", "", map[string]any{"recipient": map[string]any{"id": igClient}, "message": map[string]any{"text": "x"}}, 401, 190, 0},
		{"wrong bearer", testToken, map[string]any{"recipient": map[string]any{"id": igClient}, "message": map[string]any{"text": "x"}}, 401, 190, 0},
		{"no recipient", testIGToken, map[string]any{"message": map[string]any{"text": "x"}}, 400, 100, 0},
		{"unknown user", testIGToken, map[string]any{"recipient": map[string]any{"id": "111"}, "message": map[string]any{"text": "x"}}, 400, 100, 2018001},
		{"text over 1000 bytes", testIGToken, map[string]any{"recipient": map[string]any{"id": igClient}, "message": map[string]any{"text": strings.Repeat("ж", 501)}}, 400, 100, 2018344},
		{"bad attachment type", testIGToken, map[string]any{"recipient": map[string]any{"id": igClient}, "message": map[string]any{"attachment": map[string]any{"type": "sticker", "payload": map[string]any{"url": app.URL + "/pic.png"}}}}, 400, 100, 0},
		{"dead attachment url", testIGToken, map[string]any{"recipient": map[string]any{"id": igClient}, "message": map[string]any{"attachment": map[string]any{"type": "image", "payload": map[string]any{"url": app.URL + "/gone.png"}}}}, 400, 100, 2018047},
	}
	for _, tt := range errorsCases {
		t.Run(tt.name, func(t *testing.T) {
			code, out := f.call(t, "POST", path, tt.token, tt.body)
			e := graphErr(t, out)
			sub, _ := e["error_subcode"].(float64)
			if code != tt.http || e["code"] != tt.code || sub != tt.subcode {
				t.Fatalf("%d %v", code, e)
			}
		})
	}
}

func TestInstagramWindow(t *testing.T) {
	f := newFixture(t)
	_, _ = f.emu.SendText(testIG, Client{ID: igClient}, "hi")
	f.clock.Advance(48 * time.Hour)
	path := "/v23.0/" + testIG + "/messages"
	code, out := f.call(t, "POST", path, testIGToken, map[string]any{"recipient": map[string]any{"id": igClient}, "message": map[string]any{"text": "late"}})
	if e := graphErr(t, out); code != 400 || e["code"] != float64(10) || e["error_subcode"] != float64(2534022) {
		t.Fatalf("outside window: %d %v", code, e)
	}
	tagged := map[string]any{"recipient": map[string]any{"id": igClient}, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT",
		"message": map[string]any{"text": "a human answers"}}
	if code, out := f.call(t, "POST", path, testIGToken, tagged); code != 200 {
		t.Fatalf("HUMAN_AGENT within 7 days: %d %v", code, out)
	}
	f.clock.Advance(6 * 24 * time.Hour)
	if code, out := f.call(t, "POST", path, testIGToken, tagged); code != 400 || graphErr(t, out)["error_subcode"] != float64(2534022) {
		t.Fatalf("HUMAN_AGENT after 8 days: %d %v", code, out)
	}
}

// The phone API drives an Instagram chat too.
func TestPhoneAPIInstagram(t *testing.T) {
	f := newFixture(t)
	resp, err := http.PostForm(f.srv.URL+"/phone/api/send", map[string][]string{
		"account": {testIG}, "client": {igClient}, "name": {"Ivan"}, "kind": {"text"}, "text": {"from the page"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"id"`) {
		t.Fatalf("phone send %d %s", resp.StatusCode, body)
	}
	waitFor(t, "webhook", func() bool { return len(f.rc.igEvents()) == 1 })
}

// Audio and video attachments are limited to 10 sends a second per account.
func TestInstagramMediaRateLimit(t *testing.T) {
	f := newFixture(t)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/mp4")
		_, _ = w.Write([]byte("....ftypM4A "))
	}))
	defer app.Close()
	_, _ = f.emu.SendText(testIG, Client{ID: igClient}, "hi")
	body := map[string]any{"recipient": map[string]any{"id": igClient},
		"message": map[string]any{"attachment": map[string]any{"type": "audio", "payload": map[string]any{"url": app.URL + "/a.m4a"}}}}
	for i := range 10 {
		if code, out := f.call(t, "POST", "/v23.0/me/messages", testIGToken, body); code != 200 {
			t.Fatalf("send %d: %d %v", i, code, out)
		}
	}
	code, out := f.call(t, "POST", "/v23.0/me/messages", testIGToken, body)
	if code != 400 || graphErr(t, out)["code"] != float64(613) {
		t.Fatalf("11th audio: %d %v", code, out)
	}
	text := map[string]any{"recipient": map[string]any{"id": igClient}, "message": map[string]any{"text": "text still goes"}}
	if code, out := f.call(t, "POST", "/v23.0/me/messages", testIGToken, text); code != 200 {
		t.Errorf("text after the audio limit: %d %v", code, out)
	}
}

func TestInstagramClientEditUnsendUnsupported(t *testing.T) {
	f := newFixture(t)
	c := Client{ID: igClient}
	mid, _ := f.emu.SendText(testIG, c, "helo")
	if err := f.emu.ClientEdit(testIG, igClient, mid, "hello"); err != nil {
		t.Fatal(err)
	}
	if err := f.emu.ClientUnsend(testIG, igClient, mid); err != nil {
		t.Fatal(err)
	}
	if _, err := f.emu.ClientSend(testIG, c, Content{Kind: KindUnsupported}); err != nil {
		t.Fatal(err)
	}
	if err := f.emu.ClientEdit(testNumber, testClient, mid, "x"); !errors.Is(err, ErrUnknownAccount) {
		t.Errorf("WhatsApp edit: %v", err)
	}
	waitFor(t, "events", func() bool { return len(f.rc.igEvents()) == 4 })
	ev := f.rc.igEvents()
	if e := ev[1]["message_edit"].(map[string]any); e["mid"] != mid || e["text"] != "hello" || e["num_edit"] != float64(1) {
		t.Errorf("edit %v", ev[1])
	}
	if m := ev[2]["message"].(map[string]any); m["mid"] != mid || m["is_deleted"] != true {
		t.Errorf("unsend %v", ev[2])
	}
	if m := ev[3]["message"].(map[string]any); m["is_unsupported"] != true {
		t.Errorf("unsupported %v", ev[3])
	}
	if conv := f.emu.Conversation(testIG, igClient); !conv[0].Revoked || !conv[0].Edited {
		t.Errorf("phone %+v", conv[0])
	}
}
