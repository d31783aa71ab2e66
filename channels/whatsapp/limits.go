package whatsapp

import (
	"errors"
	"fmt"
	"mime"
	"slices"
	"strings"
	"unicode/utf8"

	"switchboard/channels"
)

// Text limits of the Cloud API, in characters.
const (
	MaxTextChars    = 4096
	MaxCaptionChars = 1024
)

// MB is a decimal megabyte. Meta states limits in MB without saying which;
// the smaller reading never lets through a file Meta would refuse.
const MB = 1000 * 1000

// mediaRule is what WhatsApp accepts for one kind of file.
type mediaRule struct {
	maxSize int64
	types   []string // MIME types without parameters
	caption bool     // whether the kind takes a caption
}

// mediaRules follow Meta's supported-media table (transports.md §1.12).
var mediaRules = map[channels.Kind]mediaRule{
	channels.KindImage: {5 * MB, []string{"image/jpeg", "image/png"}, true},
	channels.KindVideo: {16 * MB, []string{"video/mp4", "video/3gpp"}, true},
	channels.KindAudio: {16 * MB, audioTypes, false},
	channels.KindVoice: {16 * MB, audioTypes, false},
	channels.KindDocument: {100 * MB, []string{
		"text/plain",
		"application/pdf",
		"application/msword",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.ms-excel",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/vnd.ms-powerpoint",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	}, true},
	channels.KindSticker: {100 * 1000, []string{"image/webp"}, false},
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
	if !rule.caption {
		limit = 0
	}
	if err := checkLength(msg, channels.LimitCaption, limit); err != nil {
		return err
	}
	if msg.Media.MIME != "" && !slices.Contains(rule.types, baseMIME(msg.Media.MIME)) {
		return &channels.LimitError{
			Kind: msg.Kind, What: channels.LimitType, MIME: msg.Media.MIME,
			Message: fmt.Sprintf("WhatsApp does not accept %s files as %s; accepted: %s",
				msg.Media.MIME, msg.Kind, strings.Join(rule.types, ", ")),
		}
	}
	if size > rule.maxSize {
		return &channels.LimitError{
			Kind: msg.Kind, What: channels.LimitSize, Limit: rule.maxSize, Got: size, MIME: msg.Media.MIME,
			Message: fmt.Sprintf("%s is too large for WhatsApp: %s, the limit is %s",
				msg.Kind, humanSize(size), humanSize(rule.maxSize)),
		}
	}
	return nil
}

func checkLength(msg channels.Outgoing, what string, limit int) error {
	n := utf8.RuneCountInString(msg.Text)
	if n <= limit {
		return nil
	}
	text := fmt.Sprintf("%s is too long for WhatsApp: %d characters, the limit is %d", what, n, limit)
	if limit == 0 {
		text = fmt.Sprintf("WhatsApp %s messages cannot have a caption; send the text separately", msg.Kind)
	}
	return &channels.LimitError{Kind: msg.Kind, What: what, Limit: int64(limit), Got: int64(n), Message: text}
}

// KindForMIME picks how WhatsApp should send a file of this MIME type:
// image, video or audio when WhatsApp takes the type as such, otherwise
// document.
func KindForMIME(mimeType string) channels.Kind {
	base := baseMIME(mimeType)
	for _, k := range []channels.Kind{channels.KindImage, channels.KindVideo, channels.KindAudio} {
		if slices.Contains(mediaRules[k].types, base) {
			return k
		}
	}
	return channels.KindDocument
}

// KindForFile is KindForMIME that also weighs the size: an image, video or
// audio file over its kind's limit goes as a document (up to 100 MB).
func KindForFile(mimeType string, size int64) channels.Kind {
	k := KindForMIME(mimeType)
	if size > mediaRules[k].maxSize {
		return channels.KindDocument
	}
	return k
}

// baseMIME drops parameters and case: "audio/ogg; codecs=opus" → "audio/ogg".
func baseMIME(t string) string {
	if base, _, err := mime.ParseMediaType(t); err == nil {
		return base
	}
	return strings.ToLower(strings.TrimSpace(t))
}

func humanSize(n int64) string {
	switch {
	case n >= MB:
		return fmt.Sprintf("%.1f MB", float64(n)/MB)
	case n >= 1000:
		return fmt.Sprintf("%.0f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%d bytes", n)
}
