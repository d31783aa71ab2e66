package meta

import (
	"fmt"
	"mime"
	"slices"
	"strings"

	"switchboard/channels"
)

// MB is a decimal megabyte. Meta states limits in MB without saying which;
// the smaller reading never lets through a file Meta would refuse.
const MB = 1000 * 1000

// TooLong is text (what: channels.LimitText or LimitCaption) over a
// transport's limit, counted in unit; a limit of 0 means the kind takes no
// caption at all.
func TooLong(transport string, kind channels.Kind, what string, limit, got int64, unit string) *channels.LimitError {
	msg := fmt.Sprintf("%s is too long for %s: %d %s, the limit is %d", what, transport, got, unit, limit)
	if limit == 0 {
		msg = fmt.Sprintf("%s %s messages cannot have a caption; send the text separately", transport, kind)
	}
	return &channels.LimitError{Kind: kind, What: what, Limit: limit, Got: got, Unit: unit, Message: msg}
}

// WrongType is a file whose MIME type the transport does not take as kind.
func WrongType(transport string, kind channels.Kind, mimeType string, accepted []string) *channels.LimitError {
	return &channels.LimitError{
		Kind: kind, What: channels.LimitType, MIME: mimeType,
		Message: fmt.Sprintf("%s does not accept %s files as %s; accepted: %s",
			transport, mimeType, kind, strings.Join(accepted, ", ")),
	}
}

// TooLarge is a file over the transport's size limit for kind.
func TooLarge(transport string, kind channels.Kind, mimeType string, limit, got int64) *channels.LimitError {
	return &channels.LimitError{
		Kind: kind, What: channels.LimitSize, Limit: limit, Got: got, Unit: channels.UnitBytes, MIME: mimeType,
		Message: fmt.Sprintf("%s is too large for %s: %.1f MB, the limit is %.1f MB",
			kind, transport, float64(got)/MB, float64(limit)/MB),
	}
}

// BaseMIME drops parameters and case: "audio/ogg; codecs=opus" → "audio/ogg".
func BaseMIME(t string) string {
	if base, _, err := mime.ParseMediaType(t); err == nil {
		return base
	}
	return strings.ToLower(strings.TrimSpace(t))
}

// MediaRule is what a transport accepts for one kind of file.
type MediaRule struct {
	MaxSize int64    // bytes
	Types   []string // MIME types without parameters
	Caption bool     // whether the kind takes a caption
}

// MediaRules are a transport's rules by kind of file.
type MediaRules map[channels.Kind]MediaRule

// KindForMIME picks image, video or audio when the rules take the type as
// such, otherwise document.
func (r MediaRules) KindForMIME(mimeType string) channels.Kind {
	base := BaseMIME(mimeType)
	for _, k := range []channels.Kind{channels.KindImage, channels.KindVideo, channels.KindAudio} {
		if slices.Contains(r[k].Types, base) {
			return k
		}
	}
	return channels.KindDocument
}

// CheckFile checks the file of a media message of a kind the rules have:
// its MIME type (when known), then its size (when known, i.e. not 0).
func (r MediaRules) CheckFile(transport string, msg channels.Outgoing, size int64) error {
	rule := r[msg.Kind]
	if m := msg.Media; m != nil && m.MIME != "" && !slices.Contains(rule.Types, BaseMIME(m.MIME)) {
		return WrongType(transport, msg.Kind, m.MIME, rule.Types)
	}
	if size > rule.MaxSize {
		var mimeType string
		if msg.Media != nil {
			mimeType = msg.Media.MIME
		}
		return TooLarge(transport, msg.Kind, mimeType, rule.MaxSize, size)
	}
	return nil
}
