package whatsapp_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
)

// The pywa fixtures' business number.
const (
	phoneNumberID = "1122334455667"
	appSecret     = "app-secret"
)

var acct = channels.Account{
	Transport:   channels.WhatsApp,
	ExternalID:  phoneNumberID,
	AccessToken: "token-1",
	AppSecret:   appSecret,
	VerifyToken: "verify-me",
}

// loadCases reads a testdata file mapping case names to webhook bodies.
func loadCases(t *testing.T, name string) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var cases map[string]json.RawMessage
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return cases
}

// signed is the header Meta would send with body.
func signed(body []byte) string { return whatsapp.Sign(appSecret, body) }

// parse parses a correctly signed body for a.
func parse(t *testing.T, a channels.Account, body []byte) *channels.Webhook {
	t.Helper()
	wh, err := (&whatsapp.Transport{}).ParseWebhook(a, signed(body), body)
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}
	return wh
}

func at(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

func assertWebhook(t *testing.T, got *channels.Webhook, want channels.Webhook) {
	t.Helper()
	if !reflect.DeepEqual(*got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("webhook mismatch\n got: %s\nwant: %s", g, w)
	}
}

// allowing is a transport that may download media from a's test server,
// which is plain http on loopback.
func allowing(a channels.Account) *whatsapp.Transport {
	u, err := url.Parse(a.APIBase)
	if err != nil {
		panic(err)
	}
	return &whatsapp.Transport{AllowMediaHosts: []string{u.Host}}
}
