package graphemu

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
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
}

type igID struct {
	ID string `json:"id"`
}

type igMessage struct {
	Mid         string         `json:"mid"`
	Text        string         `json:"text,omitempty"`
	Attachments []igAttachment `json:"attachments,omitempty"`
	ReplyTo     *igReplyTo     `json:"reply_to,omitempty"`
	IsEcho      bool           `json:"is_echo,omitempty"`
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

// handleIGSend validates and performs an Instagram send.
func (e *Emulator) handleIGSend(w http.ResponseWriter, r *http.Request, a IGAccount) {
	var req igSendRequest
	if !strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/json") {
		writeGraphError(w, http.StatusBadRequest, igError(100, 0, "Request body must be JSON (Content-Type: application/json)."))
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err := json.Unmarshal(body, &req); err != nil {
		writeGraphError(w, http.StatusBadRequest, igError(100, 0, "Invalid parameter: "+err.Error()))
		return
	}
	if req.Recipient == nil || req.Recipient.ID == "" {
		writeGraphError(w, http.StatusBadRequest, igError(100, 0, "The parameter recipient is required"))
		return
	}
	client := req.Recipient.ID
	e.mu.Lock()
	_, known := e.convs[convKey{a.ID, client}]
	e.mu.Unlock()
	if !known {
		writeGraphError(w, http.StatusBadRequest, igError(100, 2018001, "No matching user found"))
		return
	}
	if req.SenderAction != "" {
		e.igSenderAction(w, a, client, req)
		return
	}
	msg, link, ge := buildIGMessage(req)
	if ge != nil {
		writeGraphError(w, http.StatusBadRequest, *ge)
		return
	}
	if ge := e.igWindow(a.ID, client, req); ge != nil {
		writeGraphError(w, http.StatusBadRequest, *ge)
		return
	}
	if f, ok := e.takeSendFault(); ok {
		ge := f.graphError()
		ge.ErrorData = nil
		writeGraphError(w, f.HTTPStatus, ge)
		return
	}
	msg.At = e.now()
	var wireAtt []igAttachment
	if link != "" {
		att, ge := e.fetchIGAttachment(r.Context(), a, msg, link)
		if ge != nil {
			writeGraphError(w, http.StatusBadRequest, *ge)
			return
		}
		wireAtt = []igAttachment{att}
	}
	msg.ID = e.newMid(a.ID)
	msg.Recipient = client
	writeJSON(w, http.StatusOK, map[string]string{"recipient_id": client, "message_id": msg.ID})
	e.log.Info("graphemu: instagram message accepted", "ig_id", a.ID, "to", client, "type", msg.Type, "mid", msg.ID)

	e.addBusinessMessage(a.ID, client, msg)
	echo := &igMessage{Mid: msg.ID, Text: msg.Text, Attachments: wireAtt, IsEcho: true}
	if msg.ReplyTo != "" {
		echo.ReplyTo = &igReplyTo{Mid: msg.ReplyTo}
	}
	e.sendIG(a, igMessaging{Sender: igID{a.ID}, Recipient: igID{client}, Timestamp: msg.At.UnixMilli(), Message: echo}, statusDelay)
}

// buildIGMessage validates the message object of an Instagram send.
func buildIGMessage(req igSendRequest) (*ChatMessage, string, *graphError) {
	fail := func(subcode int, msg string) (*ChatMessage, string, *graphError) {
		ge := igError(100, subcode, msg)
		return nil, "", &ge
	}
	m := req.Message
	if m == nil {
		return fail(0, "param message must be non-empty.")
	}
	msg := &ChatMessage{From: FromBusiness, Source: SourceAPI}
	if m.ReplyTo != nil {
		msg.ReplyTo = m.ReplyTo.Mid
	}
	att := m.Attachment
	if att == nil && len(m.Attachments) == 1 {
		att = &m.Attachments[0]
	}
	if len(m.Attachments) > 1 {
		return fail(0, "The emulator accepts one attachment per message.")
	}
	switch {
	case m.Text != nil && att != nil:
		return fail(0, "Only one of message[text] and message[attachment] may be set.")
	case m.Text != nil:
		if *m.Text == "" {
			return fail(0, "param message[text] must be non-empty.")
		}
		if len(*m.Text) > igMaxText {
			return fail(2018344, fmt.Sprintf("Length of param message[text] must be less than or equal to %d", igMaxText))
		}
		msg.Type, msg.Text = "text", *m.Text
		return msg, "", nil
	case att != nil:
		if att.Type == "like_heart" {
			msg.Type, msg.Text = "text", "❤️"
			return msg, "", nil
		}
		if _, ok := igAttachmentRules[att.Type]; !ok {
			return fail(0, "Param message[attachment][type] must be one of {image, audio, video, file, like_heart}")
		}
		if att.Payload == nil || att.Payload.URL == "" {
			return fail(0, "The parameter message[attachment][payload][url] is required")
		}
		u, err := url.Parse(att.Payload.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fail(0, "Param message[attachment][payload][url] must be a valid URL")
		}
		msg.Type = map[string]string{"image": "image", "audio": "audio", "video": "video", "file": "document"}[att.Type]
		return msg, att.Payload.URL, nil
	}
	return fail(0, "param message must be non-empty.")
}

// igWindow enforces the 24-hour window, or 7 days with the HUMAN_AGENT tag.
func (e *Emulator) igWindow(account, client string, req igSendRequest) *graphError {
	switch req.MessagingType {
	case "", "RESPONSE", "UPDATE":
		if req.Tag != "" {
			ge := igError(100, 0, "Param tag requires messaging_type MESSAGE_TAG")
			return &ge
		}
	case "MESSAGE_TAG":
		if req.Tag != "HUMAN_AGENT" {
			ge := igError(100, 0, "Param tag must be HUMAN_AGENT for Instagram messaging")
			return &ge
		}
	default:
		ge := igError(100, 0, "Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}")
		return &ge
	}
	hours := 24
	if req.Tag == "HUMAN_AGENT" {
		hours = 7 * 24
	}
	if !e.windowOpen(account, client, hours) {
		ge := igError(10, 2534022, "This message is sent outside of allowed window.")
		return &ge
	}
	return nil
}

// fetchIGAttachment downloads an attachment URL as Instagram does, before answering.
func (e *Emulator) fetchIGAttachment(ctx context.Context, a IGAccount, msg *ChatMessage, link string) (igAttachment, *graphError) {
	typ := map[string]string{"image": "image", "audio": "audio", "video": "video", "document": "file"}[msg.Type]
	rule := igAttachmentRules[typ]
	data, ct, err := e.fetchLink(ctx, link, rule.max)
	if err == nil && !contains(rule.mimes, ct) {
		err = fmt.Errorf("type %s is not accepted for %s attachments", ct, typ)
	}
	if err != nil {
		e.log.Info("graphemu: instagram attachment refused", "url", link, "err", err)
		ge := igError(100, 2018047, "Upload attachment failure.")
		return igAttachment{}, &ge
	}
	u, _ := url.Parse(link)
	name := u.Path[strings.LastIndex(u.Path, "/")+1:]
	obj, err := e.storeBytes(a.ID, name, ct, data)
	if err != nil {
		ge := igError(2, 0, "Service temporarily unavailable")
		return igAttachment{}, &ge
	}
	msg.Media = obj.file(name)
	return igAttachment{Type: typ, Payload: &igAttachmentBody{URL: e.signedURL("/ig-cdn/", obj.ID, igCDNLifetime)}}, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// igSenderAction answers typing, mark_seen and react sender actions.
func (e *Emulator) igSenderAction(w http.ResponseWriter, a IGAccount, client string, req igSendRequest) {
	switch req.SenderAction {
	case "typing_on", "typing_off":
	case "mark_seen":
		e.mu.Lock()
		var last string
		if c, ok := e.convs[convKey{a.ID, client}]; ok {
			for _, m := range c.messages {
				if m.From == FromClient {
					last = m.ID
				}
			}
		}
		e.mu.Unlock()
		if last != "" {
			e.markClientMessageRead(a.ID, last)
		}
	case "react", "unreact":
		if req.Payload == nil || req.Payload.MessageID == "" {
			writeGraphError(w, http.StatusBadRequest, igError(100, 0, "The parameter payload[message_id] is required"))
			return
		}
		emoji := ""
		if req.SenderAction == "react" {
			emoji = reactionEmoji(req.Payload.Reaction)
		}
		e.addBusinessMessage(a.ID, client, &ChatMessage{ID: e.newMid(a.ID), From: FromBusiness, Source: SourceAPI,
			Type: "reaction", ReactTo: req.Payload.MessageID, Emoji: emoji, At: e.now()})
	default:
		writeGraphError(w, http.StatusBadRequest, igError(100, 0, "Param sender_action must be one of {typing_on, typing_off, mark_seen, react, unreact}"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"recipient_id": client})
}

// reactionEmoji maps Instagram reaction names to emoji.
func reactionEmoji(name string) string {
	switch name {
	case "love", "":
		return "❤️"
	case "like":
		return "👍"
	case "haha":
		return "😆"
	case "wow":
		return "😮"
	case "sad":
		return "😢"
	case "angry":
		return "😡"
	}
	return name
}

// sendIG queues an Instagram webhook with one messaging event.
func (e *Emulator) sendIG(a IGAccount, ev igMessaging, delay time.Duration) {
	body := metaJSON(igEnvelope{Object: "instagram", Entry: []igEntry{{ID: a.ID, Time: e.now().UnixMilli(), Messaging: []igMessaging{ev}}}})
	e.enqueue(webhook{account: a.ID, field: "instagram", url: a.WebhookURL, secret: a.AppSecret, body: body, delay: delay})
}

// sendIGRead tells the business the client has seen its messages up to mid.
func (e *Emulator) sendIGRead(a IGAccount, client, mid string) {
	e.sendIG(a, igMessaging{Sender: igID{client}, Recipient: igID{a.ID}, Timestamp: e.now().UnixMilli(), Read: &igRead{Mid: mid}}, statusDelay)
}

// clientSendIG sends a client's message to an Instagram account.
func (e *Emulator) clientSendIG(a IGAccount, c Client, m Content) (string, error) {
	now := e.now()
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
			return "", err
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
	default:
		return "", fmt.Errorf("graphemu: instagram clients cannot send %s messages", m.Kind)
	}

	e.mu.Lock()
	conv := e.conv(a.ID, c.ID)
	if c.Name != "" {
		conv.name = c.Name
	}
	if m.Kind != KindReaction {
		conv.lastInbound = now
	}
	conv.messages = append(conv.messages, msg)
	snapshot := copyMessage(msg)
	e.mu.Unlock()

	e.publish(a.ID, c.ID, "message", snapshot)
	e.sendIG(a, ev, 0)
	e.log.Info("graphemu: instagram client message sent", "ig_id", a.ID, "from", c.ID, "kind", m.Kind, "mid", mid)
	return mid, nil
}
