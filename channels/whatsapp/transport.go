// Package whatsapp is the WhatsApp Business Cloud API adapter: it answers
// Meta's webhook handshake, checks and parses webhook bodies (live messages,
// delivery statuses, and the coexistence fields smb_message_echoes and
// history) into the channels message model, sends messages, and downloads
// and uploads media through the Graph API. It checks outgoing messages against
// WhatsApp's limits and explains Meta's error codes in English and Russian.
package whatsapp

import (
	"net"
	"net/http"
	"time"

	"switchboard/channels"
	"switchboard/channels/internal/meta"
)

// Transport is the WhatsApp Cloud API. The zero value is ready to use.
type Transport struct {
	// HTTP is the client for Graph API calls; nil means a client with
	// connect and response-header timeouts. Callers bound a whole call
	// (including a large download) with the context.
	HTTP *http.Client
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

// Name is channels.WhatsApp.
func (t *Transport) Name() string { return channels.WhatsApp }

// Verify answers Meta's GET subscription handshake: with hub.mode=subscribe
// and hub.verify_token equal to the account's VerifyToken it returns
// hub.challenge, to be written back as the plain-text body; otherwise
// channels.ErrBadVerifyToken.
func (t *Transport) Verify(acct channels.Account, query map[string][]string) (string, error) {
	return meta.VerifyHandshake(acct.VerifyToken, query)
}
