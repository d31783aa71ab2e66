package graphemu

import (
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func textBody(to, body string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "to": to, "type": "text", "text": map[string]any{"body": body}}
}

// graphErr extracts the error object and checks the fields every Graph
// error carries.
func graphErr(t *testing.T, out map[string]any) map[string]any {
	t.Helper()
	e, ok := out["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object: %v", out)
	}
	if e["message"] == "" || e["type"] == "" || e["fbtrace_id"] == "" {
		t.Errorf("error lacks message/type/fbtrace_id: %v", e)
	}
	return e
}

func TestSendAuth(t *testing.T) {
	f := newFixture(t)
	path := "/v23.0/" + testNumber + "/messages"
	tests := []struct {
		name     string
		path     string
		token    string
		wantHTTP int
		wantCode float64
	}{
		{"missing bearer", path, "", 401, 190},
		{"unknown token", path, "nope", 401, 190},
		{"another account's token", path, testIGToken, 401, 190},
		{"unknown phone number id", "/v23.0/999000999/messages", testToken, 400, 100},
		{"bad version segment", "/latest/" + testNumber + "/messages", testToken, 400, 2500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := f.call(t, "POST", tt.path, tt.token, textBody(testClient, "hi"))
			e := graphErr(t, out)
			if code != tt.wantHTTP || e["code"] != tt.wantCode {
				t.Fatalf("got %d %v", code, e)
			}
		})
	}
	_, out := f.call(t, "POST", "/v23.0/999000999/messages", testToken, textBody(testClient, "hi"))
	if msg := graphErr(t, out)["message"].(string); !strings.HasPrefix(msg, "Unsupported post request") {
		t.Errorf("unknown id message %q", msg)
	}
	if got := f.emu.Conversation(testNumber, testClient); len(got) != 0 {
		t.Errorf("refused sends reached the phone: %v", got)
	}
}

func TestSendValidation(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("я", maxTextBody+1)
	tests := []struct {
		name string
		body map[string]any
		code float64
	}{
		{"no messaging_product", map[string]any{"to": testClient, "type": "text", "text": map[string]any{"body": "x"}}, 100},
		{"wrong messaging_product", map[string]any{"messaging_product": "sms", "to": testClient, "text": map[string]any{"body": "x"}}, 100},
		{"no to", map[string]any{"messaging_product": "whatsapp", "type": "text", "text": map[string]any{"body": "x"}}, 100},
		{"bad to", textBody("not-a-number", "x"), 100},
		{"no text object", map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "text"}, 100},
		{"empty body", textBody(testClient, ""), 100},
		{"body too long", textBody(testClient, long), 100},
		{"body of wrong JSON type", map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "text", "text": map[string]any{"body": 5}}, 100},
		{"unknown type", map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "poll", "poll": map[string]any{}}, 100},
		{"image with id and link", map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "image",
			"image": map[string]any{"id": "1", "link": "https://example.com/a.jpg"}}, 100},
		{"image with neither", map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "image", "image": map[string]any{}}, 100},
		{"caption too long", map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "image",
			"image": map[string]any{"link": "https://example.com/a.jpg", "caption": strings.Repeat("c", maxCaption+1)}}, 100},
		{"caption on audio", map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "audio",
			"audio": map[string]any{"link": "https://example.com/a.ogg", "caption": "no"}}, 100},
		{"unknown media id", map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "document",
			"document": map[string]any{"id": "123456"}}, 131009},
		{"template without language", map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "template",
			"template": map[string]any{"name": "hello"}}, 100},
		{"location without longitude", map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "location",
			"location": map[string]any{"latitude": 1.5}}, 100},
		{"reaction without message_id", map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "reaction",
			"reaction": map[string]any{"emoji": "👍"}}, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, tt.body)
			if code != 400 {
				t.Fatalf("HTTP %d %v", code, out)
			}
			e := graphErr(t, out)
			if e["code"] != tt.code || e["type"] != "OAuthException" {
				t.Fatalf("error %v", e)
			}
			data, ok := e["error_data"].(map[string]any)
			if !ok || data["messaging_product"] != "whatsapp" || data["details"] == "" {
				t.Fatalf("error_data %v", e["error_data"])
			}
		})
	}
	// The exact key set of a validation error.
	_, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, map[string]any{"messaging_product": "whatsapp", "to": testClient, "type": "poll"})
	var keys []string
	for k := range graphErr(t, out) {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "code,error_data,fbtrace_id,message,type" {
		t.Errorf("error keys %v", keys)
	}
}

func TestSendSuccessShape(t *testing.T) {
	f := newFixture(t)
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "hi")
	code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, textBody("+7 999 000-11-22", "hello"))
	if code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	id := out["messages"].([]any)[0].(map[string]any)["id"].(string)
	want := map[string]any{
		"messaging_product": "whatsapp",
		"contacts":          []any{map[string]any{"input": "+7 999 000-11-22", "wa_id": testClient}},
		"messages":          []any{map[string]any{"id": id}},
	}
	if !reflect.DeepEqual(out, want) || !strings.HasPrefix(id, "wamid.") {
		t.Fatalf("answer %v", out)
	}
	second := f.sendText(t, testClient, "again")
	if second == id {
		t.Error("wamids are not unique")
	}
}

// Free-form messages outside the 24-hour window are accepted, then fail
// asynchronously with 131047; templates still go through.
func TestWindow131047(t *testing.T) {
	f := newFixture(t)
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient, Name: "Anna"}, "hi")
	f.clock.Advance(25 * time.Hour)

	id := f.sendText(t, testClient, "late answer")
	waitFor(t, "failed status", func() bool { return len(f.rc.statusSeq(id)) == 1 })
	if seq := f.rc.statusSeq(id); seq[0] != "failed" {
		t.Fatalf("statuses %v", seq)
	}
	var failed map[string]any
	for _, s := range f.rc.statuses() {
		if s["id"] == id {
			failed = s
		}
	}
	errs := failed["errors"].([]any)
	if errs[0].(map[string]any)["code"] != float64(131047) || errs[0].(map[string]any)["title"] == "" {
		t.Errorf("errors %v", errs)
	}
	for _, m := range f.emu.Conversation(testNumber, testClient) {
		if m.ID == id {
			t.Error("a failed message reached the phone")
		}
	}

	// A number that never wrote is outside the window too.
	never := f.sendText(t, "79990009999", "cold message")
	waitFor(t, "failed cold", func() bool { return len(f.rc.statusSeq(never)) == 1 && f.rc.statusSeq(never)[0] == "failed" })

	code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, map[string]any{
		"messaging_product": "whatsapp", "to": testClient, "type": "template",
		"template": map[string]any{"name": "order_update", "language": map[string]any{"code": "en_US"},
			"components": []any{map[string]any{"type": "body", "parameters": []any{map[string]any{"type": "text", "text": "42"}}}}},
	})
	if code != 200 {
		t.Fatalf("template: %d %v", code, out)
	}
	tid := out["messages"].([]any)[0].(map[string]any)["id"].(string)
	waitFor(t, "template sent", func() bool { return len(f.rc.statusSeq(tid)) == 1 })
	if seq := f.rc.statusSeq(tid); seq[0] != "sent" {
		t.Errorf("template statuses %v", seq)
	}
	conv := f.emu.Conversation(testNumber, testClient)
	if last := conv[len(conv)-1]; last.Template != "order_update" || last.Text != "[template order_update] 42" {
		t.Errorf("template on the phone: %+v", last)
	}

	// Once the client writes again, free-form works.
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "I'm back")
	ok := f.sendText(t, testClient, "welcome back")
	waitFor(t, "sent", func() bool { return len(f.rc.statusSeq(ok)) == 1 })
	if f.rc.statusSeq(ok)[0] != "sent" {
		t.Errorf("statuses %v", f.rc.statusSeq(ok))
	}
}

func TestPlayedVoiceNote(t *testing.T) {
	f := newFixture(t)
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "send me a voice")
	obj, err := f.emu.storeBytes(testNumber, "v.ogg", voiceMIME, voiceSample())
	if err != nil {
		t.Fatal(err)
	}
	code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, map[string]any{
		"messaging_product": "whatsapp", "to": testClient, "type": "audio", "audio": map[string]any{"id": obj.ID},
	})
	if code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	id := out["messages"].([]any)[0].(map[string]any)["id"].(string)
	f.emu.MarkPlayed(testNumber, testClient, id)
	waitFor(t, "played", func() bool { return len(f.rc.statusSeq(id)) == 4 })
	if seq := f.rc.statusSeq(id); !reflect.DeepEqual(seq, []string{"sent", "delivered", "read", "played"}) {
		t.Errorf("statuses %v", seq)
	}
}

// biz_opaque_callback_data comes back in every status of the message.
func TestTrackerInStatuses(t *testing.T) {
	f := newFixture(t)
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "hi")
	body := textBody(testClient, "tracked")
	body["biz_opaque_callback_data"] = "order-42"
	code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, body)
	if code != 200 {
		t.Fatalf("%d %v", code, out)
	}
	id := out["messages"].([]any)[0].(map[string]any)["id"].(string)
	f.emu.MarkDelivered(testNumber, testClient)
	waitFor(t, "statuses", func() bool { return len(f.rc.statusSeq(id)) == 2 })
	for _, s := range f.rc.statuses() {
		if s["id"] == id && s["biz_opaque_callback_data"] != "order-42" {
			t.Errorf("status without tracker: %v", s)
		}
	}
}

// GET /{phone-number-id} and /me answer the account profiles an app checks
// when a channel is connected.
func TestAccountProfiles(t *testing.T) {
	f := newFixture(t)
	code, out := f.call(t, "GET", "/v23.0/"+testNumber, testToken, nil)
	if code != 200 || out["display_phone_number"] != testDisplay || out["verified_name"] != "Acme Shop" || out["id"] != testNumber {
		t.Errorf("number profile %d %v", code, out)
	}
	if code, _ := f.call(t, "GET", "/v23.0/"+testNumber, testIGToken, nil); code != 401 {
		t.Errorf("number profile with a foreign token: %d", code)
	}
	code, out = f.call(t, "GET", "/v23.0/me", testIGToken, nil)
	if code != 200 || out["id"] != testIG || out["username"] != "acme" {
		t.Errorf("/me %d %v", code, out)
	}
	if code, _ := f.call(t, "GET", "/v23.0/"+testIG, testToken, nil); code != 401 {
		t.Errorf("IG profile with a foreign token: %d", code)
	}
}

// A number with approved templates refuses unknown ones and wrong parameter
// counts, and the phone shows the filled-in body.
func TestApprovedTemplates(t *testing.T) {
	f := newFixture(t, func(_ *Config, n *Number) {
		n.Templates = []Template{{Name: "order_update", Language: "en_US", Body: "Order {{1}} is {{2}}."}}
	})
	send := func(name, lang string, params ...string) (int, map[string]any) {
		var ps []any
		for _, p := range params {
			ps = append(ps, map[string]any{"type": "text", "text": p})
		}
		return f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, map[string]any{
			"messaging_product": "whatsapp", "to": testClient, "type": "template",
			"template": map[string]any{"name": name, "language": map[string]any{"code": lang},
				"components": []any{map[string]any{"type": "body", "parameters": ps}}},
		})
	}
	if code, out := send("promo", "en_US"); code != 400 || graphErr(t, out)["code"] != float64(132001) {
		t.Errorf("unknown template: %d %v", code, out)
	}
	if code, out := send("order_update", "ru"); code != 400 || graphErr(t, out)["code"] != float64(132001) {
		t.Errorf("unknown language: %d %v", code, out)
	}
	if code, out := send("order_update", "en_US", "42"); code != 400 || graphErr(t, out)["code"] != float64(132000) {
		t.Errorf("param count: %d %v", code, out)
	}
	if code, out := send("order_update", "en_US", "42", "shipped"); code != 200 {
		t.Fatalf("good template: %d %v", code, out)
	}
	if conv := f.emu.Conversation(testNumber, testClient); len(conv) != 1 || conv[0].Text != "Order 42 is shipped." {
		t.Errorf("phone shows %+v", conv)
	}
}
