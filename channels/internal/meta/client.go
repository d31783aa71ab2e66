package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"switchboard/channels"
)

// Client is how an adapter talks to Meta: Graph API calls with the account's
// bearer token, their answers and errors decoded, and media downloads through
// the guarded client. Its zero value is not usable: an adapter fills
// Transient and Detail with its own reading of Graph error codes.
type Client struct {
	// HTTP makes Graph API calls; nil means DefaultClient. Downloads never
	// use it: they go through the guard (see Download).
	HTTP *http.Client
	// AllowHosts are host:port pairs, as written in a URL, that media may be
	// downloaded from although they are not public https addresses: the
	// Graph API emulator in the demo and in tests. Empty in production.
	AllowHosts []string
	// Transient reports whether a Graph error code is worth retrying.
	Transient func(code int) bool
	// Detail picks the part of a Graph error appended to its message.
	Detail func(g *GraphError) string
}

// DefaultClient times out a connection or a server that does not answer, but
// not a long body download, which the caller's context bounds.
var DefaultClient = &http.Client{
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

func (c Client) api() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return DefaultClient
}

// Do sends a Graph API request, with the bearer token when there is one. A
// network failure becomes a transient *channels.SendError and a non-2xx
// answer a classified one; on success the caller owns the response body.
func (c Client) Do(ctx context.Context, token, method, url string, body io.Reader, contentType string) (*http.Response, error) {
	return c.send(ctx, c.api(), token, method, url, body, contentType)
}

// Download GETs a media URL (with the bearer token when there is one)
// through the guarded client: only https to public addresses, redirects
// included, unless the host is in AllowHosts. A refused URL is a permanent
// *channels.SendError that also matches ErrNotPublic; other failures are
// classified as Do's. The caller owns the body.
func (c Client) Download(ctx context.Context, token, url string) (*http.Response, error) {
	return c.send(ctx, guardedClient(c.AllowHosts), token, http.MethodGet, url, nil, "")
}

func (c Client) send(ctx context.Context, hc *http.Client, token, method, url string, body io.Reader, contentType string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, networkError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, ReadGraphError(resp, c.Transient, c.Detail)
	}
	return resp, nil
}

// networkError is a request that got no answer (refused, reset, timed out):
// transient, so the outbox retries it. A cancelled context is not wrapped as
// retryable, since the caller gave up on purpose; an address the guard
// refused is permanent, since asking again gives the same answer.
func networkError(err error) error {
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, ErrNotPublic):
		return refusedError{&channels.SendError{Message: err.Error()}}
	}
	return &channels.SendError{Message: err.Error(), Transient: true}
}

// refusedError is a permanent *channels.SendError that is also ErrNotPublic.
type refusedError struct{ *channels.SendError }

func (e refusedError) Unwrap() []error { return []error{e.SendError, ErrNotPublic} }

// PostJSON posts in as JSON with the token and decodes the answer into out.
func (c Client) PostJSON(ctx context.Context, token, url string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := c.Do(ctx, token, http.MethodPost, url, bytes.NewReader(b), "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return DecodeBody(resp, out)
}

// GetJSON gets url with the token and decodes the answer into out.
func (c Client) GetJSON(ctx context.Context, token, url string, out any) error {
	resp, err := c.Do(ctx, token, http.MethodGet, url, nil, "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return DecodeBody(resp, out)
}

// DecodeBody reads a successful JSON answer into out; one we cannot read is
// a permanent *channels.SendError, since the request may well have been
// carried out.
func DecodeBody(resp *http.Response, out any) error {
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &channels.SendError{HTTPStatus: resp.StatusCode, Message: fmt.Sprintf("unreadable answer: %v", err)}
	}
	return nil
}
