package channels

import "errors"

// ErrUnsupported is a call the transport has no counterpart for (templates
// on Instagram, a profile read on WhatsApp, whose webhooks name the client).
var ErrUnsupported = errors.New("channels: not supported by this transport")

// Template is an approved message template of an account: the only kind of
// message that reaches a WhatsApp client outside the 24-hour window.
type Template struct {
	Name     string // e.g. "order_update"
	Language string // e.g. "en_US", "ru"
	Category string // MARKETING, UTILITY, AUTHENTICATION
	// Body is the body text with its {{1}}, {{2}}... placeholders; Params is
	// how many values it takes.
	Body   string
	Params int
}

// Profile is a client's public profile as the messenger shows it.
type Profile struct {
	Name       string
	Username   string
	PictureURL string
}
