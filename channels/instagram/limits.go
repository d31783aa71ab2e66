package instagram

import (
	"errors"
	"fmt"
	"mime"
	"slices"
	"strings"

	"switchboard/channels"
)

// MaxTextBytes is Instagram's text limit, in bytes of UTF-8 (Cyrillic
// letters take two, so about 500 of them fit).
const MaxTextBytes = 1000

// MB is a decimal megabyte, the cautious reading of Meta's "MB".
const MB = 1000 * 1000

// mediaRule is what Instagram accepts for one kind of file.
type mediaRule struct {
	maxSize int64
	types   []string // MIME types without parameters
}

// mediaRules follow Meta's Instagram messaging limits (transports.md §2.5).
var mediaRules = map[channels.Kind]mediaRule{
	channels.KindImage:    {8 * MB, []string{"image/png", "image/jpeg", "image/gif"}},
	channels.KindAudio:    {25 * MB, audioTypes},
	channels.KindVoice:    {25 * MB, audioTypes},
	channels.KindVideo:    {25 * MB, []string{"video/mp4", "video/ogg", "video/x-msvideo", "video/avi", "video/quicktime", "video/webm"}},
	channels.KindDocument: {25 * MB, []string{"application/pdf"}},
}

var audioTypes = []string{"audio/aac", "audio/mp4", "audio/x-m4a", "audio/m4a", "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"}

// CheckOutgoing reports whether Instagram would take msg: text up to
// MaxTextBytes; a file by public link, of an accepted MIME type and size
// (size in bytes; 0 when unknown skips the size check), with no text, since
// Instagram attachments carry no caption. Breaking a limit is a
// *channels.LimitError; a message Instagram cannot carry at all (template,
// sticker, location, media without a link) is a plain error.
func CheckOutgoing(msg channels.Outgoing, size int64) error {
	if msg.Kind == channels.KindText {
		if n := len(msg.Text); n > MaxTextBytes {
			return &channels.LimitError{
				Kind: msg.Kind, What: channels.LimitText, Limit: MaxTextBytes, Got: int64(n),
				Message: fmt.Sprintf("text is too long for Instagram: %d bytes, the limit is %d", n, MaxTextBytes),
			}
		}
		return nil
	}
	rule, ok := mediaRules[msg.Kind]
	if !ok {
		return fmt.Errorf("instagram: cannot send a %q message", msg.Kind)
	}
	if msg.Media == nil || msg.Media.Link == "" {
		return errors.New("instagram: media is sent by public link only; upload is not supported")
	}
	if msg.Text != "" {
		return &channels.LimitError{
			Kind: msg.Kind, What: channels.LimitCaption, Got: int64(len(msg.Text)),
			Message: "Instagram attachments cannot have a caption; send the text separately",
		}
	}
	if msg.Media.MIME != "" && !slices.Contains(rule.types, baseMIME(msg.Media.MIME)) {
		return &channels.LimitError{
			Kind: msg.Kind, What: channels.LimitType, MIME: msg.Media.MIME,
			Message: fmt.Sprintf("Instagram does not accept %s files as %s; accepted: %s",
				msg.Media.MIME, msg.Kind, strings.Join(rule.types, ", ")),
		}
	}
	if size > rule.maxSize {
		return &channels.LimitError{
			Kind: msg.Kind, What: channels.LimitSize, Limit: rule.maxSize, Got: size, MIME: msg.Media.MIME,
			Message: fmt.Sprintf("%s is too large for Instagram: %.1f MB, the limit is %d MB",
				msg.Kind, float64(size)/MB, rule.maxSize/MB),
		}
	}
	return nil
}

// KindForMIME picks how Instagram should send a file of this MIME type:
// image, video or audio when Instagram takes the type as such, otherwise
// document (which Instagram takes only as PDF; CheckOutgoing says so).
func KindForMIME(mimeType string) channels.Kind {
	base := baseMIME(mimeType)
	for _, k := range []channels.Kind{channels.KindImage, channels.KindVideo, channels.KindAudio} {
		if slices.Contains(mediaRules[k].types, base) {
			return k
		}
	}
	return channels.KindDocument
}

// baseMIME drops parameters and case: "audio/mp4; codecs=x" → "audio/mp4".
func baseMIME(t string) string {
	if base, _, err := mime.ParseMediaType(t); err == nil {
		return base
	}
	return strings.ToLower(strings.TrimSpace(t))
}
