package graphemu

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

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
	if !e.allowIGSend(a.ID, msg.Type) {
		writeGraphError(w, http.StatusBadRequest, igError(613, 0, "Calls to this api have exceeded the rate limit."))
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
	e.sendIG(a, statusDelay, igMessaging{Sender: igID{a.ID}, Recipient: igID{client}, Timestamp: msg.At.UnixMilli(), Message: echo})
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
