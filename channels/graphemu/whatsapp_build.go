package graphemu

import (
	"fmt"
	"net/url"
	"unicode/utf8"
)

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
		text, ge := renderTemplate(n, t)
		if ge != nil {
			return nil, ge
		}
		msg.Template, msg.Text = t.Name, text
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
	if !ok || obj.expired(e.now()) {
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
