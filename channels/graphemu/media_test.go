package graphemu

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// pngBytes is a tiny valid PNG header followed by filler.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)

// upload posts a multipart upload and decodes the answer.
func (f *fixture) upload(t *testing.T, token string, fields map[string]string, fileName, partType string, data []byte) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if data != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, fileName))
		h.Set("Content-Type", partType)
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", f.srv.URL+"/v23.0/"+testNumber+"/media", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// download GETs a media URL with an optional bearer.
func download(t *testing.T, url, token string) (int, []byte, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header.Get("Content-Type")
}

func TestMediaUploadGetDownload(t *testing.T) {
	f := newFixture(t)
	wa := map[string]string{"messaging_product": "whatsapp", "type": "image/png"}
	code, out := f.upload(t, testToken, wa, "a.png", "image/png", pngBytes)
	if code != 200 {
		t.Fatalf("upload %d %v", code, out)
	}
	id := out["id"].(string)
	if len(out) != 1 || id == "" {
		t.Fatalf("upload answer %v", out)
	}

	code, meta := f.call(t, "GET", "/v23.0/"+id, testToken, nil)
	sum := sha256.Sum256(pngBytes)
	if code != 200 || meta["messaging_product"] != "whatsapp" || meta["mime_type"] != "image/png" || meta["id"] != id ||
		meta["file_size"] != float64(len(pngBytes)) || meta["sha256"] != hex.EncodeToString(sum[:]) {
		t.Fatalf("media meta %d %v", code, meta)
	}
	url := meta["url"].(string)
	if !strings.HasPrefix(url, f.srv.URL+"/media-download/") {
		t.Fatalf("url %s", url)
	}
	if c, _, _ := download(t, url, ""); c != 401 {
		t.Errorf("download without bearer: %d", c)
	}
	if c, _, _ := download(t, url, "wrong"); c != 401 {
		t.Errorf("download with a wrong bearer: %d", c)
	}
	c, body, ct := download(t, url, testToken)
	if c != 200 || !bytes.Equal(body, pngBytes) || ct != "image/png" {
		t.Fatalf("download %d %q", c, ct)
	}
	head, _ := http.NewRequest("HEAD", url, nil)
	head.Header.Set("Authorization", "Bearer "+testToken)
	if resp, err := http.DefaultClient.Do(head); err != nil || resp.StatusCode != 200 || resp.ContentLength != int64(len(pngBytes)) {
		t.Errorf("HEAD download: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if c, _, _ := download(t, strings.Replace(url, "hash=", "hash=x", 1), testToken); c != 404 {
		t.Errorf("tampered URL: %d", c)
	}
	f.clock.Advance(6 * time.Minute)
	if c, _, _ := download(t, url, testToken); c != 401 {
		t.Errorf("expired URL: %d", c)
	}

	// The media GET needs the owner's bearer.
	if c, _ := f.call(t, "GET", "/v23.0/"+id, "", nil); c != 401 {
		t.Errorf("media GET without bearer: %d", c)
	}
	if c, out := f.call(t, "GET", "/v23.0/"+id, testIGToken, nil); c != 400 || graphErr(t, out)["code"] != float64(100) {
		t.Errorf("media GET with another account's token: %d %v", c, out)
	}

	// Sending it by id reaches the phone with the file.
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "photo please")
	code, out = f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, map[string]any{
		"messaging_product": "whatsapp", "to": testClient, "type": "image", "image": map[string]any{"id": id, "caption": "here"},
	})
	if code != 200 {
		t.Fatalf("send image %d %v", code, out)
	}
	conv := f.emu.Conversation(testNumber, testClient)
	last := conv[len(conv)-1]
	if last.Type != "image" || last.Text != "here" || last.Media == nil || last.Media.ID != id {
		t.Errorf("phone shows %+v", last)
	}
	if data, mime, err := f.emu.Media(last.Media.ID); err != nil || !bytes.Equal(data, pngBytes) || mime != "image/png" {
		t.Errorf("Media: %v %q", err, mime)
	}
	if c, body, _ := download(t, f.srv.URL+last.Media.URL, ""); c != 200 || !bytes.Equal(body, pngBytes) {
		t.Errorf("phone copy %d", c)
	}

	// Deleted media is gone.
	if c, out := f.call(t, "DELETE", "/v23.0/"+id, testToken, nil); c != 200 || out["success"] != true {
		t.Fatalf("delete %d %v", c, out)
	}
	if c, _ := f.call(t, "GET", "/v23.0/"+id, testToken, nil); c != 400 {
		t.Errorf("GET after delete: %d", c)
	}
}

func TestMediaUploadLimits(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name     string
		fields   map[string]string
		partType string
		data     []byte
		code     float64
	}{
		{"no messaging_product", map[string]string{"type": "image/png"}, "image/png", pngBytes, 100},
		{"no file", map[string]string{"messaging_product": "whatsapp", "type": "image/png"}, "", nil, 100},
		{"no type", map[string]string{"messaging_product": "whatsapp"}, "image/png", pngBytes, 100},
		{"unsupported type", map[string]string{"messaging_product": "whatsapp", "type": "application/zip"}, "application/zip", []byte("PK.."), 131053},
		{"image too large", map[string]string{"messaging_product": "whatsapp", "type": "image/jpeg"}, "image/jpeg",
			append([]byte("\xff\xd8\xff\xe0"), make([]byte, 5<<20)...), 131053},
		{"image that is not one", map[string]string{"messaging_product": "whatsapp", "type": "image/jpeg"}, "image/jpeg", []byte("hello, not a jpeg"), 131053},
		{"sticker too large", map[string]string{"messaging_product": "whatsapp", "type": "image/webp"}, "image/webp",
			append([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), make([]byte, 600<<10)...), 131053},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := f.upload(t, testToken, tt.fields, "f", tt.partType, tt.data)
			if code != 400 || graphErr(t, out)["code"] != tt.code {
				t.Fatalf("%d %v", code, out)
			}
		})
	}
	if code, out := f.upload(t, "", map[string]string{"messaging_product": "whatsapp", "type": "image/png"}, "a.png", "image/png", pngBytes); code != 401 {
		t.Errorf("upload without bearer: %d %v", code, out)
	}
	code, out := f.upload(t, testToken, map[string]string{"messaging_product": "whatsapp", "type": "application/pdf"}, "a.pdf", "application/pdf", []byte("%PDF-1.4 ..."))
	if code != 200 {
		t.Errorf("pdf upload: %d %v", code, out)
	}
	f.emu.mu.Lock()
	n := len(f.emu.media)
	f.emu.mu.Unlock()
	if n != 1 {
		t.Errorf("refused uploads were kept: %d objects", n)
	}
}

// A client's photo reaches the app as an image message whose media id the
// app downloads with its bearer.
func TestInboundMedia(t *testing.T) {
	f := newFixture(t)
	id, err := f.emu.SendFile(testNumber, Client{ID: testClient, Name: "Anna"}, KindImage, File{Name: "cat.png", Data: pngBytes}, "my cat")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "webhook", func() bool { return len(f.rc.all()) == 1 })
	var h waHook
	_ = json.Unmarshal(f.rc.all()[0].Body, &h)
	msg := h.Entry[0].Changes[0].Value["messages"].([]any)[0].(map[string]any)
	img := msg["image"].(map[string]any)
	sum := sha256.Sum256(pngBytes)
	if msg["id"] != id || msg["type"] != "image" || img["mime_type"] != "image/png" || img["caption"] != "my cat" ||
		img["sha256"] != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("message %v", msg)
	}
	code, meta := f.call(t, "GET", "/v23.0/"+img["id"].(string)+"?phone_number_id="+testNumber, testToken, nil)
	if code != 200 {
		t.Fatalf("media GET %d %v", code, meta)
	}
	if c, body, _ := download(t, meta["url"].(string), testToken); c != 200 || !bytes.Equal(body, pngBytes) {
		t.Fatalf("download %d", c)
	}
}

// Every kind a client can send has the shape of Meta's messages[].
func TestInboundKinds(t *testing.T) {
	f := newFixture(t)
	c := Client{ID: testClient, Name: "Anna"}
	first, _ := f.emu.SendText(testNumber, c, "hello")
	calls := []func() (string, error){
		func() (string, error) {
			return f.emu.SendFile(testNumber, c, KindVoice, File{Name: "v.ogg", Data: voiceSample()}, "")
		},
		func() (string, error) {
			return f.emu.SendFile(testNumber, c, KindDocument, File{Name: "invoice.pdf", MIME: "application/pdf", Data: []byte("%PDF-1.4")}, "invoice")
		},
		func() (string, error) {
			return f.emu.SendLocation(testNumber, c, Location{Latitude: 55.75, Longitude: 37.62, Name: "Red Square", Address: "Moscow"})
		},
		func() (string, error) {
			return f.emu.SendContacts(testNumber, c, ContactCard{Name: "Boris Friend", Phone: "+7 999 000 33 44"})
		},
		func() (string, error) { return f.emu.SendReaction(testNumber, c, first, "👍") },
		func() (string, error) { return f.emu.SendReply(testNumber, c, first, "as I said") },
	}
	for _, call := range calls {
		if _, err := call(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "webhooks", func() bool { return len(f.rc.all()) == 7 })
	var msgs []map[string]any
	for _, g := range f.rc.all()[1:] {
		var h waHook
		_ = json.Unmarshal(g.Body, &h)
		msgs = append(msgs, h.Entry[0].Changes[0].Value["messages"].([]any)[0].(map[string]any))
	}
	voice := msgs[0]["audio"].(map[string]any)
	if msgs[0]["type"] != "audio" || voice["voice"] != true || voice["mime_type"] != "audio/ogg; codecs=opus" {
		t.Errorf("voice %v", msgs[0])
	}
	doc := msgs[1]["document"].(map[string]any)
	if doc["filename"] != "invoice.pdf" || doc["mime_type"] != "application/pdf" || doc["caption"] != "invoice" {
		t.Errorf("document %v", msgs[1])
	}
	loc := msgs[2]["location"].(map[string]any)
	if loc["latitude"] != 55.75 || loc["longitude"] != 37.62 || loc["name"] != "Red Square" {
		t.Errorf("location %v", msgs[2])
	}
	card := msgs[3]["contacts"].([]any)[0].(map[string]any)
	if card["name"].(map[string]any)["formatted_name"] != "Boris Friend" ||
		card["phones"].([]any)[0].(map[string]any)["wa_id"] != "79990003344" {
		t.Errorf("contacts %v", msgs[3])
	}
	if r := msgs[4]["reaction"].(map[string]any); r["message_id"] != first || r["emoji"] != "👍" || msgs[4]["context"] != nil {
		t.Errorf("reaction %v", msgs[4])
	}
	if ctx := msgs[5]["context"].(map[string]any); ctx["id"] != first || ctx["from"] != testClient {
		t.Errorf("reply %v", msgs[5])
	}
}

// A business media send by link is fetched from the app; a dead link fails
// the message with 131014.
func TestSendByLink(t *testing.T) {
	f := newFixture(t)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/files/price.pdf" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write([]byte("%PDF-1.4 price list"))
	}))
	defer app.Close()
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "prices?")
	send := func(link string) string {
		code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, map[string]any{
			"messaging_product": "whatsapp", "to": testClient, "type": "document",
			"document": map[string]any{"link": link, "filename": "price.pdf"},
		})
		if code != 200 {
			t.Fatalf("%d %v", code, out)
		}
		return out["messages"].([]any)[0].(map[string]any)["id"].(string)
	}
	good := send(app.URL + "/files/price.pdf")
	bad := send(app.URL + "/files/missing.pdf")
	waitFor(t, "statuses", func() bool { return len(f.rc.statusSeq(good)) == 1 && len(f.rc.statusSeq(bad)) == 1 })
	if f.rc.statusSeq(good)[0] != "sent" || f.rc.statusSeq(bad)[0] != "failed" {
		t.Fatalf("good %v bad %v", f.rc.statusSeq(good), f.rc.statusSeq(bad))
	}
	conv := f.emu.Conversation(testNumber, testClient)
	last := conv[len(conv)-1]
	if last.ID != good || last.Media == nil || last.Media.FileName != "price.pdf" || last.Media.MIME != "application/pdf" {
		t.Errorf("phone shows %+v", last)
	}
}

func TestForwardedAndUnsupported(t *testing.T) {
	f := newFixture(t)
	c := Client{ID: testClient}
	if _, err := f.emu.ClientSend(testNumber, c, Content{Text: "look at this", Forwarded: true, FrequentlyForwarded: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.emu.ClientSend(testNumber, c, Content{Kind: KindUnsupported, Text: "poll"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "webhooks", func() bool { return len(f.rc.all()) == 2 })
	fw := f.rc.changes("messages")[0]["messages"].([]any)[0].(map[string]any)
	if ctx := fw["context"].(map[string]any); ctx["forwarded"] != true || ctx["frequently_forwarded"] != true || ctx["id"] != nil {
		t.Errorf("forwarded %v", fw)
	}
	un := f.rc.changes("messages")[1]["messages"].([]any)[0].(map[string]any)
	errs := un["errors"].([]any)
	if un["type"] != "unsupported" || errs[0].(map[string]any)["code"] != float64(131051) || un["unsupported"].(map[string]any)["type"] != "poll" {
		t.Errorf("unsupported %v", un)
	}
}

// Received media ids expire after 7 days, uploaded ones after 30.
func TestMediaIDLifetimes(t *testing.T) {
	f := newFixture(t)
	_, _ = f.emu.SendFile(testNumber, Client{ID: testClient}, KindImage, File{Name: "a.png", Data: pngBytes}, "")
	received := f.emu.Conversation(testNumber, testClient)[0].Media.ID
	code, out := f.upload(t, testToken, map[string]string{"messaging_product": "whatsapp", "type": "image/png"}, "b.png", "image/png", pngBytes)
	if code != 200 {
		t.Fatal(out)
	}
	uploaded := out["id"].(string)
	f.clock.Advance(8 * 24 * time.Hour)
	if c, _ := f.call(t, "GET", "/v23.0/"+received, testToken, nil); c != 400 {
		t.Errorf("received media after 8 days: %d", c)
	}
	if c, _ := f.call(t, "GET", "/v23.0/"+uploaded, testToken, nil); c != 200 {
		t.Errorf("uploaded media after 8 days: %d", c)
	}
	f.clock.Advance(23 * 24 * time.Hour)
	if c, _ := f.call(t, "GET", "/v23.0/"+uploaded, testToken, nil); c != 400 {
		t.Errorf("uploaded media after 31 days: %d", c)
	}
}
