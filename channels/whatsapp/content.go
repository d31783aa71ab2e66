package whatsapp

import (
	"strconv"
	"strings"

	"switchboard/channels"
)

// content maps a message's type-specific payload to Kind, Text, Media and
// Location. Anything we cannot show (order, system, unsupported such as
// polls, or a type Meta adds later) becomes KindUnsupported with a
// placeholder naming the type, so the operator knows something arrived.
func content(m message) channels.Message {
	switch m.Type {
	case "text":
		if m.Text != nil {
			return channels.Message{Kind: channels.KindText, Text: m.Text.Body}
		}
	case "image":
		return mediaMessage(channels.KindImage, m.Image)
	case "video":
		return mediaMessage(channels.KindVideo, m.Video)
	case "sticker":
		return mediaMessage(channels.KindSticker, m.Sticker)
	case "document":
		return mediaMessage(channels.KindDocument, m.Document)
	case "audio":
		kind := channels.KindAudio
		if m.Audio != nil && m.Audio.Voice {
			kind = channels.KindVoice
		}
		return mediaMessage(kind, m.Audio)
	case "location":
		if m.Location != nil {
			return locationMessage(*m.Location)
		}
	case "contacts":
		if len(m.Contacts) > 0 {
			return channels.Message{Kind: channels.KindContact, Text: renderContacts(m.Contacts)}
		}
	case "interactive":
		if title := interactiveTitle(m.Interactive); title != "" {
			return channels.Message{Kind: channels.KindText, Text: title}
		}
	case "button":
		if m.Button != nil {
			return channels.Message{Kind: channels.KindText, Text: m.Button.Text}
		}
	case "unsupported":
		// Polls, view-once media and the like; sometimes Meta names them.
		if m.Unsupported != nil && m.Unsupported.Type != "" {
			return placeholder(m.Unsupported.Type, "")
		}
		return placeholder("unknown", "")
	case "system":
		if m.System != nil {
			return placeholder("system", m.System.Body)
		}
	}
	return placeholder(m.Type, "")
}

// placeholder is the unsupported message "[unsupported: <what>]", followed
// by a readable detail line when there is one.
func placeholder(what, detail string) channels.Message {
	if what == "" {
		what = "unknown"
	}
	text := "[unsupported: " + what + "]"
	if detail != "" {
		text += "\n" + detail
	}
	return channels.Message{Kind: channels.KindUnsupported, Text: text}
}

// mediaMessage keeps the media reference for a later FetchMedia; a caption
// becomes the text. A media message without a media id or URL (as in history
// chunks, where media ids come separately) keeps its kind with no media.
func mediaMessage(kind channels.Kind, m *media) channels.Message {
	if m == nil {
		return channels.Message{Kind: kind}
	}
	if m.ID == "" && m.URL == "" {
		return channels.Message{Kind: kind, Text: m.Caption}
	}
	return channels.Message{
		Kind: kind,
		Text: m.Caption,
		Media: &channels.MediaRef{
			ID:       m.ID,
			URL:      m.URL,
			MIME:     m.MIMEType,
			SHA256:   m.SHA256,
			FileName: m.Filename,
		},
	}
}

// MapsLink is the Google Maps link a location is shown as.
func MapsLink(lat, lon float64) string {
	return "https://maps.google.com/?q=" + formatCoord(lat) + "," + formatCoord(lon)
}

func formatCoord(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// locationMessage renders a shared point as its Maps link, then the place's
// name and address on their own lines when given.
func locationMessage(l location) channels.Message {
	lines := []string{MapsLink(l.Latitude, l.Longitude)}
	for _, s := range []string{l.Name, l.Address} {
		if s != "" {
			lines = append(lines, s)
		}
	}
	return channels.Message{
		Kind: channels.KindLocation,
		Text: strings.Join(lines, "\n"),
		Location: &channels.Location{
			Latitude: l.Latitude, Longitude: l.Longitude,
			Name: l.Name, Address: l.Address,
		},
	}
}

// renderContacts shows shared contact cards as plain text, one block per
// card separated by a blank line:
//
//	Chandler Bing
//	Phone: +1 555-555-5555 (CELL)
//	Email: c@example.com (WORK)
//	Organization: Acme, Sales, Manager
func renderContacts(cs []sharedContact) string {
	blocks := make([]string, 0, len(cs))
	for _, c := range cs {
		var lines []string
		name := c.Name.FormattedName
		if name == "" {
			name = strings.TrimSpace(c.Name.FirstName + " " + c.Name.LastName)
		}
		if name != "" {
			lines = append(lines, name)
		}
		for _, p := range c.Phones {
			lines = append(lines, "Phone: "+withType(p.Phone, p.Type))
		}
		for _, e := range c.Emails {
			lines = append(lines, "Email: "+withType(e.Email, e.Type))
		}
		if org := joinNonEmpty(", ", c.Org.Company, c.Org.Department, c.Org.Title); org != "" {
			lines = append(lines, "Organization: "+org)
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	return strings.Join(blocks, "\n\n")
}

func withType(value, typ string) string {
	if typ == "" {
		return value
	}
	return value + " (" + typ + ")"
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// interactiveTitle is the title of the button or list row the client chose.
func interactiveTitle(i *interactive) string {
	switch {
	case i == nil:
		return ""
	case i.ButtonReply != nil:
		return i.ButtonReply.Title
	case i.ListReply != nil:
		return i.ListReply.Title
	}
	return ""
}
