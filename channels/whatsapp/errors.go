package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"switchboard/channels"
)

// graphError is the Graph API's error body:
// {"error":{"message","type","code","error_subcode","error_data":{"details"},"fbtrace_id","is_transient"}}.
type graphError struct {
	Error *struct {
		Message     string  `json:"message"`
		Type        string  `json:"type"`
		Code        int     `json:"code"`
		Subcode     flexInt `json:"error_subcode"` // deprecated for WhatsApp; kept for logs
		IsTransient bool    `json:"is_transient"`
		ErrorData   struct {
			Details string `json:"details"`
		} `json:"error_data"`
		FBTraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

// errorBodyLimit caps how much of an error response is read.
const errorBodyLimit = 64 << 10

// apiError turns a non-2xx Graph API response into a *channels.SendError,
// classifying it as transient (worth retrying) or permanent.
func apiError(resp *http.Response) *channels.SendError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyLimit))
	e := &channels.SendError{HTTPStatus: resp.StatusCode}
	var g graphError
	if json.Unmarshal(body, &g) == nil && g.Error != nil {
		e.Code = g.Error.Code
		e.Subcode = int(g.Error.Subcode)
		e.Message = g.Error.Message
		if d := g.Error.ErrorData.Details; d != "" && !strings.Contains(e.Message, d) {
			e.Message += ": " + d
		}
		e.Transient = g.Error.IsTransient || IsTransient(e.Code)
	} else {
		e.Message = strings.TrimSpace(string(body))
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		e.Transient = true
	}
	return e
}

// networkError is a request that got no answer (refused, reset, timed out):
// always transient, so the outbox retries it. A cancelled context is not
// wrapped as retryable, since the caller gave up on purpose.
func networkError(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return &channels.SendError{Message: err.Error(), Transient: true}
}

// IsTransient reports whether a Graph API / Cloud API error code is worth
// retrying later: rate and throughput limits and Meta's own internal
// errors. Permanent codes (re-engagement window, undeliverable, spam limit,
// auth, permissions, bad parameters, templates...) return false.
func IsTransient(code int) bool {
	switch code {
	case 1, // unknown API error, "possibly a temporary issue"
		2,      // temporary service error
		4,      // app API call rate limit
		17,     // user API call rate limit
		32,     // page call rate limit
		613,    // calls within one hour exceeded
		80007,  // WABA rate limit
		130429, // throughput limit (messages per second)
		131000, // something went wrong (generic internal)
		131016, // service unavailable
		131056, // pair rate limit: too many messages to one user
		133004: // server temporarily unavailable
		return true
	}
	return false
}
