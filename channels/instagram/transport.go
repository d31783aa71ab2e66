// Package instagram is the Instagram Messaging adapter (Instagram API with
// Instagram Login, or the Page-linked Messenger flavour; both share the
// webhook shape): it answers Meta's webhook handshake, checks and parses
// webhook bodies into the channels message model, sends text and media by
// link, and downloads attachments from their CDN links. Echoes of what the
// business typed in the Instagram app become outgoing messages.
package instagram

import (
	"net"
	"net/http"
	"time"

	"switchboard/channels"
	"switchboard/channels/internal/meta"
)

// Transport is the Instagram Messaging API. The zero value is ready to use.
type Transport struct {
	// HTTP is the client for Graph API and CDN calls; nil means a client with
	// connect and response-header timeouts. Callers bound a whole call with
	// the context.
	HTTP *http.Client
	// HumanAgent tags every send with messaging_type MESSAGE_TAG and tag
	// HUMAN_AGENT, which lets a person reply up to 7 days after the client's
	// last message instead of 24 hours. Set it only when the Meta app has the
	// Human Agent feature approved, and only for messages people write:
	// automated messages under this tag break Meta's policy.
	HumanAgent bool
}

var _ channels.Transport = (*Transport)(nil)

// defaultClient times out a connection or a server that does not answer, but
// not a long body download, which the caller's context bounds.
var defaultClient = &http.Client{
	Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   16,
		ForceAttemptHTTP2:     true,
	},
}

func (t *Transport) client() *http.Client {
	if t != nil && t.HTTP != nil {
		return t.HTTP
	}
	return defaultClient
}

// Name is channels.Instagram.
func (t *Transport) Name() string { return channels.Instagram }

// Verify answers Meta's GET subscription handshake: with hub.mode=subscribe
// and hub.verify_token equal to the account's VerifyToken it returns
// hub.challenge; otherwise channels.ErrBadVerifyToken.
func (t *Transport) Verify(acct channels.Account, query map[string][]string) (string, error) {
	return meta.VerifyHandshake(acct.VerifyToken, query)
}
