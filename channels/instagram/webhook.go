package instagram

import (
	"fmt"

	"switchboard/channels"
	"switchboard/channels/internal/meta"
)

// objectInstagram is the "object" of every Instagram messaging webhook.
const objectInstagram = "instagram"

// ParseWebhook checks the body's X-Hub-Signature-256 against acct.AppSecret
// (channels.ErrBadSignature) and maps every messaging event of the entries
// whose id is acct.ExternalID; entries for other accounts are skipped. A
// body that is not JSON or not an Instagram webhook is an error wrapping
// channels.ErrMalformed. Parsing is pure: a retried body gives the same ids.
func (t *Transport) ParseWebhook(acct channels.Account, signature string, body []byte) (*channels.Webhook, error) {
	entries, err := meta.DecodeWebhook[entry](acct.AppSecret, signature, body, objectInstagram)
	if err != nil {
		return nil, fmt.Errorf("instagram: %w", err)
	}
	wh := &channels.Webhook{}
	for _, e := range entries {
		if e.ID != acct.ExternalID {
			continue
		}
		for _, ev := range e.Messaging {
			mapEvent(wh, e.ID, ev)
		}
	}
	return wh, nil
}

// side tells who acted in an event, judged against the account id and not
// by the sender/recipient orientation alone: Meta documents echoes with the
// business as sender, but payloads with is_echo and the client as sender
// exist too (courier's fixtures). The client is whichever party is not the
// account; the business acted when it is the sender or the event is an echo.
func side(account string, ev event) (channels.Direction, channels.Peer) {
	business := ev.Sender.ID == account || (ev.Message != nil && ev.Message.IsEcho)
	client := ev.Sender.ID
	if ev.Sender.ID == account {
		client = ev.Recipient.ID
	}
	if business {
		return channels.Outbound, channels.Peer{ID: client}
	}
	return channels.Inbound, channels.Peer{ID: client}
}

// mapEvent files one messaging[] event into the webhook.
func mapEvent(wh *channels.Webhook, account string, ev event) {
	dir, peer := side(account, ev)
	at := ev.Timestamp.Time
	switch {
	case ev.Message != nil:
		m := ev.Message
		if m.IsDeleted {
			wh.Deletes = append(wh.Deletes, channels.Delete{AccountID: account, TargetID: m.MID, At: at})
			return
		}
		for _, msg := range messages(*m) {
			msg.AccountID = account
			msg.Direction = dir
			msg.FromPhone = dir == channels.Outbound
			msg.Peer = peer
			msg.SentAt = at
			wh.Messages = append(wh.Messages, msg)
		}
	case ev.Reaction != nil:
		wh.Reactions = append(wh.Reactions, channels.Reaction{
			AccountID: account, TargetID: ev.Reaction.MID, Peer: peer,
			Emoji: reactionEmoji(*ev.Reaction), At: at, Direction: dir,
		})
	case ev.MessageEdit != nil:
		wh.Edits = append(wh.Edits, channels.Edit{
			AccountID: account, TargetID: ev.MessageEdit.MID, Text: ev.MessageEdit.Text, At: at,
		})
	case ev.Read != nil:
		// The client read our messages up to mid. The business reading the
		// client's messages in its own app is not a receipt of ours.
		if dir == channels.Inbound {
			wh.Statuses = append(wh.Statuses, channels.Status{
				AccountID: account, ProviderID: ev.Read.MID, State: "read", At: at,
			})
		}
	case ev.Postback != nil && ev.Postback.MID != "":
		// The client tapped an icebreaker or button: what it said is its title.
		wh.Messages = append(wh.Messages, channels.Message{
			AccountID: account, ProviderID: ev.Postback.MID, Direction: dir, FromPhone: dir == channels.Outbound,
			Peer: peer, Kind: channels.KindText, Text: ev.Postback.Title, SentAt: at,
		})
	}
}

// reactionNames gives the emoji for Instagram's reaction names, for events
// that carry only the name.
var reactionNames = map[string]string{
	"love": "❤", "like": "👍", "haha": "😆", "wow": "😮", "sad": "😢", "angry": "😠",
}

// reactionEmoji is the reaction's emoji; "" removes it (action unreact).
func reactionEmoji(r reaction) string {
	if r.Action == "unreact" {
		return ""
	}
	if r.Emoji != "" {
		return r.Emoji
	}
	return reactionNames[r.Reaction]
}
