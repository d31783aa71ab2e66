package whatsapp

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"switchboard/channels"
	"switchboard/channels/internal/meta"
)

// Text limits of the Cloud API, in characters.
const (
	MaxTextChars    = 4096
	MaxCaptionChars = 1024
)

// MB is a decimal megabyte, the cautious reading of Meta's "MB".
const MB = meta.MB

const title = "WhatsApp"

// mediaRules follow Meta's supported-media table (transports.md §1.12).
var mediaRules = meta.MediaRules{
	channels.KindImage: {MaxSize: 5 * MB, Types: []string{"image/jpeg", "image/png"}, Caption: true},
	channels.KindVideo: {MaxSize: 16 * MB, Types: []string{"video/mp4", "video/3gpp"}, Caption: true},
	channels.KindAudio: {MaxSize: 16 * MB, Types: audioTypes},
	channels.KindVoice: {MaxSize: 16 * MB, Types: audioTypes},
	channels.KindDocument: {MaxSize: 100 * MB, Types: []string{
		"text/plain",
		"application/pdf",
		"application/msword",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.ms-excel",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/vnd.ms-powerpoint",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	}, Caption: true},
	channels.KindSticker: {MaxSize: 100 * 1000, Types: []string{"image/webp"}},
}

var audioTypes = []string{"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}

// CheckOutgoing reports whether WhatsApp would take msg: text up to
// MaxTextChars, captions up to MaxCaptionChars (audio and stickers take
// none), and for media the file's MIME type and size (size in bytes; 0 when
// unknown skips the size check). Breaking a limit is a *channels.LimitError;
// a message missing its media or template is a plain error.
func CheckOutgoing(msg channels.Outgoing, size int64) error {
	switch msg.Kind {
	case channels.KindText:
		return checkLength(msg, channels.LimitText, MaxTextChars)
	case channels.KindTemplate:
		if msg.Template == nil || msg.Template.Name == "" || msg.Template.Language == "" {
			return errors.New("whatsapp: template message without template name and language")
		}
		return nil
	}
	rule, ok := mediaRules[msg.Kind]
	if !ok {
		return fmt.Errorf("whatsapp: cannot send a %q message", msg.Kind)
	}
	if msg.Media == nil || (msg.Media.ID == "" && msg.Media.Link == "") {
		return fmt.Errorf("whatsapp: %s message without a media id or link", msg.Kind)
	}
	limit := MaxCaptionChars
	if !rule.Caption {
		limit = 0
	}
	if err := checkLength(msg, channels.LimitCaption, limit); err != nil {
		return err
	}
	return mediaRules.CheckFile(title, msg, size)
}

// CheckOutgoing is the package's CheckOutgoing, for channels.Transport.
func (t *Transport) CheckOutgoing(msg channels.Outgoing, size int64) error {
	return CheckOutgoing(msg, size)
}

func checkLength(msg channels.Outgoing, what string, limit int) error {
	if n := utf8.RuneCountInString(msg.Text); n > limit {
		return meta.TooLong(title, msg.Kind, what, int64(limit), int64(n), channels.UnitChars)
	}
	return nil
}

// KindForMIME picks how WhatsApp should send a file of this MIME type:
// image, video or audio when WhatsApp takes the type as such, otherwise
// document.
func KindForMIME(mimeType string) channels.Kind { return mediaRules.KindForMIME(mimeType) }

// KindForFile is KindForMIME that also weighs the size: an image, video or
// audio file over its kind's limit goes as a document (up to 100 MB).
func KindForFile(mimeType string, size int64) channels.Kind {
	k := KindForMIME(mimeType)
	if size > mediaRules[k].MaxSize {
		return channels.KindDocument
	}
	return k
}

// KindForFile is the package's KindForFile, for channels.Transport.
func (t *Transport) KindForFile(mimeType string, size int64) channels.Kind {
	return KindForFile(mimeType, size)
}
