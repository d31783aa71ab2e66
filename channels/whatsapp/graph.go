package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"switchboard/channels"
)

// do sends an authenticated Graph API request. A network failure becomes a
// transient *channels.SendError and a non-2xx answer a classified one; on
// success the caller owns the response body.
func (t *Transport) do(ctx context.Context, acct channels.Account, method, url string, body io.Reader, contentType string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+acct.AccessToken)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := t.client().Do(req)
	if err != nil {
		return nil, networkError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, apiError(resp)
	}
	return resp, nil
}

// postJSON posts in as JSON and decodes the answer into out.
func (t *Transport) postJSON(ctx context.Context, acct channels.Account, url string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	resp, err := t.do(ctx, acct, http.MethodPost, url, bytes.NewReader(b), "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decodeBody(resp, out)
}

// decodeBody reads a successful answer; one we cannot read is permanent,
// since the request may well have been carried out.
func decodeBody(resp *http.Response, out any) error {
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &channels.SendError{HTTPStatus: resp.StatusCode, Message: fmt.Sprintf("unreadable answer: %v", err)}
	}
	return nil
}
