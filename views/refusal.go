package views

import (
	"context"

	"switchboard/channels"
)

// What the composer can refuse, for Refusal.What.
const (
	RefusedEmpty        = "empty"          // nothing to send
	RefusedTooLong      = "too_long"       // text over our own limit
	RefusedFileTooLarge = "file_too_large" // a file over our 50 MB
	RefusedTooManyFiles = "too_many_files" // more files than one message takes
	RefusedByTransport  = "transport"      // the dialog's transport would refuse it
	RefusedChannelOff   = "channel_off"    // the admin turned the dialog's channel off
)

// Refusal is why the composer refused what was sent, as data; the handler
// reads it off the error and ComposerRefusal puts it in words.
type Refusal struct {
	What      string // one of the Refused* values
	FileName  string // the file refused; "" for the text
	Transport string // RefusedByTransport: the transport's title, "WhatsApp"
	// Limit is the transport's limit broken; nil with RefusedByTransport
	// when the transport cannot carry the file at all.
	Limit    *channels.LimitError
	MaxFiles int // RefusedTooManyFiles: how many one message takes
}

// ComposerRefusal says under the composer, in the viewer's language, why
// nothing was sent.
func ComposerRefusal(ctx context.Context, r Refusal) string {
	switch r.What {
	case RefusedEmpty:
		return T(ctx, "error.empty")
	case RefusedTooLong:
		return T(ctx, "error.too_long")
	case RefusedChannelOff:
		return T(ctx, "error.channel_off")
	case RefusedFileTooLarge:
		return Tf(ctx, "error.file_too_large", r.FileName)
	case RefusedTooManyFiles:
		return Tf(ctx, "error.too_many_files", Plural(ctx, "count.files", int64(r.MaxFiles)))
	}
	l := r.Limit
	switch {
	case l == nil:
		return Tf(ctx, "error.file_kind", r.FileName, r.Transport)
	case l.What == channels.LimitSize:
		return Tf(ctx, "error.file_size", r.FileName, r.Transport, Size(ctx, l.Got), Size(ctx, l.Limit))
	case l.What == channels.LimitType:
		return Tf(ctx, "error.file_type", r.FileName, r.Transport, l.MIME)
	case l.Unit == channels.UnitBytes:
		return Tf(ctx, "error.text_limit", r.Transport, Plural(ctx, "count.bytes", l.Limit))
	}
	return Tf(ctx, "error.text_limit", r.Transport, Plural(ctx, "count.characters", l.Limit))
}
