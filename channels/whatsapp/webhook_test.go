package whatsapp_test

import (
	"bytes"
	"errors"
	"net/url"
	"reflect"
	"testing"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
)

var ann = channels.Peer{ID: "15552223333", Phone: "15552223333", Name: "Ann"}

// extraCases covers message types pywa's fixtures lack.
var extraCases = map[string]channels.Webhook{
	"button_reply": {Messages: []channels.Message{{
		AccountID: phoneNumberID, ProviderID: "wamid.BTN1", Direction: channels.Inbound, Peer: ann,
		Kind: channels.KindText, Text: "Yes, please", ReplyTo: "wamid.MENU", SentAt: at(1700000001),
	}}},
	"list_reply": {Messages: []channels.Message{{
		AccountID: phoneNumberID, ProviderID: "wamid.LST1", Direction: channels.Inbound, Peer: ann,
		Kind: channels.KindText, Text: "Delivery", SentAt: at(1700000002),
	}}},
	"template_button": {Messages: []channels.Message{{
		AccountID: phoneNumberID, ProviderID: "wamid.TB1", Direction: channels.Inbound, Peer: ann,
		Kind: channels.KindText, Text: "Unsubscribe", ReplyTo: "wamid.TPL", SentAt: at(1700000003),
	}}},
	// No contacts[] in a system message: the peer has no name.
	"system": {Messages: []channels.Message{{
		AccountID: phoneNumberID, ProviderID: "wamid.SYS1", Direction: channels.Inbound,
		Peer: channels.Peer{ID: "15552223333", Phone: "15552223333"}, Kind: channels.KindUnsupported,
		Text: "[unsupported: system]\nAnn changed from 15552223333 to 15554445555", SentAt: at(1700000004),
	}}},
	"unknown_type": {Messages: []channels.Message{{
		AccountID: phoneNumberID, ProviderID: "wamid.NEW1", Direction: channels.Inbound, Peer: ann,
		Kind: channels.KindUnsupported, Text: "[unsupported: hologram]", SentAt: at(1700000005),
	}}},
	"user_edit": {Edits: []channels.Edit{{
		AccountID: phoneNumberID, TargetID: "wamid.ORIG", Text: "fixed typo", At: at(1700000006),
	}}},
	"user_revoke": {Deletes: []channels.Delete{{
		AccountID: phoneNumberID, TargetID: "wamid.ORIG", At: at(1700000007),
	}}},
	// A username-only client: the BSUID is the dialog key, there is no phone.
	"bsuid_only": {Messages: []channels.Message{{
		AccountID: phoneNumberID, ProviderID: "wamid.BS1", Direction: channels.Inbound,
		Peer: channels.Peer{ID: "US.777", Name: "Hidden"}, Kind: channels.KindText,
		Text: "no number shown", SentAt: at(1700000008),
	}}},
	// Several entries and changes: each message gets its own sender's name,
	// the other number's change and the template update are skipped.
	"two_numbers_two_entries": {
		Messages: []channels.Message{
			{AccountID: phoneNumberID, ProviderID: "wamid.M1", Direction: channels.Inbound, Peer: ann,
				Kind: channels.KindText, Text: "from Ann", SentAt: at(1700000010)},
			{AccountID: phoneNumberID, ProviderID: "wamid.M2", Direction: channels.Inbound,
				Peer: channels.Peer{ID: "15556667777", Phone: "15556667777", Name: "Bob"},
				Kind: channels.KindText, Text: "from Bob", SentAt: at(1700000011)},
		},
		Statuses: []channels.Status{{AccountID: phoneNumberID, ProviderID: "wamid.OUT1", State: "failed",
			At: at(1700000013), ErrorCode: 131047, ErrorTitle: "Re-engagement message"}},
	},
}

func TestParseWebhookExtraCases(t *testing.T) {
	runCases(t, "whatsapp_extra.json", extraCases)
}

// runCases asserts the mapping of every case of a testdata file.
func runCases(t *testing.T, file string, want map[string]channels.Webhook) {
	t.Helper()
	cases := loadCases(t, file)
	for name := range want {
		if _, ok := cases[name]; !ok {
			t.Errorf("%s: expected case %q is not in the fixture", file, name)
		}
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for fixture case %q", name)
			}
			assertWebhook(t, parse(t, acct, body), w)
		})
	}
}

func TestParseWebhookSignature(t *testing.T) {
	body := []byte(loadCases(t, "pywa_message.json")["text"])
	tr := &whatsapp.Transport{}
	tests := []struct {
		name   string
		secret string // account's app secret
		header string // X-Hub-Signature-256
		want   error
	}{
		{"right", appSecret, whatsapp.Sign(appSecret, body), nil},
		{"missing", appSecret, "", channels.ErrBadSignature},
		{"wrong secret", appSecret, whatsapp.Sign("other", body), channels.ErrBadSignature},
		{"no sha256= prefix", appSecret, whatsapp.Sign(appSecret, body)[len("sha256="):], channels.ErrBadSignature},
		{"sha1 scheme", appSecret, "sha1=" + whatsapp.Sign(appSecret, body)[len("sha256="):], channels.ErrBadSignature},
		{"not hex", appSecret, "sha256=zz", channels.ErrBadSignature},
		{"uppercase hex", appSecret, "sha256=" + upper(whatsapp.Sign(appSecret, body)[len("sha256="):]), nil},
		{"account without secret", "", whatsapp.Sign("", body), channels.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := acct
			a.AppSecret = tt.secret
			_, err := tr.ParseWebhook(a, tt.header, body)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("body changed after signing", func(t *testing.T) {
		h := signed(body)
		tampered := bytes.Replace(body, []byte("Body Text"), []byte("Body Tex!"), 1)
		if _, err := tr.ParseWebhook(acct, h, tampered); !errors.Is(err, channels.ErrBadSignature) {
			t.Fatalf("err = %v, want ErrBadSignature", err)
		}
	})
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func TestParseWebhookMalformed(t *testing.T) {
	tests := []struct{ name, body string }{
		{"not json", `{"object":`},
		{"array", `[1,2]`},
		{"wrong object", `{"object":"instagram","entry":[]}`},
		{"no object", `{"entry":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			_, err := (&whatsapp.Transport{}).ParseWebhook(acct, signed(body), body)
			if !errors.Is(err, channels.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

// Meta retries a webhook for days; a retried body must map to the same ids
// so the database's unique provider id turns it into a no-op.
func TestParseWebhookRetryIsStable(t *testing.T) {
	for name, body := range loadCases(t, "pywa_message.json") {
		first, second := parse(t, acct, body), parse(t, acct, body)
		if !reflect.DeepEqual(first, second) {
			t.Errorf("%s: retried body parsed differently", name)
		}
	}
}

func TestVerify(t *testing.T) {
	tr := &whatsapp.Transport{}
	tests := []struct {
		name  string
		query string
		want  string
		err   error
	}{
		{"subscribe", "hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444", "1158201444", nil},
		{"wrong token", "hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1", "", channels.ErrBadVerifyToken},
		{"no token", "hub.mode=subscribe&hub.challenge=1", "", channels.ErrBadVerifyToken},
		{"wrong mode", "hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1", "", channels.ErrBadVerifyToken},
		{"no mode", "hub.verify_token=verify-me&hub.challenge=1", "", channels.ErrBadVerifyToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			got, err := tr.Verify(acct, q)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("Verify = %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
	t.Run("account without verify token", func(t *testing.T) {
		a := acct
		a.VerifyToken = ""
		q, _ := url.ParseQuery("hub.mode=subscribe&hub.verify_token=&hub.challenge=1")
		if _, err := tr.Verify(a, q); !errors.Is(err, channels.ErrBadVerifyToken) {
			t.Fatalf("err = %v, want ErrBadVerifyToken", err)
		}
	})
}

func TestName(t *testing.T) {
	if got := (&whatsapp.Transport{}).Name(); got != channels.WhatsApp {
		t.Fatalf("Name = %q", got)
	}
}

// A timestamp that is not a number costs the message nothing: it parses
// with no time, and inbox gives it the receive time.
func TestParseWebhookUnreadableTimestamp(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"1122334455667"},"messages":[{"from":"79990001122","id":"x","timestamp":"soon","type":"text","text":{"body":"hi"}}]}}]}]}`)
	w := parse(t, acct, body)
	if len(w.Messages) != 1 || !w.Messages[0].SentAt.IsZero() || w.Messages[0].Text != "hi" {
		t.Fatalf("got %+v; want the message with no time", w.Messages)
	}
}
