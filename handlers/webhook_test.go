package handlers_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

const hello = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001001","phone_number_id":"100200300"},
"contacts":[{"profile":{"name":"Ivan"},"wa_id":"79990001122"}],
"messages":[{"from":"79990001122","id":"wamid.HELLO1","timestamp":"1764000000","type":"text","text":{"body":"Hello"}}]}}]}]}`

func TestWebhookSignatureIsRequired(t *testing.T) {
	a := newApp(t)
	body := []byte(hello)
	cases := []struct {
		name, signature string
	}{
		{"missing", ""},
		{"wrong", "sha256=" + strings.Repeat("0", 64)},
		{"signed with another secret", "sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
		{"no prefix", strings.TrimPrefix(sign(body), "sha256=")},
	}
	for _, c := range cases {
		if status := a.post(t, body, c.signature); status != http.StatusUnauthorized {
			t.Errorf("%s signature: status %d, want 401", c.name, status)
		}
	}
	if n := a.count(t, "messages"); n != 0 {
		t.Fatalf("%d messages stored from unsigned webhooks", n)
	}
	if n := a.count(t, "clients"); n != 0 {
		t.Fatalf("%d clients stored from unsigned webhooks", n)
	}
	if !strings.Contains(a.logs.String(), "bad signature") {
		t.Fatalf("refusals not logged:\n%s", a.logs)
	}
}

func TestMalformedWebhookIsRefused(t *testing.T) {
	a := newApp(t)
	for _, body := range []string{`{"object":"whatsapp_business_account","entry":[`, `not json`, `{"object":"page","entry":[]}`} {
		if status := a.post(t, []byte(body), sign([]byte(body))); status != http.StatusBadRequest {
			t.Errorf("body %q: status %d, want 400", body, status)
		}
	}
	if n := a.count(t, "messages"); n != 0 {
		t.Fatalf("%d messages stored from malformed webhooks", n)
	}
	if !strings.Contains(a.logs.String(), "malformed") {
		t.Fatalf("refusals not logged:\n%s", a.logs)
	}
}

func TestSignedWebhookIsStoredOnce(t *testing.T) {
	a := newApp(t)
	body := []byte(hello)
	for i := 0; i < 3; i++ {
		if status := a.post(t, body, sign(body)); status != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i, status)
		}
	}
	if n := a.count(t, "messages"); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

func TestWebhookVerificationHandshake(t *testing.T) {
	a := newApp(t)
	get := func(query string) (int, string) {
		resp, err := http.Get(a.hookURL + "?" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me"); status != 200 || body != "1158201444" {
		t.Fatalf("good token: %d %q", status, body)
	}
	if status, _ := get("hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope"); status != http.StatusForbidden {
		t.Fatalf("bad token: %d, want 403", status)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	a := newApp(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(a.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	if _, err := a.store.DB.Exec(`DELETE FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(a.srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz on a schema behind: %d, want 503", resp.StatusCode)
	}
}
