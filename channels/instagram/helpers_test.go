package instagram_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/channels/instagram"
)

const (
	accountID = "17841400000000001" // the Instagram professional account of the fixtures
	clientID  = "6000000000000001"  // the client's IGSID
	appSecret = "ig-app-secret"
)

var acct = channels.Account{
	Transport:   channels.Instagram,
	ExternalID:  accountID,
	AccessToken: "ig-token",
	AppSecret:   appSecret,
	VerifyToken: "verify-ig",
}

func loadCases(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "instagram.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases map[string]json.RawMessage
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func signed(body []byte) string { return instagram.Sign(appSecret, body) }

func parse(t *testing.T, body []byte) *channels.Webhook {
	t.Helper()
	wh, err := (&instagram.Transport{}).ParseWebhook(acct, signed(body), body)
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}
	return wh
}

func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }

func assertWebhook(t *testing.T, got *channels.Webhook, want channels.Webhook) {
	t.Helper()
	if !reflect.DeepEqual(*got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("webhook mismatch\n got: %s\nwant: %s", g, w)
	}
}

// graphServer is a fake Graph API at {URL}/v23.0.
func graphServer(t *testing.T, handle http.HandlerFunc) (channels.Account, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(handle)
	t.Cleanup(srv.Close)
	a := acct
	a.APIBase = srv.URL + "/v23.0"
	return a, srv
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// allowing is a transport that may download media from a's test server,
// which is plain http on loopback.
func allowing(a channels.Account) *instagram.Transport {
	u, err := url.Parse(a.APIBase)
	if err != nil {
		panic(err)
	}
	return &instagram.Transport{AllowMediaHosts: []string{u.Host}}
}
