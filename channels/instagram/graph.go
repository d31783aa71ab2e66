package instagram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"switchboard/channels"
	"switchboard/channels/internal/meta"
)

// do sends a request, with the bearer token when acct has one. A network
// failure becomes a transient *channels.SendError and a non-2xx answer a
// classified one; on success the caller owns the response body.
func (t *Transport) do(ctx context.Context, token, method, url string, body io.Reader, contentType string) (*http.Response, error) {
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
	resp, err := t.client().Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err // the caller gave up: not a provider failure
		}
		return nil, &channels.SendError{Message: err.Error(), Transient: true}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, apiError(resp)
	}
	return resp, nil
}

// postJSON posts in as JSON with the account's token and decodes the answer.
func (t *Transport) postJSON(ctx context.Context, acct channels.Account, url string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := t.do(ctx, acct.AccessToken, http.MethodPost, url, bytes.NewReader(b), "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		// Permanent: the message may well have been sent.
		return &channels.SendError{HTTPStatus: resp.StatusCode, Message: fmt.Sprintf("unreadable answer: %v", err)}
	}
	return nil
}

// apiError turns a non-2xx answer into a classified *channels.SendError;
// error_user_msg is appended to the message.
func apiError(resp *http.Response) *channels.SendError {
	return meta.ReadGraphError(resp, IsTransient, func(g *meta.GraphError) string { return g.UserMessage })
}

// IsTransient reports whether a Graph API error code met on Instagram sends
// is worth retrying: temporary failures and rate limits. Closed reply
// windows (10 with subcode 2534022), unavailable users (551), auth and
// permission errors are permanent.
func IsTransient(code int) bool {
	switch code {
	case 1, // unknown error, possibly temporary
		2,    // temporary service error
		4,    // app rate limit
		17,   // user rate limit
		32,   // page rate limit
		613,  // calls within one hour exceeded
		1200: // temporary send failure
		return true
	}
	return false
}
