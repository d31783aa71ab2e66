package graphemu

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// graphError is the "error" object of a Graph API error response.
type graphError struct {
	Message      string     `json:"message"`
	Type         string     `json:"type"`
	Code         int        `json:"code"`
	ErrorSubcode int        `json:"error_subcode,omitempty"`
	IsTransient  *bool      `json:"is_transient,omitempty"`
	ErrorData    *errorData `json:"error_data,omitempty"`
	FBTraceID    string     `json:"fbtrace_id"`
}

// errorData is the WhatsApp-specific part of a Graph error.
type errorData struct {
	MessagingProduct string `json:"messaging_product,omitempty"`
	Details          string `json:"details"`
}

// waError builds a WhatsApp Cloud API error: "(#code) title" with details.
func waError(code int, title, details string) graphError {
	return graphError{
		Message:   fmt.Sprintf("(#%d) %s", code, title),
		Type:      "OAuthException",
		Code:      code,
		ErrorData: &errorData{MessagingProduct: "whatsapp", Details: details},
	}
}

// invalidParam is the usual 400 code 100 validation error.
func invalidParam(details string) graphError {
	return waError(100, "Invalid parameter", details)
}

// writeGraphError writes {"error":{...}} with a fresh fbtrace_id.
func writeGraphError(w http.ResponseWriter, status int, ge graphError) {
	if ge.Type == "" {
		ge.Type = "OAuthException"
	}
	ge.FBTraceID = traceID()
	w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "`+authErrorKind(ge.Code)+`" "`+ge.Message+`"`)
	writeJSON(w, status, map[string]graphError{"error": ge})
}

// authErrorKind names the error class in the WWW-Authenticate header, as Graph does.
func authErrorKind(code int) string {
	if code == 190 {
		return "invalid_token"
	}
	return "invalid_request"
}

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "graphemu: unable to encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// traceID is a random fbtrace_id-like string.
func traceID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "A" + base64.RawURLEncoding.EncodeToString(b)
}

// bearer extracts the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// errNoToken is Graph's answer to a request without an access token.
func errNoToken() graphError {
	return graphError{
		Message: "An active access token must be used to query information about the current user.",
		Type:    "OAuthException",
		Code:    190,
	}
}

// errBadToken is Graph's answer to an unknown or foreign access token.
func errBadToken() graphError {
	return graphError{
		Message: "Invalid OAuth access token - Cannot parse access token",
		Type:    "OAuthException",
		Code:    190,
	}
}

// errUnsupported is Graph's answer for an object that does not exist or
// that the token may not see.
func errUnsupported(method, id string) graphError {
	return graphError{
		Message:      fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", method, id),
		Type:         "GraphMethodException",
		Code:         100,
		ErrorSubcode: 33,
	}
}
