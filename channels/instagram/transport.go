// Package instagram is the Instagram Messaging adapter (Instagram API with
// Instagram Login, or the Page-linked Messenger flavour; both share the
// webhook shape): it answers Meta's webhook handshake, checks and parses
// webhook bodies into the channels message model, sends text and media by
// link, and downloads attachments from their CDN links (public https
// addresses only). Echoes of what the business typed in the Instagram app
// become outgoing messages.
package instagram

import (
	"net/http"

	"switchboard/channels"
	"switchboard/channels/internal/meta"
)

// Transport is the Instagram Messaging API. The zero value is ready to use.
type Transport struct {
	// HTTP is the client for Graph API calls; nil means a client with
	// connect and response-header timeouts. Callers bound a whole call with
	// the context. Attachment downloads do not use it: they go only to
	// public https addresses.
	HTTP *http.Client
	// AllowMediaHosts are host:port pairs, as written in an attachment URL,
	// that files may be downloaded from although they are not public https
	// addresses: the Graph API emulator in the demo and in tests.
	AllowMediaHosts []string
	// HumanAgent tags every send with messaging_type MESSAGE_TAG and tag
	// HUMAN_AGENT, which lets a person reply up to 7 days after the client's
	// last message instead of 24 hours. Set it only when the Meta app has the
	// Human Agent feature approved, and only for messages people write:
	// automated messages under this tag break Meta's policy.
	HumanAgent bool
}

var _ channels.Transport = (*Transport)(nil)

// graph is the shared Meta client with Instagram's reading of errors:
// error_user_msg is appended to the message.
func (t *Transport) graph() meta.Client {
	c := meta.Client{Transient: IsTransient, Detail: func(g *meta.GraphError) string { return g.UserMessage }}
	if t != nil {
		c.HTTP, c.AllowHosts = t.HTTP, t.AllowMediaHosts
	}
	return c
}

// Name is channels.Instagram.
func (t *Transport) Name() string { return channels.Instagram }

// Capabilities: Instagram has a reply window too, but no templates to send
// past it, so none is declared; its webhooks carry only the client's IGSID,
// so their profile is read (Profile).
func (t *Transport) Capabilities() channels.Capabilities {
	return channels.Capabilities{Title: "Instagram", Profiles: true}
}

// Verify answers Meta's GET subscription handshake: with hub.mode=subscribe
// and hub.verify_token equal to the account's VerifyToken it returns
// hub.challenge; otherwise channels.ErrBadVerifyToken.
func (t *Transport) Verify(acct channels.Account, query map[string][]string) (string, error) {
	return meta.VerifyHandshake(acct.VerifyToken, query)
}
