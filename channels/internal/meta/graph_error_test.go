package meta

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeGraphError(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *GraphError // nil: not a Graph error body
	}{
		{"whatsapp", `{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,
			"error_data":{"messaging_product":"whatsapp","details":"More than 24 hours have passed"},"fbtrace_id":"Az8or"}}`,
			&GraphError{Message: "(#131047) Re-engagement message", Type: "OAuthException", Code: 131047,
				Details: "More than 24 hours have passed", FBTraceID: "Az8or"}},
		{"instagram, int subcode", `{"error":{"message":"This message is sent outside of allowed window.","type":"OAuthException",
			"code":10,"error_subcode":2534022,"error_user_msg":"Outside the window","fbtrace_id":"AbC"}}`,
			&GraphError{Message: "This message is sent outside of allowed window.", Type: "OAuthException", Code: 10,
				Subcode: 2534022, UserMessage: "Outside the window", FBTraceID: "AbC"}},
		{"string subcode", `{"error":{"message":"m","code":551,"error_subcode":"1545041"}}`,
			&GraphError{Message: "m", Code: 551, Subcode: 1545041}},
		{"null subcode", `{"error":{"message":"m","code":100,"error_subcode":null}}`, &GraphError{Message: "m", Code: 100}},
		{"is_transient", `{"error":{"message":"m","code":2,"is_transient":true}}`, &GraphError{Message: "m", Code: 2, IsTransient: true}},
		{"non-numeric subcode", `{"error":{"message":"m","code":1,"error_subcode":"abc"}}`, nil},
		{"no error object", `{"data":[]}`, nil},
		{"error null", `{"error":null}`, nil},
		{"html", `<html>Bad Gateway</html>`, nil},
		{"empty", ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DecodeGraphError([]byte(tt.body))
			if ok != (tt.want != nil) || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeGraphError = %+v, %v; want %+v", got, ok, tt.want)
			}
		})
	}
}

func TestGraphSendError(t *testing.T) {
	// isTransient stands in for an adapter's own classification.
	isTransient := func(code int) bool { return code == 4 }
	details := func(g *GraphError) string { return g.Details }
	userMsg := func(g *GraphError) string { return g.UserMessage }
	body := func(e map[string]any) string {
		b, _ := json.Marshal(map[string]any{"error": e})
		return string(b)
	}
	tests := []struct {
		name      string
		status    int
		body      string
		detail    func(*GraphError) string
		code      int
		subcode   int
		message   string
		transient bool
	}{
		{"details appended", 400, body(map[string]any{"message": "Re-engagement message", "code": 131047,
			"error_data": map[string]any{"details": "24 hours passed"}}), details, 131047, 0, "Re-engagement message: 24 hours passed", false},
		{"details already in message", 400, body(map[string]any{"message": "Bad: 24 hours passed", "code": 131047,
			"error_data": map[string]any{"details": "24 hours passed"}}), details, 131047, 0, "Bad: 24 hours passed", false},
		{"other adapter's field ignored", 400, body(map[string]any{"message": "m", "code": 100, "error_user_msg": "for users",
			"error_data": map[string]any{"details": "d"}}), userMsg, 100, 0, "m: for users", false},
		{"int subcode", 400, body(map[string]any{"message": "outside window", "code": 10, "error_subcode": 2534022}),
			userMsg, 10, 2534022, "outside window", false},
		{"string subcode", 400, body(map[string]any{"message": "unavailable", "code": 551, "error_subcode": "1545041"}),
			userMsg, 551, 1545041, "unavailable", false},
		{"code transient for the adapter", 400, body(map[string]any{"message": "rate", "code": 4}), details, 4, 0, "rate", true},
		{"is_transient flag", 400, body(map[string]any{"message": "new", "code": 1234, "is_transient": true}), details, 1234, 0, "new", true},
		{"5xx with permanent code", 503, body(map[string]any{"message": "busy", "code": 999}), details, 999, 0, "busy", true},
		{"429", 429, body(map[string]any{"message": "slow down", "code": 999}), details, 999, 0, "slow down", true},
		{"not JSON", 502, "  <html>Bad Gateway</html>\n", details, 0, 0, "<html>Bad Gateway</html>", true},
		{"empty body", 404, "", details, 0, 0, "Not Found", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := GraphSendError(tt.status, []byte(tt.body), isTransient, tt.detail)
			if e.HTTPStatus != tt.status || e.Code != tt.code || e.Subcode != tt.subcode || e.Message != tt.message || e.Transient != tt.transient {
				t.Errorf("GraphSendError = %+v; want status %d code %d subcode %d message %q transient %v",
					*e, tt.status, tt.code, tt.subcode, tt.message, tt.transient)
			}
		})
	}
}

func TestReadGraphErrorLimit(t *testing.T) {
	big := strings.Repeat("x", 2*graphErrorBodyLimit)
	resp := &http.Response{StatusCode: 500, Body: io.NopCloser(strings.NewReader(big))}
	e := ReadGraphError(resp, func(int) bool { return false }, func(*GraphError) string { return "" })
	if len(e.Message) != graphErrorBodyLimit || !e.Transient {
		t.Errorf("message of %d bytes, transient %v; want %d bytes, transient", len(e.Message), e.Transient, graphErrorBodyLimit)
	}
}
