package whatsapp_test

import (
	"testing"

	"switchboard/channels"
)

// client is the sender in every pywa message case.
var client = channels.Peer{ID: "972987654321", Phone: "972987654321", Name: "Test Name"}

// inbound is a message from client with the fields most cases share.
func inbound(id string, sec int64, kind channels.Kind, text string) channels.Message {
	return channels.Message{
		AccountID: phoneNumberID, ProviderID: id, Direction: channels.Inbound,
		Peer: client, Kind: kind, Text: text, SentAt: at(sec),
	}
}

func withMedia(m channels.Message, ref channels.MediaRef) channels.Message {
	m.Media = &ref
	return m
}

func forwarded(m channels.Message) channels.Message {
	m.Forwarded = true
	return m
}

func reaction(emoji string) channels.Reaction {
	return channels.Reaction{
		AccountID: phoneNumberID, ProviderID: "wamid.xyzxyz", TargetID: "wamid.yzxyzx=",
		Peer: client, Emoji: emoji, At: at(1697044456), Direction: channels.Inbound,
	}
}

// messageCases is the expected mapping of every case in pywa's message.json.
var messageCases = map[string]channels.Webhook{
	"text": {Messages: []channels.Message{inbound("wamid.xyzxyz", 1697043223, channels.KindText, "Body Text")}},
	"image": {Messages: []channels.Message{withMedia(
		inbound("wamid.xyzxyz", 1697043379, channels.KindImage, ""),
		channels.MediaRef{ID: "65463453", MIME: "image/jpeg", SHA256: "4654+8g="})}},
	"media_with_url": {Messages: []channels.Message{withMedia(
		inbound("wamid.xyzxyz", 1697043379, channels.KindImage, ""),
		channels.MediaRef{ID: "65463453", MIME: "image/jpeg", SHA256: "4654+8g=",
			URL: "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=65463453&source=webhook&ext=487r9re&hash=heiwchueowbcew-dnedcw"})}},
	"video": {Messages: []channels.Message{forwarded(withMedia(
		inbound("wamid.xyzxyz", 1697044362, channels.KindVideo, "caption"),
		channels.MediaRef{ID: "765756756", MIME: "video/mp4", SHA256: "Jh+2ij6PzUv/J2y+grrtegr/ZMzRxkEPwc24Oyib4s03w9Jc="}))}},
	"document": {Messages: []channels.Message{forwarded(withMedia(
		inbound("wamid.xyzxyz", 1697043666, channels.KindDocument, "caption"),
		channels.MediaRef{ID: "1234567890987654321", MIME: "application/pdf",
			SHA256: "grwfwe/ZPx0wAbdfbdeFUNItPZ0RylL8gGUvdt3YFqc18SY=", FileName: "filename.pdf"}))}},
	"audio": {Messages: []channels.Message{forwarded(withMedia(
		inbound("wamid.xyzxyz", 1697043509, channels.KindAudio, ""),
		channels.MediaRef{ID: "1234567890987654321", MIME: "audio/ogg; codecs=opus",
			SHA256: "E3dxS/PdYZE7ppA3pQ4mpCFaXBJ8pX4SRN/dsfvds/iPGA="}))}},
	"voice": {Messages: []channels.Message{withMedia(
		inbound("wamid.xyzxyz", 1697043473, channels.KindVoice, ""),
		channels.MediaRef{ID: "1234567890987654321", MIME: "audio/ogg; codecs=opus",
			SHA256: "m04pFf2ERdaopTyFkGPA0+bX3i+YY2dYgVFwOgDLSDI="})}},
	"static_sticker": {Messages: []channels.Message{withMedia(
		inbound("wamid.xyzxyz", 1697043760, channels.KindSticker, ""),
		channels.MediaRef{ID: "1234567890987654321", MIME: "image/webp",
			SHA256: "OmT4nhjUhCMIPNmj7eeOZeCYjTXkLxoOv85OMCFwSuc="})}},
	"animated_sticker": {Messages: []channels.Message{withMedia(
		inbound("wamid.xyzxyz", 1697043785, channels.KindSticker, ""),
		channels.MediaRef{ID: "1234567890987654321", MIME: "image/webp",
			SHA256: "HcwyCKrTKXHk0a00ms4HWIA76GY0Du6q4Z/iuwevw="})}},
	"reaction":            {Reactions: []channels.Reaction{reaction("😮")}},
	"unreaction_empty":    {Reactions: []channels.Reaction{reaction("")}},
	"unreaction_no_emoji": {Reactions: []channels.Reaction{reaction("")}},
	"current_location": {Messages: []channels.Message{func() channels.Message {
		m := forwarded(inbound("wamid.xyzxyz", 1697044557, channels.KindLocation,
			"https://maps.google.com/?q=12.25089,43.90539"))
		m.Location = &channels.Location{Latitude: 12.25089, Longitude: 43.90539}
		return m
	}()}},
	"chosen_location": {Messages: []channels.Message{func() channels.Message {
		m := forwarded(inbound("wamid.xyzxyz", 1697044557, channels.KindLocation,
			"https://maps.google.com/?q=37.4611978,-122.2164385\nFacebook HQ\n1 Hacker Way, Menlo Park, CA 94025"))
		m.Location = &channels.Location{Latitude: 37.4611978, Longitude: -122.2164385,
			Name: "Facebook HQ", Address: "1 Hacker Way, Menlo Park, CA 94025"}
		return m
	}()}},
	"contacts": {Messages: []channels.Message{inbound("wamid.xyzxyz", 1697044621, channels.KindContact,
		"Chandler Bing\nPhone: +1 555-555-5555 (CELL)\n\n"+
			"Monica\nPhone: +1 666-666-6666 (HOME)\n\n"+
			"Rachel Green\nPhone: +1 777-777-7777 (WORK)")}},
	"order": {Messages: []channels.Message{inbound("wamid.xyzxyz", 1697044668, channels.KindUnsupported,
		"[unsupported: order]")}},
	"unsupported": {Messages: []channels.Message{inbound("wamid.xyzxyz", 1697044706, channels.KindUnsupported,
		"[unsupported: unknown]")}},
	"unsupported_with_type": {Messages: []channels.Message{inbound("wamid.xyzxyz", 1697044706, channels.KindUnsupported,
		"[unsupported: pool]")}},
	"reply": {Messages: []channels.Message{func() channels.Message {
		m := inbound("wamid.xyzxyz", 1697044746, channels.KindText, "replied text")
		m.ReplyTo = "wamid.xyzxyz=="
		return m
	}()}},
	"forwarded": {Messages: []channels.Message{forwarded(
		inbound("wamid.xyzxyz", 1697044815, channels.KindText, "forwarded text"))}},
	"forwarded_many_times": {Messages: []channels.Message{forwarded(
		inbound("wamid.xyzxyz", 1697044968, channels.KindText, "text forwarded many times"))}},
	// An interactive message Meta could not describe (value.errors 131000):
	// the quote is kept, the content is a placeholder.
	"interactive_message_with_err": {Messages: []channels.Message{func() channels.Message {
		m := inbound("wamid.wegrchytvwcggt=", 1700505494, channels.KindUnsupported, "[unsupported: interactive]")
		m.ReplyTo = "wamid.gvwegfretge=="
		return m
	}()}},
	// A click-to-WhatsApp ad entry: the text arrives; the referral is not modelled.
	"referral": {Messages: []channels.Message{inbound("wamid.ID", 1697045000, channels.KindText, "BODY")}},
}

func status(state string, sec int64) channels.Status {
	return channels.Status{AccountID: phoneNumberID, ProviderID: "wamid.xyzxyz", State: state, At: at(sec)}
}

// statusCases is the expected mapping of every case in pywa's
// message_status.json.
var statusCases = map[string]channels.Webhook{
	"sent":      {Statuses: []channels.Status{status("sent", 1698266945)}},
	"delivered": {Statuses: []channels.Status{status("delivered", 1698266945)}},
	"read":      {Statuses: []channels.Status{status("read", 1689380458)}},
	"played":    {Statuses: []channels.Status{status("played", 1689380458)}},
	"failed": {Statuses: []channels.Status{func() channels.Status {
		s := status("failed", 1689380458)
		s.ErrorCode, s.ErrorTitle = 130472, "User's number is part of an experiment"
		return s
	}()}},
	"with_tracker": {Statuses: []channels.Status{status("sent", 1698266945)}},
	// A group message's receipt, for the placeholder number the fixture uses.
	"group": {Statuses: []channels.Status{{
		AccountID: "<BUSINESS_PHONE_NUMBER_ID>", ProviderID: "<WHATSAPP_MESSAGE_ID>",
		State: "read", At: at(1698266945),
	}}},
}

// accountFor is the account each case is addressed to: pywa's group case
// uses placeholder ids.
func accountFor(name string) channels.Account {
	a := acct
	if name == "group" {
		a.ExternalID = "<BUSINESS_PHONE_NUMBER_ID>"
	}
	return a
}

func TestParseWebhookPywaFixtures(t *testing.T) {
	for _, f := range []struct {
		file string
		want map[string]channels.Webhook
	}{
		{"pywa_message.json", messageCases},
		{"pywa_message_status.json", statusCases},
	} {
		cases := loadCases(t, f.file)
		for name := range f.want {
			if _, ok := cases[name]; !ok {
				t.Errorf("%s: expected case %q is not in the fixture", f.file, name)
			}
		}
		for name, body := range cases {
			t.Run(f.file+"/"+name, func(t *testing.T) {
				want, ok := f.want[name]
				if !ok {
					t.Fatalf("no expectation for fixture case %q: every case must be asserted", name)
				}
				assertWebhook(t, parse(t, accountFor(name), body), want)
			})
		}
	}
}

// A change for another number of the same WABA is not ours: skipped, no error.
func TestParseWebhookSkipsOtherNumbers(t *testing.T) {
	for _, f := range []string{"pywa_message.json", "pywa_message_status.json"} {
		for name, body := range loadCases(t, f) {
			other := acct
			other.ExternalID = "999"
			t.Run(f+"/"+name, func(t *testing.T) {
				assertWebhook(t, parse(t, other, body), channels.Webhook{})
			})
		}
	}
}
