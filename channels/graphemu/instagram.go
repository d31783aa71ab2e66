package graphemu

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// Instagram limits (transports.md 2.3–2.5).
const (
	igMaxText     = 1000 // bytes
	igCDNLifetime = time.Hour
)

// igAttachmentRules are the MIME types and sizes Instagram accepts per type.
var igAttachmentRules = map[string]struct {
	mimes []string
	max   int64
}{
	"image": {[]string{"image/png", "image/jpeg", "image/gif"}, 8 << 20},
	"audio": {[]string{"audio/aac", "audio/mp4", "audio/x-m4a", "audio/m4a", "audio/wav", "audio/x-wav", "audio/wave"}, 25 << 20},
	"video": {[]string{"video/mp4", "video/ogg", "video/x-msvideo", "video/quicktime", "video/webm"}, 25 << 20},
	"file":  {[]string{"application/pdf"}, 25 << 20},
}

// Instagram wire types.

type igEnvelope struct {
	Object string    `json:"object"`
	Entry  []igEntry `json:"entry"`
}

type igEntry struct {
	ID        string        `json:"id"`
	Time      int64         `json:"time"`
	Messaging []igMessaging `json:"messaging"`
}

type igMessaging struct {
	Sender    igID        `json:"sender"`
	Recipient igID        `json:"recipient"`
	Timestamp int64       `json:"timestamp"`
	Message   *igMessage  `json:"message,omitempty"`
	Reaction  *igReaction `json:"reaction,omitempty"`
	Read      *igRead     `json:"read,omitempty"`

	MessageEdit *igMessageEdit `json:"message_edit,omitempty"`
}

type igID struct {
	ID string `json:"id"`
}

type igMessage struct {
	Mid           string         `json:"mid"`
	Text          string         `json:"text,omitempty"`
	Attachments   []igAttachment `json:"attachments,omitempty"`
	ReplyTo       *igReplyTo     `json:"reply_to,omitempty"`
	IsEcho        bool           `json:"is_echo,omitempty"`
	IsDeleted     bool           `json:"is_deleted,omitempty"`
	IsUnsupported bool           `json:"is_unsupported,omitempty"`
}

type igAttachment struct {
	Type    string            `json:"type"`
	Payload *igAttachmentBody `json:"payload,omitempty"`
}

type igAttachmentBody struct {
	URL          string `json:"url,omitempty"`
	AttachmentID string `json:"attachment_id,omitempty"`
	IsReusable   bool   `json:"is_reusable,omitempty"`
}

type igReplyTo struct {
	Mid string `json:"mid"`
}

type igReaction struct {
	Mid      string `json:"mid"`
	Action   string `json:"action"`
	Reaction string `json:"reaction,omitempty"`
	Emoji    string `json:"emoji,omitempty"`
}

type igRead struct {
	Mid string `json:"mid"`
}

// igSendRequest is the body of POST /{ig-id}/messages.
type igSendRequest struct {
	Recipient     *igID  `json:"recipient"`
	MessagingType string `json:"messaging_type"`
	Tag           string `json:"tag"`
	SenderAction  string `json:"sender_action"`
	Payload       *struct {
		MessageID string `json:"message_id"`
		Reaction  string `json:"reaction"`
	} `json:"payload"`
	Message *struct {
		Text        *string        `json:"text"`
		Attachment  *igAttachment  `json:"attachment"`
		Attachments []igAttachment `json:"attachments"`
		ReplyTo     *igReplyTo     `json:"reply_to"`
	} `json:"message"`
}

// igError is an Instagram Graph error (no WhatsApp error_data).
func igError(code, subcode int, message string) graphError {
	return graphError{Message: fmt.Sprintf("(#%d) %s", code, message), Type: "OAuthException", Code: code, ErrorSubcode: subcode}
}

// newMid returns a unique Instagram message id.
func (e *Emulator) newMid(account string) string {
	raw := fmt.Sprintf("ig_item:1:IGMessageThread:%s:%d:%s", account, e.seq.Add(1), traceID())
	return base64.RawStdEncoding.EncodeToString([]byte(raw))
}

// sendIG queues an Instagram webhook carrying the messaging events.
func (e *Emulator) sendIG(a IGAccount, delay time.Duration, evs ...igMessaging) {
	body := metaJSON(igEnvelope{Object: "instagram", Entry: []igEntry{{ID: a.ID, Time: e.now().UnixMilli(), Messaging: evs}}})
	e.enqueue(webhook{account: a.ID, field: "instagram", url: a.WebhookURL, secret: a.AppSecret, body: body, delay: delay})
}

// sendIGRead tells the business the client has seen its messages up to mid.
func (e *Emulator) sendIGRead(a IGAccount, client, mid string) {
	e.sendIG(a, statusDelay, igMessaging{Sender: igID{client}, Recipient: igID{a.ID}, Timestamp: e.now().UnixMilli(), Read: &igRead{Mid: mid}})
}

// clientSendIG sends a client's messages to an Instagram account in one webhook.
func (e *Emulator) clientSendIG(a IGAccount, c Client, ms []Content) ([]string, error) {
	now := e.now()
	var ids []string
	var msgs []*ChatMessage
	var evs []igMessaging
	opens := false
	for _, m := range ms {
		msg, ev, err := e.igClientEvent(a, c, m, now)
		if err != nil {
			return nil, err
		}
		opens = opens || m.Kind != KindReaction
		ids, msgs, evs = append(ids, msg.ID), append(msgs, msg), append(evs, ev)
	}
	e.recordClientMessages(a.ID, c, msgs, opens)
	e.sendIG(a, 0, evs...)
	e.log.Info("graphemu: instagram client message sent", "ig_id", a.ID, "from", c.ID, "count", len(ids), "mid", ids[0])
	return ids, nil
}

// igClientEvent builds the phone's and the webhook's view of one client message.
func (e *Emulator) igClientEvent(a IGAccount, c Client, m Content, now time.Time) (*ChatMessage, igMessaging, error) {
	mid := e.newMid(a.ID)
	msg := &ChatMessage{ID: mid, From: FromClient, Source: SourceClient, Type: m.Kind, At: now, ReplyTo: m.ReplyTo}
	ev := igMessaging{Sender: igID{c.ID}, Recipient: igID{a.ID}, Timestamp: now.UnixMilli()}
	wire := &igMessage{Mid: mid}
	if m.ReplyTo != "" {
		wire.ReplyTo = &igReplyTo{Mid: m.ReplyTo}
	}
	switch m.Kind {
	case KindText:
		msg.Text, wire.Text = m.Text, m.Text
		ev.Message = wire
	case KindImage, KindVideo, KindAudio, KindVoice, KindDocument, KindSticker:
		obj, err := e.storeBytes(a.ID, m.File.Name, fileMIME(m.Kind, m.File), m.File.Data)
		if err != nil {
			return nil, ev, err
		}
		typ := map[string]string{KindImage: "image", KindSticker: "image", KindVideo: "video",
			KindAudio: "audio", KindVoice: "audio", KindDocument: "file"}[m.Kind]
		msg.Media = obj.file(m.File.Name)
		msg.Media.Voice = m.Kind == KindVoice
		if m.Kind == KindVoice {
			msg.Type = KindAudio
		}
		wire.Attachments = []igAttachment{{Type: typ, Payload: &igAttachmentBody{URL: e.signedURL("/ig-cdn/", obj.ID, igCDNLifetime)}}}
		ev.Message = wire
	case KindReaction:
		msg.ReactTo, msg.Emoji = m.ReactTo, m.Emoji
		ev.Reaction = &igReaction{Mid: m.ReactTo, Action: "react", Reaction: "other", Emoji: m.Emoji}
		if m.Emoji == "" {
			ev.Reaction = &igReaction{Mid: m.ReactTo, Action: "unreact"}
		} else if strings.HasPrefix(m.Emoji, "❤") {
			ev.Reaction.Reaction = "love"
		}
	case KindUnsupported:
		msg.Text = "(unsupported)"
		wire.IsUnsupported = true
		ev.Message = wire
	default:
		return nil, ev, fmt.Errorf("graphemu: instagram clients cannot send %s messages", m.Kind)
	}
	return msg, ev, nil
}
