package instagram_test

import (
	"bytes"
	"errors"
	"net/url"
	"reflect"
	"testing"

	"switchboard/channels"
	"switchboard/channels/instagram"
)

var client = channels.Peer{ID: clientID}

// in is a message from the client with the fields most cases share.
func in(mid string, at int64, kind channels.Kind, text string) channels.Message {
	return channels.Message{AccountID: accountID, ProviderID: mid, Direction: channels.Inbound,
		Peer: client, Kind: kind, Text: text, SentAt: ms(at)}
}

// out is an echo of what the business sent from the Instagram app.
func out(mid string, at int64, text string) channels.Message {
	return channels.Message{AccountID: accountID, ProviderID: mid, Direction: channels.Outbound, FromPhone: true,
		Peer: client, Kind: channels.KindText, Text: text, SentAt: ms(at)}
}

func file(m channels.Message, link, name string) channels.Message {
	m.Media = &channels.MediaRef{URL: link, FileName: name}
	return m
}

func one(m channels.Message) channels.Webhook {
	return channels.Webhook{Messages: []channels.Message{m}}
}

var cases = map[string]channels.Webhook{
	"text": one(in("aWdfZAG1faXRlbTox", 1700000000101, channels.KindText, "Hello, do you ship to Kazan?")),
	"text_reply": one(func() channels.Message {
		m := in("aWdfZAG1faXRlbToy", 1700000000102, channels.KindText, "this one")
		m.ReplyTo = "aWdfZAG1faXRlbTow"
		return m
	}()),
	"image": one(file(in("mid.img", 1700000000103, channels.KindImage, ""),
		"https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=111&signature=abc", "")),
	"video": one(file(in("mid.vid", 1700000000104, channels.KindVideo, ""),
		"https://scontent.cdninstagram.com/v/t66/clip_n.mp4?stp=1", "clip_n.mp4")),
	"audio": one(file(in("mid.aud", 1700000000105, channels.KindAudio, ""),
		"https://cdn.example.com/audioclip-1700000000105.m4a", "audioclip-1700000000105.m4a")),
	"file": one(file(in("mid.file", 1700000000106, channels.KindDocument, ""),
		"https://cdn.example.com/files/price%20list.pdf?sig=1", "price list.pdf")),
	"share":              one(in("mid.share", 1700000000107, channels.KindText, "https://www.instagram.com/p/Cxyz/")),
	"ig_reel":            one(in("mid.igreel", 1700000000108, channels.KindText, "Our new collection\nhttps://www.instagram.com/reel/Rabc/")),
	"reel":               one(in("mid.reel", 1700000000109, channels.KindText, "https://www.instagram.com/reel/Rdef/")),
	"ig_post":            one(in("mid.post", 1700000000110, channels.KindText, "Summer sale\nhttps://www.instagram.com/p/Post1/")),
	"like_heart":         one(in("mid.heart", 1700000000111, channels.KindText, "❤")),
	"unknown_attachment": one(in("mid.unknown", 1700000000112, channels.KindUnsupported, "[unsupported: hologram]")),
	// One Instagram message, three attachments: three messages with derived
	// ids; the text rides on the first.
	"several_attachments": {Messages: []channels.Message{
		file(in("mid.many", 1700000000113, channels.KindImage, "three photos"), "https://cdn.example.com/a.jpg", "a.jpg"),
		file(in("mid.many#1", 1700000000113, channels.KindImage, ""), "https://cdn.example.com/b.jpg", "b.jpg"),
		file(in("mid.many#2", 1700000000113, channels.KindVideo, ""), "https://cdn.example.com/c.mp4", "c.mp4"),
	}},
	"story_mention": one(file(in("mid.mention", 1700000000114, channels.KindStory,
		"https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=222"), "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=222", "")),
	"ig_story": one(file(in("mid.igstory", 1700000000115, channels.KindStory,
		"https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=333"), "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=333", "")),
	"story_reply": one(in("mid.storyreply", 1700000000116, channels.KindStory,
		"Is it still available?\nhttps://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=444")),
	// Echo orientation: Meta's (business as sender), courier's (client as
	// sender with is_echo), and a business sender without the flag. The
	// client is always the party that is not entry.id.
	"echo_business_sender":         one(out("mid.echo1", 1700000000117, "Typed in the Instagram app")),
	"echo_client_sender":           one(out("mid.echo2", 1700000000118, "Echo with the client as sender")),
	"business_sender_without_flag": one(out("mid.echo3", 1700000000119, "No is_echo flag")),
	"unsent":                       {Deletes: []channels.Delete{{AccountID: accountID, TargetID: "mid.unsent", At: ms(1700000000120)}}},
	"unsupported":                  one(in("mid.unsup", 1700000000121, channels.KindUnsupported, "[unsupported: unknown]")),
	"reaction": {Reactions: []channels.Reaction{{AccountID: accountID, TargetID: "mid.target", Peer: client,
		Emoji: "❤", At: ms(1700000000122), Direction: channels.Inbound}}},
	"reaction_name_only": {Reactions: []channels.Reaction{{AccountID: accountID, TargetID: "mid.target", Peer: client,
		Emoji: "👍", At: ms(1700000000123), Direction: channels.Inbound}}},
	"unreact": {Reactions: []channels.Reaction{{AccountID: accountID, TargetID: "mid.target", Peer: client,
		Emoji: "", At: ms(1700000000124), Direction: channels.Inbound}}},
	"business_reaction": {Reactions: []channels.Reaction{{AccountID: accountID, TargetID: "mid.in", Peer: client,
		Emoji: "❤", At: ms(1700000000125), Direction: channels.Outbound}}},
	"edit": {Edits: []channels.Edit{{AccountID: accountID, TargetID: "aWdfZAG1faXRlbTox",
		Text: "Hello, do you ship to Kazan and Ufa?", At: ms(1700000000126)}}},
	"read": {Statuses: []channels.Status{{AccountID: accountID, ProviderID: "mid.ours", State: "read", At: ms(1700000000127)}}},
	// The business reading the client's messages is no receipt of ours.
	"business_read": {},
	"postback":      one(in("mid.pb", 1700000000129, channels.KindText, "What are your hours?")),
	"other_account": {},
	"two_entries": {
		Messages: []channels.Message{
			in("mid.batch1", 1700000000132, channels.KindText, "first"),
			func() channels.Message {
				m := in("mid.batch2", 1700000000133, channels.KindText, "second")
				m.Peer = channels.Peer{ID: "6000000000000002"}
				return m
			}(),
		},
		Statuses: []channels.Status{{AccountID: accountID, ProviderID: "mid.ours2", State: "read", At: ms(1700000000134)}},
	},
}

func TestParseWebhookFixtures(t *testing.T) {
	fixtures := loadCases(t)
	for name := range cases {
		if _, ok := fixtures[name]; !ok {
			t.Errorf("expected case %q is not in instagram.json", name)
		}
	}
	for name, body := range fixtures {
		t.Run(name, func(t *testing.T) {
			want, ok := cases[name]
			if !ok {
				t.Fatalf("no expectation for fixture case %q", name)
			}
			assertWebhook(t, parse(t, body), want)
		})
	}
}

func TestParseWebhookRetryIsStable(t *testing.T) {
	for name, body := range loadCases(t) {
		if a, b := parse(t, body), parse(t, body); !reflect.DeepEqual(a, b) {
			t.Errorf("%s: retried body parsed differently", name)
		}
	}
}

func TestParseWebhookSignature(t *testing.T) {
	body := []byte(loadCases(t)["text"])
	tr := &instagram.Transport{}
	tests := []struct {
		name, secret, header string
		want                 error
	}{
		{"right", appSecret, instagram.Sign(appSecret, body), nil},
		{"missing", appSecret, "", channels.ErrBadSignature},
		{"wrong secret", appSecret, instagram.Sign("whatsapp-secret", body), channels.ErrBadSignature},
		{"garbage", appSecret, "sha256=not-hex", channels.ErrBadSignature},
		{"account without secret", "", instagram.Sign("", body), channels.ErrBadSignature},
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
		tampered := bytes.Replace(body, []byte("Kazan"), []byte("Kazań"), 1)
		if _, err := tr.ParseWebhook(acct, h, tampered); !errors.Is(err, channels.ErrBadSignature) {
			t.Fatalf("err = %v, want ErrBadSignature", err)
		}
	})
}

func TestParseWebhookMalformed(t *testing.T) {
	for name, body := range map[string]string{
		"not json":     `{"object":"instagram",`,
		"wrong object": `{"object":"whatsapp_business_account","entry":[]}`,
		"page object":  `{"object":"page","entry":[]}`,
	} {
		t.Run(name, func(t *testing.T) {
			b := []byte(body)
			_, err := (&instagram.Transport{}).ParseWebhook(acct, signed(b), b)
			if !errors.Is(err, channels.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}

// A timestamp that is not a number costs the message nothing: it parses
// with no time, and inbox gives it the receive time.
func TestParseWebhookUnreadableTimestamp(t *testing.T) {
	b := []byte(`{"object":"instagram","entry":[{"id":"17841400000000001","time":1,"messaging":[{"sender":{"id":"555"},"recipient":{"id":"17841400000000001"},"timestamp":"yesterday","message":{"mid":"m1","text":"hi"}}]}]}`)
	w, err := (&instagram.Transport{}).ParseWebhook(acct, signed(b), b)
	if err != nil || len(w.Messages) != 1 || !w.Messages[0].SentAt.IsZero() || w.Messages[0].Text != "hi" {
		t.Fatalf("got %+v, %v; want the message with no time", w, err)
	}
}

func TestVerify(t *testing.T) {
	tr := &instagram.Transport{}
	q, _ := url.ParseQuery("hub.mode=subscribe&hub.verify_token=verify-ig&hub.challenge=42")
	if got, err := tr.Verify(acct, q); got != "42" || err != nil {
		t.Fatalf("Verify = %q, %v", got, err)
	}
	q, _ = url.ParseQuery("hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42")
	if _, err := tr.Verify(acct, q); !errors.Is(err, channels.ErrBadVerifyToken) {
		t.Fatalf("err = %v", err)
	}
	if tr.Name() != channels.Instagram {
		t.Fatalf("Name = %q", tr.Name())
	}
}
