package meta

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"switchboard/channels"
)

// graphErrorBodyLimit caps how much of a Graph API error response is read.
const graphErrorBodyLimit = 64 << 10

// GraphError is the "error" object of a Graph API error body:
// {"error":{"message","type","code","error_subcode","error_user_msg",
// "error_data":{"details"},"fbtrace_id","is_transient"}}.
type GraphError struct {
	Message     string
	Type        string
	Code        int
	Subcode     int // error_subcode, sent as a JSON number or a numeric string
	IsTransient bool
	UserMessage string // error_user_msg
	Details     string // error_data.details (WhatsApp)
	FBTraceID   string
}

// graphErrorBody is the wire shape of a Graph API error answer.
type graphErrorBody struct {
	Error *struct {
		Message     string  `json:"message"`
		Type        string  `json:"type"`
		Code        int     `json:"code"`
		Subcode     FlexInt `json:"error_subcode"`
		IsTransient bool    `json:"is_transient"`
		UserMessage string  `json:"error_user_msg"`
		ErrorData   struct {
			Details string `json:"details"`
		} `json:"error_data"`
		FBTraceID string `json:"fbtrace_id"`
	} `json:"error"`
}

// DecodeGraphError parses a Graph API error body. ok is false when body is
// not JSON of that shape or has no "error" object.
func DecodeGraphError(body []byte) (g *GraphError, ok bool) {
	var b graphErrorBody
	if json.Unmarshal(body, &b) != nil || b.Error == nil {
		return nil, false
	}
	e := b.Error
	return &GraphError{
		Message:     e.Message,
		Type:        e.Type,
		Code:        e.Code,
		Subcode:     int(e.Subcode),
		IsTransient: e.IsTransient,
		UserMessage: e.UserMessage,
		Details:     e.ErrorData.Details,
		FBTraceID:   e.FBTraceID,
	}, true
}

// GraphSendError turns a non-2xx Graph API answer (its status and body) into
// a *channels.SendError. A Graph error body gives Code, Subcode and Message,
// with detail(g) appended to the message when it says something the message
// does not (each adapter picks its field: WhatsApp error_data.details,
// Instagram error_user_msg); the error is transient when the body says is_transient or
// isTransient(code) holds. Any other body becomes the message as it is (the
// status text when empty). A 5xx or 429 status is always transient.
func GraphSendError(status int, body []byte, isTransient func(code int) bool, detail func(g *GraphError) string) *channels.SendError {
	e := &channels.SendError{HTTPStatus: status}
	if g, ok := DecodeGraphError(body); ok {
		e.Code, e.Subcode, e.Message = g.Code, g.Subcode, g.Message
		if d := detail(g); d != "" && !strings.Contains(e.Message, d) {
			e.Message += ": " + d
		}
		e.Transient = g.IsTransient || isTransient(e.Code)
	} else {
		e.Message = strings.TrimSpace(string(body))
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
	}
	if status >= 500 || status == http.StatusTooManyRequests {
		e.Transient = true
	}
	return e
}

// ReadGraphError reads up to 64 KiB of a non-2xx Graph API response's body
// and classifies it with GraphSendError. The caller closes the body.
func ReadGraphError(resp *http.Response, isTransient func(code int) bool, detail func(g *GraphError) string) *channels.SendError {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, graphErrorBodyLimit))
	return GraphSendError(resp.StatusCode, body, isTransient, detail)
}
