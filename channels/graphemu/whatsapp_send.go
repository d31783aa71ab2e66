package graphemu

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// WhatsApp send limits.
const (
	maxTextBody = 4096
	maxCaption  = 1024
)

// waSendRequest is the body of POST /{phone-number-id}/messages.
type waSendRequest struct {
	MessagingProduct      string           `json:"messaging_product"`
	RecipientType         string           `json:"recipient_type"`
	To                    string           `json:"to"`
	Type                  string           `json:"type"`
	Status                string           `json:"status"`
	MessageID             string           `json:"message_id"`
	Context               *sendContext     `json:"context"`
	Text                  *sendText        `json:"text"`
	Image                 *sendMedia       `json:"image"`
	Video                 *sendMedia       `json:"video"`
	Audio                 *sendMedia       `json:"audio"`
	Document              *sendMedia       `json:"document"`
	Sticker               *sendMedia       `json:"sticker"`
	Location              *sendLocation    `json:"location"`
	Contacts              []waContactCard  `json:"contacts"`
	Interactive           *sendInteractive `json:"interactive"`
	Template              *sendTemplate    `json:"template"`
	Reaction              *sendReaction    `json:"reaction"`
	BizOpaqueCallbackData string           `json:"biz_opaque_callback_data"`
}

type sendContext struct {
	MessageID string `json:"message_id"`
}

type sendText struct {
	Body       *string `json:"body"`
	PreviewURL bool    `json:"preview_url"`
}

type sendMedia struct {
	ID       string `json:"id"`
	Link     string `json:"link"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type sendLocation struct {
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
	Name      string   `json:"name"`
	Address   string   `json:"address"`
}

type sendInteractive struct {
	Type string `json:"type"`
	Body *struct {
		Text string `json:"text"`
	} `json:"body"`
}

type sendTemplate struct {
	Name     string `json:"name"`
	Language *struct {
		Code string `json:"code"`
	} `json:"language"`
	Components json.RawMessage `json:"components"`
}

type sendReaction struct {
	MessageID string  `json:"message_id"`
	Emoji     *string `json:"emoji"`
}

// handleMessages serves POST /{ver}/{id}/messages for both APIs.
func (e *Emulator) handleMessages(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "objectID")
	tok := bearer(r)
	if tok == "" {
		writeGraphError(w, http.StatusUnauthorized, errNoToken())
		return
	}
	if id == "me" {
		a, ok := e.igAccountByToken(tok)
		if !ok {
			writeGraphError(w, http.StatusUnauthorized, errBadToken())
			return
		}
		e.handleIGSend(w, r, a)
		return
	}
	if a, ok := e.igAccount(id); ok {
		if a.AccessToken != tok {
			writeGraphError(w, http.StatusUnauthorized, errBadToken())
			return
		}
		e.handleIGSend(w, r, a)
		return
	}
	n, ok := e.number(id)
	if !ok {
		if !e.knownToken(tok) {
			writeGraphError(w, http.StatusUnauthorized, errBadToken())
			return
		}
		writeGraphError(w, http.StatusBadRequest, errUnsupported("post", id))
		return
	}
	if n.AccessToken != tok {
		writeGraphError(w, http.StatusUnauthorized, errBadToken())
		return
	}
	e.handleWASend(w, r, n)
}

// handleWASend validates and accepts a WhatsApp send.
func (e *Emulator) handleWASend(w http.ResponseWriter, r *http.Request, n Number) {
	req, ge := decodeWASend(r)
	if ge != nil {
		writeGraphError(w, http.StatusBadRequest, *ge)
		return
	}
	if req.Status != "" {
		e.handleMarkRead(w, n, req)
		return
	}
	to, ge := validateWASend(req)
	if ge != nil {
		writeGraphError(w, http.StatusBadRequest, *ge)
		return
	}
	msg, ge := e.buildBusinessMessage(n, req)
	if ge != nil {
		writeGraphError(w, http.StatusBadRequest, *ge)
		return
	}
	if f, ok := e.takeSendFault(); ok {
		if f.Async {
			msg.ID = e.newWamid()
			writeJSON(w, http.StatusOK, sendResponse(req.To, to, msg.ID))
			e.failStatus(n, to, msg.ID, waErr(f.Code, f.title(), f.details()))
			return
		}
		writeGraphError(w, f.HTTPStatus, f.graphError())
		return
	}
	if !e.allowSend(n) {
		writeGraphError(w, http.StatusBadRequest, waError(130429, "Rate limit hit",
			"Cloud API message throughput has been reached. Try again later."))
		return
	}
	msg.ID = e.newWamid()
	msg.Recipient = to
	writeJSON(w, http.StatusOK, sendResponse(req.To, to, msg.ID))
	e.log.Info("graphemu: whatsapp message accepted", "phone_number_id", n.PhoneNumberID, "to", to, "type", msg.Type, "id", msg.ID)

	if msg.Type != "template" && !e.windowOpen(n.PhoneNumberID, to, 24) {
		e.failStatus(n, to, msg.ID, waErr(131047, "Re-engagement message",
			"Message failed to send because more than 24 hours have passed since the customer last replied to this number."))
		return
	}
	if link := req.mediaLink(); link != "" {
		e.background(func(ctx context.Context) { e.deliverLinkedMedia(ctx, n, to, msg, link) })
		return
	}
	e.addBusinessMessage(n.PhoneNumberID, to, msg)
}

// sendResponse is the success body of a WhatsApp send.
func sendResponse(input, waID, id string) map[string]any {
	return map[string]any{
		"messaging_product": "whatsapp",
		"contacts":          []map[string]string{{"input": input, "wa_id": waID}},
		"messages":          []map[string]string{{"id": id}},
	}
}

// decodeWASend decodes the JSON body; a malformed body is a code 100 error.
func decodeWASend(r *http.Request) (waSendRequest, *graphError) {
	var req waSendRequest
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		ge := invalidParam("Request body must be JSON (Content-Type: application/json)")
		return req, &ge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		ge := invalidParam("Unable to read the request body")
		return req, &ge
	}
	if err := json.Unmarshal(body, &req); err != nil {
		ge := invalidParam("Request body is not valid JSON for this endpoint: " + err.Error())
		return req, &ge
	}
	return req, nil
}

// validateWASend checks the envelope fields and returns the normalized wa_id.
func validateWASend(req waSendRequest) (string, *graphError) {
	fail := func(msg string) (string, *graphError) {
		ge := waError(100, "Invalid parameter", msg)
		return "", &ge
	}
	if req.MessagingProduct == "" {
		return fail("The parameter messaging_product is required.")
	}
	if req.MessagingProduct != "whatsapp" {
		return fail("Param messaging_product must be 'whatsapp'.")
	}
	if req.RecipientType != "" && req.RecipientType != "individual" {
		return fail("Param recipient_type must be 'individual'.")
	}
	if req.To == "" {
		return fail("The parameter to is required.")
	}
	to, ok := normalizePhone(req.To)
	if !ok {
		return fail(fmt.Sprintf("Param to '%s' is not a valid phone number.", req.To))
	}
	return to, nil
}

// normalizePhone strips "+", spaces, dashes and parentheses and checks digits.
func normalizePhone(s string) (string, bool) {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '+' || c == ' ' || c == '-' || c == '(' || c == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	return d, len(d) >= 6 && len(d) <= 15
}

// mediaLink is the link of a media send, if it is sent by link.
func (req waSendRequest) mediaLink() string {
	for _, m := range []*sendMedia{req.Image, req.Video, req.Audio, req.Document, req.Sticker} {
		if m != nil && m.Link != "" {
			return m.Link
		}
	}
	return ""
}

// handleMarkRead answers {"status":"read","message_id":...} and shows the
// client that their message was read.
func (e *Emulator) handleMarkRead(w http.ResponseWriter, n Number, req waSendRequest) {
	if req.MessagingProduct != "whatsapp" {
		writeGraphError(w, http.StatusBadRequest, invalidParam("Param messaging_product must be 'whatsapp'."))
		return
	}
	if req.Status != "read" {
		writeGraphError(w, http.StatusBadRequest, invalidParam("Param status must be 'read'."))
		return
	}
	if req.MessageID == "" {
		writeGraphError(w, http.StatusBadRequest, invalidParam("The parameter message_id is required."))
		return
	}
	if !e.markClientMessageRead(n.PhoneNumberID, req.MessageID) {
		writeGraphError(w, http.StatusBadRequest, invalidParam(fmt.Sprintf("Param message_id '%s' is not a message received by this number.", req.MessageID)))
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}
