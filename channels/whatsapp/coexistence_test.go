package whatsapp_test

import (
	"testing"

	"switchboard/channels"
)

// The client of the coexistence fixtures, as seen from an echo: only "to".
var annByNumber = channels.Peer{ID: "15552223333", Phone: "15552223333"}

// echo is a message the business typed in the WhatsApp Business app.
func echo(id string, sec int64, kind channels.Kind, text string) channels.Message {
	return channels.Message{
		AccountID: phoneNumberID, ProviderID: id, Direction: channels.Outbound, FromPhone: true,
		Peer: annByNumber, Kind: kind, Text: text, SentAt: at(sec),
	}
}

var echoCases = map[string]channels.Webhook{
	"text_echo": {Messages: []channels.Message{echo("wamid.ECHO1", 1700001000, channels.KindText, "Typed on the phone")}},
	// The timestamp comes as a number here; both forms are read.
	"image_echo": {Messages: []channels.Message{func() channels.Message {
		m := echo("wamid.ECHO2", 1700001001, channels.KindImage, "price list")
		m.Media = &channels.MediaRef{ID: "5551", MIME: "image/jpeg", SHA256: "abc="}
		m.ReplyTo = "wamid.Q"
		return m
	}()}},
	"edit_echo": {Edits: []channels.Edit{{AccountID: phoneNumberID, TargetID: "wamid.ECHO1",
		Text: "Typed on the phone, fixed", At: at(1700001002)}}},
	"caption_edit_echo": {Edits: []channels.Edit{{AccountID: phoneNumberID, TargetID: "wamid.ECHO2",
		Text: "new price list", At: at(1700001003)}}},
	"revoke_echo": {Deletes: []channels.Delete{{AccountID: phoneNumberID, TargetID: "wamid.ECHO1", At: at(1700001004)}}},
	// The business reacted from its phone: Outbound, so it is not taken for the client's.
	"reaction_echo": {Reactions: []channels.Reaction{{AccountID: phoneNumberID, ProviderID: "wamid.ECHO6",
		TargetID: "wamid.IN1", Peer: annByNumber, Emoji: "👍", At: at(1700001005), Direction: channels.Outbound}}},
}

func TestParseWebhookMessageEchoes(t *testing.T) {
	runCases(t, "whatsapp_echoes.json", echoCases)
}

func historyMessage(id string, peer string, dir channels.Direction, sec int64, kind channels.Kind, text string) channels.Message {
	return channels.Message{
		AccountID: phoneNumberID, ProviderID: id, Direction: dir, FromPhone: dir == channels.Outbound,
		Peer: channels.Peer{ID: peer, Phone: peer}, Kind: kind, Text: text, SentAt: at(sec), History: true,
	}
}

var historyCases = map[string]channels.Webhook{
	// Direction by comparing "from" with the business number (formatted
	// "+1 555-000-1111" in metadata); the client is the thread id. Media come
	// without ids in history.
	"chunk": {History: true, Messages: []channels.Message{
		historyMessage("wamid.H1", "15552223333", channels.Inbound, 1690000000, channels.KindText, "Do you deliver?"),
		historyMessage("wamid.H2", "15552223333", channels.Outbound, 1690000060, channels.KindText, "Yes, every day"),
		historyMessage("wamid.H3", "15552223333", channels.Outbound, 1690000120, channels.KindUnsupported, "[unsupported: media_placeholder]"),
		historyMessage("wamid.H4", "15556667777", channels.Inbound, 1690000200, channels.KindImage, "this one"),
	}},
	// The business declined to share its history: flagged, nothing to store.
	"declined": {History: true},
}

func TestParseWebhookHistory(t *testing.T) {
	runCases(t, "whatsapp_history.json", historyCases)
}
