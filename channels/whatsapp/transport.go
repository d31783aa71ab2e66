// Package whatsapp is the WhatsApp Business Cloud API adapter: it answers
// Meta's webhook handshake, checks and parses webhook bodies (live messages,
// delivery statuses, and the coexistence fields smb_message_echoes and
// history) into the channels message model, sends messages, and downloads
// and uploads media through the Graph API. It checks outgoing messages against
// WhatsApp's limits and maps Meta's error codes to channels' reason codes.
package whatsapp

import (
	"net/http"
	"time"

	"switchboard/channels"
	"switchboard/channels/internal/meta"
)

// Transport is the WhatsApp Cloud API. The zero value is ready to use.
type Transport struct {
	// HTTP is the client for Graph API calls; nil means a client with
	// connect and response-header timeouts. Callers bound a whole call
	// (including a large download) with the context. Media downloads do not
	// use it: they go only to public https addresses.
	HTTP *http.Client
	// AllowMediaHosts are host:port pairs, as written in a media URL, that
	// files may be downloaded from although they are not public https
	// addresses: the Graph API emulator in the demo and in tests.
	AllowMediaHosts []string
}

var _ channels.Transport = (*Transport)(nil)

// graph is the shared Meta client with WhatsApp's reading of errors:
// error_data.details is appended to the message.
func (t *Transport) graph() meta.Client {
	c := meta.Client{Transient: IsTransient, Detail: func(g *meta.GraphError) string { return g.Details }}
	if t != nil {
		c.HTTP, c.AllowHosts = t.HTTP, t.AllowMediaHosts
	}
	return c
}

// Name is channels.WhatsApp.
func (t *Transport) Name() string { return channels.WhatsApp }

// Capabilities: WhatsApp's customer-service window lets free-form messages
// reach a client for 24 hours after their last message; past it only a
// template does.
func (t *Transport) Capabilities() channels.Capabilities {
	return channels.Capabilities{Title: "WhatsApp", TemplateWindow: 24 * time.Hour}
}

// Verify answers Meta's GET subscription handshake: with hub.mode=subscribe
// and hub.verify_token equal to the account's VerifyToken it returns
// hub.challenge, to be written back as the plain-text body; otherwise
// channels.ErrBadVerifyToken.
func (t *Transport) Verify(acct channels.Account, query map[string][]string) (string, error) {
	return meta.VerifyHandshake(acct.VerifyToken, query)
}
