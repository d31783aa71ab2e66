package instagram

import (
	"errors"
	"fmt"

	"switchboard/channels"
	"switchboard/channels/internal/meta"
)

// MaxTextBytes is Instagram's text limit, in bytes of UTF-8 (Cyrillic
// letters take two, so about 500 of them fit).
const MaxTextBytes = 1000

// MB is a decimal megabyte, the cautious reading of Meta's "MB".
const MB = meta.MB

const title = "Instagram"

// mediaRules follow Meta's Instagram messaging limits (transports.md §2.5).
// Instagram attachments carry no caption.
var mediaRules = meta.MediaRules{
	channels.KindImage:    {MaxSize: 8 * MB, Types: []string{"image/png", "image/jpeg", "image/gif"}},
	channels.KindAudio:    {MaxSize: 25 * MB, Types: audioTypes},
	channels.KindVoice:    {MaxSize: 25 * MB, Types: audioTypes},
	channels.KindVideo:    {MaxSize: 25 * MB, Types: []string{"video/mp4", "video/ogg", "video/x-msvideo", "video/avi", "video/quicktime", "video/webm"}},
	channels.KindDocument: {MaxSize: 25 * MB, Types: []string{"application/pdf"}},
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
			return meta.TooLong(title, msg.Kind, channels.LimitText, MaxTextBytes, int64(n), channels.UnitBytes)
		}
		return nil
	}
	if _, ok := mediaRules[msg.Kind]; !ok {
		return fmt.Errorf("instagram: cannot send a %q message", msg.Kind)
	}
	if msg.Media == nil || msg.Media.Link == "" {
		return errors.New("instagram: media is sent by public link only; upload is not supported")
	}
	if msg.Text != "" {
		return meta.TooLong(title, msg.Kind, channels.LimitCaption, 0, int64(len(msg.Text)), channels.UnitBytes)
	}
	return mediaRules.CheckFile(title, msg, size)
}

// CheckOutgoing is the package's CheckOutgoing, for channels.Transport.
func (t *Transport) CheckOutgoing(msg channels.Outgoing, size int64) error {
	return CheckOutgoing(msg, size)
}

// KindForMIME picks how Instagram should send a file of this MIME type:
// image, video or audio when Instagram takes the type as such, otherwise
// document (which Instagram takes only as PDF; CheckOutgoing says so).
func KindForMIME(mimeType string) channels.Kind { return mediaRules.KindForMIME(mimeType) }

// KindForFile is KindForMIME: Instagram sends a file of any size as its
// kind, and CheckOutgoing refuses one that is too large.
func (t *Transport) KindForFile(mimeType string, _ int64) channels.Kind { return KindForMIME(mimeType) }
