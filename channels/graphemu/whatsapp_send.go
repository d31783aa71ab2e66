package graphemu

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

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

// buildBusinessMessage validates the typed object and turns it into what the
// phone will show.
func (e *Emulator) buildBusinessMessage(n Number, req waSendRequest) (*ChatMessage, *graphError) {
	typ := req.Type
	if typ == "" {
		typ = "text"
	}
	fail := func(details string) (*ChatMessage, *graphError) {
		ge := invalidParam(details)
		return nil, &ge
	}
	msg := &ChatMessage{From: FromBusiness, Source: SourceAPI, Type: typ, At: e.now(), tracker: req.BizOpaqueCallbackData}
	if len(req.BizOpaqueCallbackData) > 512 {
		return fail("Param biz_opaque_callback_data must be at most 512 characters long.")
	}
	if req.Context != nil {
		if req.Context.MessageID == "" {
			return fail("Param context['message_id'] is required.")
		}
		msg.ReplyTo = req.Context.MessageID
	}
	switch typ {
	case "text":
		if req.Text == nil {
			return fail("The parameter text is required.")
		}
		if req.Text.Body == nil || *req.Text.Body == "" {
			return fail("The parameter text['body'] is required.")
		}
		if utf8.RuneCountInString(*req.Text.Body) > maxTextBody {
			return fail(fmt.Sprintf("Param text['body'] must be at most %d characters long.", maxTextBody))
		}
		msg.Text = *req.Text.Body
	case "image", "video", "audio", "document", "sticker":
		return e.buildMediaMessage(n, req, msg)
	case "location":
		l := req.Location
		if l == nil {
			return fail("The parameter location is required.")
		}
		if l.Latitude == nil || l.Longitude == nil {
			return fail("Params location['latitude'] and location['longitude'] are required.")
		}
		if *l.Latitude < -90 || *l.Latitude > 90 || *l.Longitude < -180 || *l.Longitude > 180 {
			return fail("Param location coordinates are out of range.")
		}
		msg.Location = &Location{Latitude: *l.Latitude, Longitude: *l.Longitude, Name: l.Name, Address: l.Address}
	case "contacts":
		if len(req.Contacts) == 0 {
			return fail("The parameter contacts is required.")
		}
		for i, c := range req.Contacts {
			if c.Name.FormattedName == "" {
				return fail(fmt.Sprintf("Param contacts[%d]['name']['formatted_name'] is required.", i))
			}
			card := ContactCard{Name: c.Name.FormattedName}
			if len(c.Phones) > 0 {
				card.Phone = c.Phones[0].Phone
			}
			msg.Contacts = append(msg.Contacts, card)
		}
	case "interactive":
		in := req.Interactive
		if in == nil {
			return fail("The parameter interactive is required.")
		}
		if in.Type == "" {
			return fail("The parameter interactive['type'] is required.")
		}
		if in.Body == nil || in.Body.Text == "" {
			return fail("The parameter interactive['body']['text'] is required.")
		}
		msg.Text = in.Body.Text
	case "template":
		t := req.Template
		if t == nil {
			return fail("The parameter template is required.")
		}
		if t.Name == "" {
			return fail("The parameter template['name'] is required.")
		}
		if t.Language == nil || t.Language.Code == "" {
			return fail("The parameter template['language']['code'] is required.")
		}
		msg.Template = t.Name
		msg.Text = templateText(t)
	case "reaction":
		rc := req.Reaction
		if rc == nil {
			return fail("The parameter reaction is required.")
		}
		if rc.MessageID == "" {
			return fail("The parameter reaction['message_id'] is required.")
		}
		msg.ReactTo = rc.MessageID
		if rc.Emoji != nil {
			msg.Emoji = *rc.Emoji
		}
	default:
		return fail(fmt.Sprintf("Param type '%s' is not a valid message type. Use one of text, image, video, audio, document, sticker, location, contacts, interactive, template, reaction.", typ))
	}
	return msg, nil
}

// templateText renders a template send for the phone: its name and the body
// parameters given.
func templateText(t *sendTemplate) string {
	var comps []struct {
		Type       string `json:"type"`
		Parameters []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"parameters"`
	}
	_ = json.Unmarshal(t.Components, &comps)
	var params []string
	for _, c := range comps {
		for _, p := range c.Parameters {
			if p.Text != "" {
				params = append(params, p.Text)
			}
		}
	}
	s := "[template " + t.Name + "]"
	if len(params) > 0 {
		s += " " + strings.Join(params, ", ")
	}
	return s
}

// buildMediaMessage validates a media object: exactly one of id and link,
// caption only where allowed and ≤1024, an id that this number may use.
func (e *Emulator) buildMediaMessage(n Number, req waSendRequest, msg *ChatMessage) (*ChatMessage, *graphError) {
	typ := msg.Type
	m := map[string]*sendMedia{"image": req.Image, "video": req.Video, "audio": req.Audio,
		"document": req.Document, "sticker": req.Sticker}[typ]
	fail := func(details string) (*ChatMessage, *graphError) {
		ge := invalidParam(details)
		return nil, &ge
	}
	if m == nil {
		return fail(fmt.Sprintf("The parameter %s is required.", typ))
	}
	if (m.ID == "") == (m.Link == "") {
		return fail(fmt.Sprintf("Param %s must have exactly one of 'id' or 'link'.", typ))
	}
	if m.Caption != "" && (typ == "audio" || typ == "sticker") {
		return fail(fmt.Sprintf("Param %s['caption'] is not allowed for this media type.", typ))
	}
	if utf8.RuneCountInString(m.Caption) > maxCaption {
		return fail(fmt.Sprintf("Param %s['caption'] must be at most %d characters long.", typ, maxCaption))
	}
	if m.Filename != "" && typ != "document" {
		return fail(fmt.Sprintf("Param %s['filename'] is only allowed for documents.", typ))
	}
	msg.Text = m.Caption
	if m.Link != "" {
		u, err := url.Parse(m.Link)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fail(fmt.Sprintf("Param %s['link'] must be a valid http(s) URL.", typ))
		}
		msg.Media = &MediaFile{FileName: m.Filename}
		return msg, nil
	}
	obj, ok := e.mediaFor(m.ID, n.PhoneNumberID)
	if !ok {
		ge := waError(131009, "Parameter value is not valid", fmt.Sprintf("Invalid media id: %s", m.ID))
		return nil, &ge
	}
	if ge := checkMediaKind(typ, obj.MIME); ge != nil {
		return nil, ge
	}
	name := m.Filename
	if name == "" {
		name = obj.FileName
	}
	msg.Media = obj.file(name)
	return msg, nil
}

// checkMediaKind refuses to send a file as a type whose MIME list excludes it.
func checkMediaKind(typ, mime string) *graphError {
	if typ == "document" {
		return nil
	}
	if kindOfMIME(mime) != typ {
		ge := waError(131053, "Media upload error",
			fmt.Sprintf("Media of type %s cannot be sent as %s.", mime, typ))
		return &ge
	}
	return nil
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
