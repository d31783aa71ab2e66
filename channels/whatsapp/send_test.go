package whatsapp_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
)

// graphServer is a fake Graph API at {URL}/v23.0 that hands each request to
// handle after checking the bearer token.
func graphServer(t *testing.T, handle http.HandlerFunc) (channels.Account, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer token-1" {
			t.Errorf("%s %s: Authorization = %q", r.Method, r.URL, got)
		}
		handle(w, r)
	}))
	t.Cleanup(srv.Close)
	a := acct
	a.APIBase = srv.URL + "/v23.0"
	return a, srv
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

const acceptedBody = `{"messaging_product":"whatsapp","contacts":[{"input":"15552223333","wa_id":"15552223333"}],"messages":[{"id":"wamid.SENT1","message_status":"accepted"}]}`

func TestSendBodies(t *testing.T) {
	tests := []struct {
		name string
		msg  channels.Outgoing
		want string // the JSON body Meta expects
	}{
		{"text reply",
			channels.Outgoing{To: "15552223333", Kind: channels.KindText, Text: "Hello https://example.com", ReplyTo: "wamid.Q"},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15552223333","type":"text",
			  "text":{"body":"Hello https://example.com","preview_url":false},"context":{"message_id":"wamid.Q"}}`},
		{"image by link with caption",
			channels.Outgoing{To: "15552223333", Kind: channels.KindImage, Text: "look",
				Media: &channels.OutMedia{Link: "https://files.example/a.jpg", MIME: "image/jpeg"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15552223333","type":"image",
			  "image":{"link":"https://files.example/a.jpg","caption":"look"}}`},
		{"video by id, id wins over link",
			channels.Outgoing{To: "15552223333", Kind: channels.KindVideo,
				Media: &channels.OutMedia{ID: "m-1", Link: "https://files.example/v.mp4"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15552223333","type":"video",
			  "video":{"id":"m-1"}}`},
		{"document with file name and caption",
			channels.Outgoing{To: "15552223333", Kind: channels.KindDocument, Text: "the invoice",
				Media: &channels.OutMedia{ID: "m-2", FileName: "invoice.pdf", MIME: "application/pdf"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15552223333","type":"document",
			  "document":{"id":"m-2","filename":"invoice.pdf","caption":"the invoice"}}`},
		{"audio",
			channels.Outgoing{To: "15552223333", Kind: channels.KindAudio, Media: &channels.OutMedia{ID: "m-3", MIME: "audio/mpeg"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15552223333","type":"audio","audio":{"id":"m-3"}}`},
		{"voice goes as audio",
			channels.Outgoing{To: "15552223333", Kind: channels.KindVoice, ReplyTo: "wamid.Q",
				Media: &channels.OutMedia{ID: "m-4", MIME: "audio/ogg; codecs=opus"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15552223333","type":"audio",
			  "audio":{"id":"m-4"},"context":{"message_id":"wamid.Q"}}`},
		{"sticker",
			channels.Outgoing{To: "15552223333", Kind: channels.KindSticker, Media: &channels.OutMedia{ID: "m-5", MIME: "image/webp"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15552223333","type":"sticker","sticker":{"id":"m-5"}}`},
		{"template with parameters",
			channels.Outgoing{To: "15552223333", Kind: channels.KindTemplate,
				Template: &channels.OutTemplate{Name: "order_update", Language: "en_US", Params: []string{"42", "Friday"}}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15552223333","type":"template",
			  "template":{"name":"order_update","language":{"code":"en_US"},
			    "components":[{"type":"body","parameters":[{"type":"text","text":"42"},{"type":"text","text":"Friday"}]}]}}`},
		{"template without parameters",
			channels.Outgoing{To: "15552223333", Kind: channels.KindTemplate,
				Template: &channels.OutTemplate{Name: "hello_world", Language: "ru"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15552223333","type":"template",
			  "template":{"name":"hello_world","language":{"code":"ru"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v23.0/1122334455667/messages" {
					t.Errorf("request %s %s", r.Method, r.URL.Path)
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
				assertJSON(t, r.Body, tt.want)
				writeJSON(w, 200, acceptedBody)
			})
			id, err := (&whatsapp.Transport{}).Send(context.Background(), a, tt.msg)
			if err != nil || id != "wamid.SENT1" {
				t.Fatalf("Send = %q, %v", id, err)
			}
		})
	}
}

func assertJSON(t *testing.T, body io.Reader, want string) {
	t.Helper()
	var got, exp any
	if err := json.NewDecoder(body).Decode(&got); err != nil {
		t.Fatalf("request body: %v", err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("want: %v", err)
	}
	if !reflect.DeepEqual(got, exp) {
		g, _ := json.Marshal(got)
		e, _ := json.Marshal(exp)
		t.Errorf("body\n got: %s\nwant: %s", g, e)
	}
}

func graphErrorBody(code int, msg string, transient bool) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": msg, "type": "OAuthException", "code": code,
		"error_data": map[string]any{"messaging_product": "whatsapp", "details": "details of " + msg},
		"fbtrace_id": "Az8or", "is_transient": transient,
	}})
	return string(b)
}

// TestSendErrors checks the transient/permanent classification of Meta's
// answers: transient ones are retried by the outbox, permanent ones fail
// the message with a reason.
func TestSendErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		code      int
		transient bool
	}{
		{"24h window closed", 400, graphErrorBody(131047, "Re-engagement message", false), 131047, false},
		{"undeliverable", 400, graphErrorBody(131026, "Message undeliverable", false), 131026, false},
		{"spam rate limit", 400, graphErrorBody(131048, "Spam rate limit hit", false), 131048, false},
		{"token expired", 401, graphErrorBody(190, "Error validating access token", false), 190, false},
		{"no permission", 403, graphErrorBody(10, "Permission denied", false), 10, false},
		{"bad parameter", 400, graphErrorBody(100, "Invalid parameter", false), 100, false},
		{"unsupported type", 400, graphErrorBody(131051, "Unsupported message type", false), 131051, false},
		{"media upload error", 400, graphErrorBody(131053, "Media upload error", false), 131053, false},
		{"template missing", 404, graphErrorBody(132001, "Template name does not exist", false), 132001, false},
		{"policy block", 400, graphErrorBody(368, "Temporarily blocked", false), 368, false},
		{"throughput", 400, graphErrorBody(130429, "Rate limit hit", false), 130429, true},
		{"pair rate limit", 400, graphErrorBody(131056, "Pair rate limit hit", false), 131056, true},
		{"app rate limit", 400, graphErrorBody(4, "Application request limit reached", false), 4, true},
		{"WABA rate limit", 400, graphErrorBody(80007, "Rate limit issues", false), 80007, true},
		{"generic internal", 500, graphErrorBody(131000, "Something went wrong", false), 131000, true},
		{"temporary", 400, graphErrorBody(2, "Service temporarily unavailable", false), 2, true},
		{"is_transient flag", 400, graphErrorBody(1234, "Something new", true), 1234, true},
		{"5xx with unknown code", 503, graphErrorBody(999, "Busy", false), 999, true},
		{"5xx html", 502, "<html>Bad Gateway</html>", 0, true},
		{"empty 500", 500, "", 0, true},
		{"4xx not json", 400, "nope", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tt.status, tt.body) })
			_, err := (&whatsapp.Transport{}).Send(context.Background(), a, textTo("hi"))
			var se *channels.SendError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *channels.SendError", err)
			}
			if se.HTTPStatus != tt.status || se.Code != tt.code || se.Transient != tt.transient || se.Message == "" {
				t.Fatalf("SendError = %+v; want status %d code %d transient %v", se, tt.status, tt.code, tt.transient)
			}
			if !strings.HasPrefix(err.Error(), "whatsapp: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
	t.Run("details are kept", func(t *testing.T) {
		a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, graphErrorBody(131047, "Re-engagement message", false))
		})
		_, err := (&whatsapp.Transport{}).Send(context.Background(), a, textTo("hi"))
		if !strings.Contains(err.Error(), "details of Re-engagement message") {
			t.Errorf("error %q lacks error_data.details", err)
		}
	})
}

func textTo(text string) channels.Outgoing {
	return channels.Outgoing{To: "15552223333", Kind: channels.KindText, Text: text}
}

func TestSendNetworkFailures(t *testing.T) {
	t.Run("connection refused is transient", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		a := acct
		a.APIBase = srv.URL
		srv.Close()
		_, err := (&whatsapp.Transport{}).Send(context.Background(), a, textTo("hi"))
		var se *channels.SendError
		if !errors.As(err, &se) || !se.Transient {
			t.Fatalf("err = %v, want a transient SendError", err)
		}
	})
	t.Run("timeout is transient", func(t *testing.T) {
		a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(200 * time.Millisecond)
			writeJSON(w, 200, acceptedBody)
		})
		tr := &whatsapp.Transport{HTTP: &http.Client{Timeout: 20 * time.Millisecond}}
		_, err := tr.Send(context.Background(), a, textTo("hi"))
		var se *channels.SendError
		if !errors.As(err, &se) || !se.Transient {
			t.Fatalf("err = %v, want a transient SendError", err)
		}
	})
	t.Run("cancelled by the caller is not a provider error", func(t *testing.T) {
		a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, acceptedBody) })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := (&whatsapp.Transport{}).Send(ctx, a, textTo("hi"))
		var se *channels.SendError
		if !errors.Is(err, context.Canceled) || errors.As(err, &se) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("answer without id", func(t *testing.T) {
		a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, `{"messaging_product":"whatsapp","messages":[]}`)
		})
		_, err := (&whatsapp.Transport{}).Send(context.Background(), a, textTo("hi"))
		var se *channels.SendError
		if !errors.As(err, &se) || se.Transient {
			t.Fatalf("err = %v, want a permanent SendError", err)
		}
	})
}

// A message over WhatsApp's limits never reaches Meta.
func TestSendRefusesOverLimit(t *testing.T) {
	a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
		t.Error("request sent for a message over the limit")
	})
	_, err := (&whatsapp.Transport{}).Send(context.Background(), a, textTo(strings.Repeat("я", 4097)))
	var le *channels.LimitError
	if !errors.As(err, &le) || le.What != channels.LimitText {
		t.Fatalf("err = %v, want a text LimitError", err)
	}
}

func TestIsTransient(t *testing.T) {
	for code, want := range map[int]bool{
		2: true, 4: true, 80007: true, 130429: true, 131000: true, 131056: true,
		0: false, 10: false, 100: false, 190: false, 368: false, 131026: false, 131047: false,
		131048: false, 131051: false, 131053: false, 132000: false, 132015: false,
	} {
		if got := whatsapp.IsTransient(code); got != want {
			t.Errorf("IsTransient(%d) = %v, want %v", code, got, want)
		}
	}
}
