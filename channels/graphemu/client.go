package graphemu

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Content kinds a client (or the business phone) can send.
const (
	KindText     = "text"
	KindImage    = "image"
	KindVideo    = "video"
	KindAudio    = "audio"
	KindVoice    = "voice" // an audio message recorded as a voice note
	KindDocument = "document"
	KindSticker  = "sticker"
	KindLocation = "location"
	KindContacts = "contacts"
	KindReaction = "reaction"
	// KindUnsupported is what WhatsApp delivers for polls, view-once media
	// and the like: type "unsupported" with error 131051; Text names the
	// original type (e.g. "poll").
	KindUnsupported = "unsupported"
)

// voiceMIME is the MIME type of WhatsApp voice notes.
const voiceMIME = "audio/ogg; codecs=opus"

// Content is one message as typed on a phone.
type Content struct {
	Kind     string        // one of the Kind constants; "" means text
	Text     string        // body, or caption for image/video/document
	File     *File         // the attachment of a media kind
	Location *Location     // for KindLocation
	Contacts []ContactCard // for KindContacts
	ReplyTo  string        // id of the quoted message, if a reply
	ReactTo  string        // id of the message reacted to, for KindReaction
	Emoji    string        // the reaction; empty removes it
	// Forwarded marks the message as forwarded (context.forwarded), or
	// frequently forwarded when FrequentlyForwarded is set too.
	Forwarded, FrequentlyForwarded bool
}

// File is an attachment's bytes.
type File struct {
	Name string
	MIME string
	Data []byte
}

// ErrUnknownAccount is returned for an account id that was never added.
var ErrUnknownAccount = errors.New("graphemu: unknown account")

// ClientSend sends a message from client c to a business account (a
// WhatsApp phone_number_id or an Instagram account id) and returns its id.
// The business receives it as a signed webhook.
func (e *Emulator) ClientSend(account string, c Client, m Content) (string, error) {
	ids, err := e.ClientSendBatch(account, c, m)
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// ClientSendBatch sends several messages from client c in one webhook, as
// Meta sometimes batches them: one value.messages[] with several items on
// WhatsApp, several entry[].messaging[] events on Instagram.
func (e *Emulator) ClientSendBatch(account string, c Client, ms ...Content) ([]string, error) {
	if c.ID == "" {
		return nil, errors.New("graphemu: client id is required")
	}
	if len(ms) == 0 {
		return nil, errors.New("graphemu: nothing to send")
	}
	ms = slices.Clone(ms) // defaults and remuxed voice notes stay ours
	for i := range ms {
		if ms[i].Kind == "" {
			ms[i].Kind = KindText
		}
		if err := validateContent(ms[i]); err != nil {
			return nil, err
		}
		if err := prepareVoice(&ms[i]); err != nil {
			return nil, err
		}
	}
	if n, ok := e.number(account); ok {
		id, ok := normalizePhone(c.ID)
		if !ok {
			return nil, fmt.Errorf("graphemu: client id %q is not a phone number", c.ID)
		}
		c.ID = id
		return e.clientSendWA(n, c, ms)
	}
	if a, ok := e.igAccount(account); ok {
		return e.clientSendIG(a, c, ms)
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownAccount, account)
}

// recordClientMessages adds a client's messages to the conversation and
// shows them on the phone; it returns the client's profile name.
func (e *Emulator) recordClientMessages(account string, c Client, msgs []*ChatMessage, opensWindow bool) string {
	e.mu.Lock()
	conv := e.conv(account, c.ID)
	if c.Name != "" {
		conv.name = c.Name
	}
	name := conv.name
	if opensWindow {
		conv.lastInbound = msgs[len(msgs)-1].At
	}
	snapshots := make([]ChatMessage, len(msgs))
	for i, m := range msgs {
		conv.messages = append(conv.messages, m)
		snapshots[i] = copyMessage(m)
	}
	e.mu.Unlock()
	for _, s := range snapshots {
		e.publish(account, c.ID, "message", s)
	}
	return name
}

// SendText sends a text message from a client.
func (e *Emulator) SendText(account string, c Client, text string) (string, error) {
	return e.ClientSend(account, c, Content{Kind: KindText, Text: text})
}

// SendReply sends a text that quotes an earlier message.
func (e *Emulator) SendReply(account string, c Client, replyTo, text string) (string, error) {
	return e.ClientSend(account, c, Content{Kind: KindText, Text: text, ReplyTo: replyTo})
}

// SendFile sends a media message of the given kind (image, video, audio,
// voice, document, sticker) with an optional caption.
func (e *Emulator) SendFile(account string, c Client, kind string, f File, caption string) (string, error) {
	return e.ClientSend(account, c, Content{Kind: kind, File: &f, Text: caption})
}

// SendLocation shares a location from a client.
func (e *Emulator) SendLocation(account string, c Client, loc Location) (string, error) {
	return e.ClientSend(account, c, Content{Kind: KindLocation, Location: &loc})
}

// SendContacts shares contact cards from a client.
func (e *Emulator) SendContacts(account string, c Client, cards ...ContactCard) (string, error) {
	return e.ClientSend(account, c, Content{Kind: KindContacts, Contacts: cards})
}

// SendReaction reacts to a message; an empty emoji removes the reaction.
func (e *Emulator) SendReaction(account string, c Client, messageID, emoji string) (string, error) {
	return e.ClientSend(account, c, Content{Kind: KindReaction, ReactTo: messageID, Emoji: emoji})
}

// validateContent checks that a content has what its kind needs.
func validateContent(m Content) error {
	switch m.Kind {
	case KindText:
		if strings.TrimSpace(m.Text) == "" {
			return errors.New("graphemu: text is empty")
		}
	case KindImage, KindVideo, KindAudio, KindVoice, KindDocument, KindSticker:
		if m.File == nil || len(m.File.Data) == 0 {
			return fmt.Errorf("graphemu: %s needs a file", m.Kind)
		}
	case KindLocation:
		if m.Location == nil {
			return errors.New("graphemu: location is missing")
		}
	case KindContacts:
		if len(m.Contacts) == 0 {
			return errors.New("graphemu: no contact cards")
		}
	case KindReaction:
		if m.ReactTo == "" {
			return errors.New("graphemu: reaction needs a target message")
		}
	case KindUnsupported:
	default:
		return fmt.Errorf("graphemu: unknown content kind %q", m.Kind)
	}
	return nil
}

// prepareVoice turns a browser's WebM recording into the Ogg Opus file a
// WhatsApp voice note is; other voice files must already be Ogg.
func prepareVoice(m *Content) error {
	if m.Kind != KindVoice {
		return nil
	}
	mime := strings.ToLower(m.File.MIME)
	if strings.Contains(mime, "webm") || strings.HasSuffix(strings.ToLower(m.File.Name), ".webm") || bytes.HasPrefix(m.File.Data, []byte{0x1A, 0x45, 0xDF, 0xA3}) {
		ogg, err := webmToOgg(m.File.Data)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(m.File.Name, ".webm") + ".ogg"
		if m.File.Name == "" {
			name = "voice.ogg"
		}
		m.File = &File{Name: name, MIME: voiceMIME, Data: ogg}
		return nil
	}
	if !bytes.HasPrefix(m.File.Data, []byte("OggS")) {
		return errors.New("graphemu: a voice note must be Ogg Opus (or a WebM recording)")
	}
	return nil
}

// fileMIME is the MIME type stored for a client's file of a kind.
func fileMIME(kind string, f *File) string {
	mime := f.MIME
	if kind == KindVoice {
		return voiceMIME
	}
	if mime == "" {
		mime = sniffMIME(f.Name, f.Data)
	}
	return mime
}

// clientSendWA stores the contents, shows them on the phone and delivers
// one "messages" webhook.
func (e *Emulator) clientSendWA(n Number, c Client, ms []Content) ([]string, error) {
	now := e.now()
	var ids []string
	var msgs []*ChatMessage
	var wires []waMessage
	for _, m := range ms {
		id := e.newWamid()
		msg := &ChatMessage{ID: id, From: FromClient, Source: SourceClient, Type: m.Kind, At: now, ReplyTo: m.ReplyTo}
		wire := waMessage{From: c.ID, ID: id, Timestamp: unixString(now), Type: m.Kind}
		if err := e.buildContent(n.PhoneNumberID, m, msg, &wire); err != nil {
			return nil, err
		}
		if m.ReplyTo != "" && m.Kind != KindReaction {
			wire.Context = &waContext{From: e.quotedFrom(n, c.ID, m.ReplyTo), ID: m.ReplyTo}
		}
		if m.Forwarded || m.FrequentlyForwarded {
			if wire.Context == nil {
				wire.Context = &waContext{}
			}
			wire.Context.Forwarded = true
			wire.Context.FrequentlyForwarded = m.FrequentlyForwarded
		}
		ids, msgs, wires = append(ids, id), append(msgs, msg), append(wires, wire)
	}
	name := e.recordClientMessages(n.PhoneNumberID, c, msgs, true)
	e.sendWA(n, "messages", waValue{
		Contacts: []waContact{{Profile: waProfile{Name: name}, WaID: c.ID}},
		Messages: wires,
	}, 0)
	e.log.Info("graphemu: client message sent", "phone_number_id", n.PhoneNumberID, "from", c.ID, "count", len(ids), "id", ids[0])
	return ids, nil
}

// quotedFrom is context.from of a reply: who wrote the quoted message.
func (e *Emulator) quotedFrom(n Number, client, quoted string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.convs[convKey{n.PhoneNumberID, client}]; ok {
		if m := c.findMessage(quoted); m != nil && m.From == FromClient {
			return client
		}
	}
	return n.DisplayPhone
}

// buildContent stores a content's media for owner and fills in the phone's
// and the wire's view of the message.
func (e *Emulator) buildContent(owner string, m Content, msg *ChatMessage, wire *waMessage) error {
	switch m.Kind {
	case KindText:
		msg.Text = m.Text
		wire.Text = &waText{Body: m.Text}
	case KindImage, KindVideo, KindAudio, KindVoice, KindDocument, KindSticker:
		obj, err := e.storeBytes(owner, m.File.Name, fileMIME(m.Kind, m.File), m.File.Data)
		if err != nil {
			return err
		}
		media := &waMedia{MIMEType: obj.MIME, SHA256: obj.SHA256B64, ID: obj.ID}
		msg.Media = obj.file(m.File.Name)
		switch m.Kind {
		case KindVoice, KindAudio:
			voice := m.Kind == KindVoice
			media.Voice = &voice
			msg.Type, wire.Type, wire.Audio = KindAudio, KindAudio, media
			msg.Media.Voice = voice
		case KindImage:
			media.Caption, wire.Image = m.Text, media
		case KindVideo:
			media.Caption, wire.Video = m.Text, media
		case KindDocument:
			media.Caption, media.Filename, wire.Document = m.Text, m.File.Name, media
		case KindSticker:
			animated := false
			media.Animated, wire.Sticker = &animated, media
		}
		if m.Kind == KindImage || m.Kind == KindVideo || m.Kind == KindDocument {
			msg.Text = m.Text
		}
	case KindLocation:
		l := *m.Location
		msg.Location = &l
		wire.Location = &waLocation{Latitude: l.Latitude, Longitude: l.Longitude, Name: l.Name, Address: l.Address}
	case KindContacts:
		msg.Contacts = append([]ContactCard(nil), m.Contacts...)
		for _, card := range m.Contacts {
			first, last, _ := strings.Cut(card.Name, " ")
			wc := waContactCard{Name: waCardName{FormattedName: card.Name, FirstName: first, LastName: last}}
			if card.Phone != "" {
				ph := waCardPhone{Phone: card.Phone, Type: "CELL"}
				if digits, ok := normalizePhone(card.Phone); ok {
					ph.WaID = digits
				}
				wc.Phones = []waCardPhone{ph}
			}
			wire.Contacts = append(wire.Contacts, wc)
		}
	case KindReaction:
		msg.ReactTo, msg.Emoji = m.ReactTo, m.Emoji
		wire.Reaction = &waReaction{MessageID: m.ReactTo, Emoji: m.Emoji}
	case KindUnsupported:
		orig := m.Text
		if orig == "" {
			orig = "poll"
		}
		msg.Text = "(unsupported: " + orig + ")"
		wire.Unsupported = &waUnsupported{Type: orig}
		wire.Errors = []waErrorItem{waErr(131051, "Message type unknown", "Message type is currently not supported.")}
	}
	return nil
}
