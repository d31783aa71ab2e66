package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/bitrix/emulator"
	"switchboard/channels"
	"switchboard/channels/graphemu"
	"switchboard/channels/instagram"
)

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
	if !strings.Contains(body, `value="555000111"`) || strings.Contains(body, "wrong-token") || strings.Contains(body, "app-secret-1") {
		t.Fatalf("after a refusal the form keeps the id and never the secrets:\n%s", body)
	}
	form.Set("access_token", "good-token")
	form.Set("business_id", "waba-77")
	status, body = it.postForm(t, "/settings/channels", admin, form)
	hook, verify := webhookURLIn.FindStringSubmatch(body), verifyTokenIn.FindStringSubmatch(body)
	if status != 200 || hook == nil || verify == nil || !strings.Contains(body, "Acme Sales") || !strings.Contains(body, `data-state="waiting"`) {
		t.Fatalf("right token: %d\n%s", status, body)
	}
	if strings.Contains(body, "good-token") || strings.Contains(body, "app-secret-1") {
		t.Fatalf("a secret is shown:\n%s", body)
	}
	if n := countRows(t, it, `SELECT count(*) FROM channels WHERE external_id = $1 AND business_id = $2`, "555000111", "waba-77"); n != 1 {
		t.Fatalf("the Business Account id (its templates) is not stored: %d", n)
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

// TestSettingsRefuseWhatThePortalDoesNotOffer: each value the portal does
// not offer is refused, named in the viewer's language, and nothing is
// stored; what it offers is stored.
func TestSettingsRefuseWhatThePortalDoesNotOffer(t *testing.T) {
	it := newInstalled(t)
	admin := it.signedIn(t, 1)
	valid := url.Values{"visibility": {"own_and_unassigned"}, "create": {"contact_deal"}, "deal_category": {"1"},
		"deal_stage": {"C1:NEW"}, "distribute": {"one"}, "distribute_to": {"2"}, "timeline": {"1"}, "timeline_on": {"contact", "deal"},
		"notify_delay": {"12"}, "notify_escalate": {"mention_head"}, "notify_escalate_after": {"30"}}
	with := func(key string, vals ...string) url.Values {
		f := url.Values{}
		for k, v := range valid {
			f[k] = v
		}
		f[key] = vals
		return f
	}
	for _, c := range []struct {
		name string
		form url.Values
		want string
	}{
		{"an unknown rule", with("visibility", "everyone"), "Which dialogs managers see: choose one of the offered values."},
		{"a pipeline the portal lacks", with("deal_category", "77"), "Deal pipeline: this pipeline is not in the portal."},
		{"a stage of another pipeline", with("deal_stage", "NEW"), "Deal stage: this stage is not in the chosen pipeline."},
		{"one person, two chosen", with("distribute_to", "1", "2"), "Managers: \"always one person\" needs exactly one manager."},
		{"a user the portal lacks", with("distribute_to", "42"), "Managers: this user is not an active employee of the portal."},
		{"an administrator the portal lacks", with("see_all", "42"), "Administrators: this user is not an active employee of the portal."},
		{"an unknown timeline target", with("timeline_on", "company"), "Timeline: choose one of the offered values."},
		{"a delay over a day", with("notify_delay", "5000"), "Wait while someone has the dialog open, minutes: out of the allowed range."},
		{"a delay that is no number", with("notify_delay", "soon"), "Wait while someone has the dialog open, minutes: out of the allowed range."},
		{"an unknown escalation", with("notify_escalate", "fire"), "If still unanswered: choose one of the offered values."},
		{"an escalation after no time", with("notify_escalate_after", "0"), "Escalate after, minutes: out of the allowed range."},
	} {
		status, body := it.postForm(t, "/settings", admin, c.form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, html(c.want)) {
			t.Errorf("%s: %d, want 422 with %q\n%s", c.name, status, c.want, body)
		}
		if !strings.Contains(body, `<option value="`+c.form.Get("deal_stage")+`" selected>`) { // what was posted stays in the form
			t.Errorf("%s: the posted stage is lost:\n%s", c.name, body)
		}
	}
	var raw string
	if err := it.store.DB.Get(&raw, `SELECT settings::text FROM portals WHERE member_id = 'member-a'`); err != nil || raw != "{}" {
		t.Fatalf("after refusals the settings are %s (%v), want untouched", raw, err)
	}
	if status, body := it.postForm(t, "/settings", admin, valid); status != 200 || !strings.Contains(body, `data-testid="flash-saved"`) {
		t.Fatalf("valid: %d\n%s", status, body)
	}
	if err := it.store.DB.Get(&raw, `SELECT settings->'crm' FROM portals WHERE member_id = 'member-a'`); err != nil ||
		!strings.Contains(raw, `"create": "contact_deal"`) || !strings.Contains(raw, `"deal_stage": "C1:NEW"`) || !strings.Contains(raw, `"distribute_to": [2]`) ||
		!strings.Contains(raw, `"timeline_on": ["contact", "deal"]`) || !strings.Contains(raw, `"source_label": false`) {
		t.Fatalf("stored: %s (%v)", raw, err)
	}
	if err := it.store.DB.Get(&raw, `SELECT settings->'notify' FROM portals WHERE member_id = 'member-a'`); err != nil ||
		raw != `{"escalate": "mention_head", "delay_minutes": 12, "escalate_after_minutes": 30}` {
		t.Fatalf("stored notify: %s (%v)", raw, err)
	}
}

// html is s as templ escapes it in a page.
func html(s string) string { return strings.ReplaceAll(s, `"`, "&#34;") }

// TestATurnedOffOrRemovedChannel: a channel turned off sends nothing (the
// composer says why) and still receives; a removed one keeps its dialogs
// and history, its webhooks get 404, and it leaves the page.
func TestATurnedOffOrRemovedChannel(t *testing.T) {
	it := newInstalled(t)
	admin := it.signedIn(t, 1)
	channel, dialog := it.dialogIn(t, "member-a", "79990000001")
	ch, d := strconv.FormatInt(channel, 10), strconv.FormatInt(dialog, 10)
	if status, body := it.post(t, "/settings/channels/"+ch+"/disable", admin); status != 200 || !strings.Contains(body, `data-testid="channel-off"`) {
		t.Fatalf("turn off: %d\n%s", status, body)
	}
	if status, body := it.postForm(t, "/dialogs/"+d+"/messages", admin, url.Values{"text": {"hello"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "turned off") {
		t.Fatalf("a send through a channel turned off: %d\n%s", status, body)
	}
	if n := countRows(t, it, `SELECT count(*) FROM messages WHERE dialog_id = $1`, dialog); n != 0 {
		t.Fatalf("%d messages queued through a channel turned off", n)
	}
	if status, body := it.post(t, "/settings/channels/"+ch+"/remove", admin); status != 200 || strings.Contains(body, `data-channel="`+ch+`"`) {
		t.Fatalf("remove: %d\n%s", status, body)
	}
	if status, body := it.get(t, "/dialogs/"+d, admin); status != 200 || !strings.Contains(body, "79990000001") {
		t.Fatalf("the removed channel's dialog: %d\n%s", status, body)
	}
	req, _ := http.NewRequest(http.MethodGet, it.app.URL+"/hooks/whatsapp/"+ch+"?hub.mode=subscribe&hub.challenge=1&hub.verify_token=x", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a removed channel's webhook: %d, want 404", resp.StatusCode)
	}
}

func countRows(t *testing.T, it *installed, query string, args ...any) int {
	t.Helper()
	var n int
	if err := it.store.DB.Get(&n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNotificationChatMembersFromThePage: the admin adds a manager to the
// notification chat and removes them again; the installing user, through
// whom the app manages the chat, cannot be removed.
func TestNotificationChatMembersFromThePage(t *testing.T) {
	it := newInstalled(t)
	admin := it.signedIn(t, 1)
	chat := it.portal.Chats(1)
	if len(chat) != 1 {
		t.Fatalf("chats of the admin: %+v", chat)
	}
	bots := it.portal.BotIDs()
	if len(bots) != 1 {
		t.Fatalf("bots: %v", bots)
	}
	// The people in the chat; the bot that owns it is in it too.
	members := func() string {
		return fmt.Sprint(slices.DeleteFunc(it.portal.Chats(0)[0].Users, func(u int) bool { return u == bots[0] }))
	}
	if status, body := it.postForm(t, "/settings/notify/members", admin, url.Values{"user": {"2"}}); status != 200 ||
		!strings.Contains(body, `data-testid="notify-member" data-user="2"`) || members() != "[1 2]" {
		t.Fatalf("add Boris: %d, members %s\n%s", status, members(), body)
	}
	if status, body := it.post(t, "/settings/notify/members/1/remove", admin); status != http.StatusUnprocessableEntity || members() != "[1 2]" {
		t.Fatalf("remove the owner: %d, members %s\n%s", status, members(), body)
	}
	if status, body := it.post(t, "/settings/notify/members/2/remove", admin); status != 200 || members() != "[1]" ||
		strings.Contains(body, `data-user="2"`) {
		t.Fatalf("remove Boris: %d, members %s\n%s", status, members(), body)
	}
	if status, _ := it.post(t, "/settings/notify/members/2/remove", admin); status != http.StatusNotFound {
		t.Fatalf("remove who is not a member: %d, want 404", status)
	}
}

// TestAnAdminConnectsAnInstagramAccount: the account id and token are
// checked with GET /{ig-id}; the username names the channel when the admin
// gave none, and its webhook URL is Instagram's.
func TestAnAdminConnectsAnInstagramAccount(t *testing.T) {
	it := newInstalled(t)
	emu := graphemu.New(graphemu.Config{})
	gsrv := httptest.NewServer(emu.Handler())
	t.Cleanup(gsrv.Close)
	it.in.GraphAPI, it.in.PublicURL = gsrv.URL+"/v23.0", it.app.URL
	it.in.Transports[channels.Instagram] = &instagram.Transport{}
	emu.AddInstagramAccount(graphemu.IGAccount{ID: "17841400000000077", Username: "acme.shop", AccessToken: "ig-token", AppSecret: "ig-secret"})
	admin := it.signedIn(t, 1)
	form := url.Values{"transport": {"instagram"}, "external_id": {"17841400000000077"}, "access_token": {"someone-elses"}, "app_secret": {"ig-secret"}}
	if status, body := it.postForm(t, "/settings/channels", admin, form); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Meta refused") {
		t.Fatalf("a wrong token: %d\n%s", status, body)
	}
	form.Set("access_token", "ig-token")
	status, body := it.postForm(t, "/settings/channels", admin, form)
	if status != 200 || !strings.Contains(body, `data-testid="channel-name">acme.shop<`) || !strings.Contains(body, it.app.URL+"/hooks/instagram/") {
		t.Fatalf("the account: %d\n%s", status, body)
	}
}

// TestTheSettingsPageStandsWhenBitrix24HidesTheChatMembers: Bitrix24 not
// answering for the notification chat's members (down, the chat's bot
// deleted) costs that section only, which says so; the rest of the page
// works, and the members are back once Bitrix24 answers.
func TestTheSettingsPageStandsWhenBitrix24HidesTheChatMembers(t *testing.T) {
	it := newInstalled(t)
	admin := it.signedIn(t, 1)
	it.portal.SetFaults(emulator.Faults{LoseAnswers: []string{"imbot.chat.user.list"}})
	status, body := it.get(t, "/settings", admin)
	if status != http.StatusOK || !strings.Contains(body, `data-testid="notify-unread"`) ||
		!strings.Contains(body, `data-testid="channel-add"`) || strings.Contains(body, `data-testid="notify-add"`) {
		t.Fatalf("settings with the members unread: %d\n%s", status, body)
	}
	it.portal.SetFaults(emulator.Faults{})
	status, body = it.get(t, "/settings", admin)
	if status != http.StatusOK || strings.Contains(body, `data-testid="notify-unread"`) ||
		!strings.Contains(body, `data-testid="notify-member" data-user="1"`) {
		t.Fatalf("settings once Bitrix24 answers: %d\n%s", status, body)
	}
}
