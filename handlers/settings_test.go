package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"switchboard/channels/graphemu"
)

// postForm sends a form the way the settings page's htmx does.
func (it *installed) postForm(t *testing.T, path, token string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, it.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-Switchboard-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var (
	webhookURLIn  = regexp.MustCompile(`data-testid="channel-webhook-url">([^<]+)<`)
	verifyTokenIn = regexp.MustCompile(`data-testid="channel-verify-token">([^<]+)<`)
	channelIDIn   = regexp.MustCompile(`/hooks/whatsapp/(\d+)`)
)

// TestAnAdminConnectsANumberThroughThePage adds a WhatsApp number against
// the Graph emulator: wrong credentials are refused and nothing is stored;
// right ones show the webhook URL and verify token (never the secrets),
// the page waits until Meta's handshake, a client then writes to it, and
// a rename shows in the inbox.
func TestAnAdminConnectsANumberThroughThePage(t *testing.T) {
	it := newInstalled(t)
	emu := graphemu.New(graphemu.Config{})
	gsrv := httptest.NewServer(emu.Handler())
	t.Cleanup(gsrv.Close)
	it.in.GraphAPI, it.in.PublicURL = gsrv.URL+"/v23.0", it.app.URL
	emu.AddWhatsAppNumber(graphemu.Number{PhoneNumberID: "555000111", DisplayPhone: "15550001111", Name: "Acme Sales",
		AccessToken: "good-token", AppSecret: "app-secret-1"})
	admin := it.signedIn(t, 1)
	form := url.Values{"transport": {"whatsapp"}, "external_id": {"555000111"}, "name": {""},
		"access_token": {"wrong-token"}, "app_secret": {"app-secret-1"}, "mode": {"wz"}}

	status, body := it.postForm(t, "/settings/channels", admin, form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Meta refused") || strings.Contains(body, `data-testid="channel-card"`) {
		t.Fatalf("wrong token: %d\n%s", status, body)
	}
	form.Set("access_token", "good-token")
	status, body = it.postForm(t, "/settings/channels", admin, form)
	hook, verify := webhookURLIn.FindStringSubmatch(body), verifyTokenIn.FindStringSubmatch(body)
	if status != 200 || hook == nil || verify == nil || !strings.Contains(body, "Acme Sales") || !strings.Contains(body, `data-state="waiting"`) {
		t.Fatalf("right token: %d\n%s", status, body)
	}
	if strings.Contains(body, "good-token") || strings.Contains(body, "app-secret-1") {
		t.Fatalf("a secret is shown:\n%s", body)
	}
	if status, body := it.postForm(t, "/settings/channels", admin, form); status != http.StatusUnprocessableEntity || !strings.Contains(body, "connected already") {
		t.Fatalf("the same number again: %d\n%s", status, body)
	}

	// The admin pastes the URL and token into Meta, which checks them.
	emu.AddWhatsAppNumber(graphemu.Number{PhoneNumberID: "555000111", DisplayPhone: "15550001111", Name: "Acme Sales",
		AccessToken: "good-token", AppSecret: "app-secret-1", WebhookURL: hook[1]})
	if err := emu.VerifyWebhook(context.Background(), "555000111", verify[1]); err != nil {
		t.Fatal(err)
	}
	id := channelIDIn.FindStringSubmatch(hook[1])[1]
	if status, body := it.get(t, "/settings/channels/"+id+"/status", admin); status != 200 || !strings.Contains(body, `data-state="verified"`) || strings.Contains(body, verify[1]) {
		t.Fatalf("after the handshake: %d\n%s", status, body)
	}

	// A client writes; the admin renames the channel; the inbox shows both.
	if _, err := emu.SendText("555000111", graphemu.Client{ID: "79995550001", Name: "Lena"}, "Hello there"); err != nil {
		t.Fatal(err)
	}
	if status, body := it.postForm(t, "/settings/channels/"+id, admin, url.Values{"name": {"Acme — North"}, "mode": {"wz"}, "source": {""}}); status != 200 || !strings.Contains(body, "Acme — North") {
		t.Fatalf("rename: %d\n%s", status, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, list := it.get(t, "/dialogs", admin)
		if strings.Contains(list, "Lena") && strings.Contains(list, "Acme — North") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the client's dialog on the renamed channel never showed:\n%s", list)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSwitchingToOnlyOwnTakesDialogsOffAnOpenInbox: a manager's open
// stream resets as soon as the admin switches setting 6 to "only own", and
// what the page then reads no longer holds the dialogs without a
// responsible.
func TestSwitchingToOnlyOwnTakesDialogsOffAnOpenInbox(t *testing.T) {
	it := newInstalled(t)
	admin, manager := it.signedIn(t, 1), it.signedIn(t, 2)
	it.dialogIn(t, "member-a", "79990000001") // nobody's yet: visible under the default rule
	if _, list := it.get(t, "/dialogs", manager); !strings.Contains(list, "79990000001") {
		t.Fatalf("before: the manager does not see the dialog without a responsible:\n%s", list)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	waitFor, stop := openStream(t, ctx, it.app.URL+"/events?st="+manager, "")
	defer stop()
	waitFor("event: reset")
	status, body := it.postForm(t, "/settings", admin, url.Values{"visibility": {"own"}, "create": {"contact"},
		"deal_category": {"0"}, "distribute": {"round_robin"}, "source_label": {"1"}, "timeline": {"1"}})
	if status != 200 || !strings.Contains(body, `data-testid="flash-saved"`) {
		t.Fatalf("save: %d\n%s", status, body)
	}
	waitFor("event: reset")
	if _, list := it.get(t, "/dialogs", manager); strings.Contains(list, "79990000001") {
		t.Fatalf("after: the manager still sees it:\n%s", list)
	}
}
