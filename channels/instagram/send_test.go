package instagram_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"switchboard/channels"
	"switchboard/channels/instagram"
)

const sentBody = `{"recipient_id":"6000000000000001","message_id":"aWdfZAG1faXRlbTo5"}`

func TestSendBodies(t *testing.T) {
	tests := []struct {
		name       string
		humanAgent bool
		msg        channels.Outgoing
		want       string
	}{
		{"text", false, channels.Outgoing{To: clientID, Kind: channels.KindText, Text: "Hi"},
			`{"recipient":{"id":"6000000000000001"},"message":{"text":"Hi"}}`},
		{"text with human agent tag", true, channels.Outgoing{To: clientID, Kind: channels.KindText, Text: "Hi"},
			`{"recipient":{"id":"6000000000000001"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":"Hi"}}`},
		{"reply", false, channels.Outgoing{To: clientID, Kind: channels.KindText, Text: "yes", ReplyTo: "mid.q"},
			`{"recipient":{"id":"6000000000000001"},"reply_to":{"mid":"mid.q"},"message":{"text":"yes"}}`},
		{"image by link", false, channels.Outgoing{To: clientID, Kind: channels.KindImage,
			Media: &channels.OutMedia{Link: "https://files.example/a.png", MIME: "image/png"}},
			`{"recipient":{"id":"6000000000000001"},"message":{"attachment":{"type":"image","payload":{"url":"https://files.example/a.png"}}}}`},
		{"video", false, channels.Outgoing{To: clientID, Kind: channels.KindVideo, Media: &channels.OutMedia{Link: "https://f/v.mp4"}},
			`{"recipient":{"id":"6000000000000001"},"message":{"attachment":{"type":"video","payload":{"url":"https://f/v.mp4"}}}}`},
		{"voice goes as audio", false, channels.Outgoing{To: clientID, Kind: channels.KindVoice, Media: &channels.OutMedia{Link: "https://f/v.m4a"}},
			`{"recipient":{"id":"6000000000000001"},"message":{"attachment":{"type":"audio","payload":{"url":"https://f/v.m4a"}}}}`},
		{"document goes as file", true, channels.Outgoing{To: clientID, Kind: channels.KindDocument,
			Media: &channels.OutMedia{Link: "https://f/a.pdf", MIME: "application/pdf", FileName: "a.pdf"}},
			`{"recipient":{"id":"6000000000000001"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT",
			  "message":{"attachment":{"type":"file","payload":{"url":"https://f/a.pdf"}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v23.0/17841400000000001/messages" {
					t.Errorf("request %s %s", r.Method, r.URL.Path)
				}
				if got := r.Header.Get("Authorization"); got != "Bearer ig-token" {
					t.Errorf("Authorization = %q", got)
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
				assertJSON(t, r.Body, tt.want)
				writeJSON(w, 200, sentBody)
			})
			id, err := (&instagram.Transport{HumanAgent: tt.humanAgent}).Send(context.Background(), a, tt.msg)
			if err != nil || id != "aWdfZAG1faXRlbTo5" {
				t.Fatalf("Send = %q, %v", id, err)
			}
		})
	}
}

func assertJSON(t *testing.T, body io.Reader, want string) {
	t.Helper()
	var got, exp any
	if err := json.NewDecoder(body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, exp) {
		g, _ := json.Marshal(got)
		e, _ := json.Marshal(exp)
		t.Errorf("body\n got: %s\nwant: %s", g, e)
	}
}

func graphErrorBody(code, subcode int, msg string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": msg, "type": "OAuthException", "code": code, "error_subcode": subcode, "fbtrace_id": "A1",
	}})
	return string(b)
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		body          string
		code, subcode int
		transient     bool
	}{
		{"window closed", 400, graphErrorBody(10, 2534022, "This message is sent outside of allowed window."), 10, 2534022, false},
		{"user unavailable", 400, graphErrorBody(551, 1545041, "This person isn't available right now."), 551, 1545041, false},
		{"no such user", 400, graphErrorBody(100, 2018001, "No matching user found"), 100, 2018001, false},
		{"token expired", 401, graphErrorBody(190, 463, "Error validating access token"), 190, 463, false},
		{"permission", 403, graphErrorBody(200, 0, "Permissions error"), 200, 0, false},
		{"app rate limit", 400, graphErrorBody(4, 0, "Application request limit reached"), 4, 0, true},
		{"page rate limit", 400, graphErrorBody(32, 0, "Page request limit reached"), 32, 0, true},
		{"hourly limit", 400, graphErrorBody(613, 0, "Calls to this api have exceeded the rate limit."), 613, 0, true},
		{"temporary send failure", 400, graphErrorBody(1200, 0, "Temporary send message failure"), 1200, 0, true},
		{"5xx", 500, graphErrorBody(2, 0, "An unexpected error has occurred"), 2, 0, true},
		{"gateway html", 502, "<html>bad gateway</html>", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tt.status, tt.body) })
			_, err := (&instagram.Transport{}).Send(context.Background(), a,
				channels.Outgoing{To: clientID, Kind: channels.KindText, Text: "hi"})
			var se *channels.SendError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *channels.SendError", err)
			}
			if se.HTTPStatus != tt.status || se.Code != tt.code || se.Subcode != tt.subcode || se.Transient != tt.transient {
				t.Fatalf("SendError = %+v; want status %d code %d/%d transient %v", se, tt.status, tt.code, tt.subcode, tt.transient)
			}
			if !strings.HasPrefix(err.Error(), "instagram: send text: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
	t.Run("network failure is transient", func(t *testing.T) {
		a, srv := graphServer(t, func(w http.ResponseWriter, r *http.Request) {})
		srv.Close()
		_, err := (&instagram.Transport{}).Send(context.Background(), a, channels.Outgoing{To: clientID, Kind: channels.KindText, Text: "hi"})
		var se *channels.SendError
		if !errors.As(err, &se) || !se.Transient {
			t.Fatalf("err = %v, want a transient SendError", err)
		}
	})
	t.Run("answer without message id", func(t *testing.T) {
		a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, `{"recipient_id":"1"}`) })
		_, err := (&instagram.Transport{}).Send(context.Background(), a, channels.Outgoing{To: clientID, Kind: channels.KindText, Text: "hi"})
		var se *channels.SendError
		if !errors.As(err, &se) || se.Transient {
			t.Fatalf("err = %v, want a permanent SendError", err)
		}
	})
}

func TestSendRefusesWhatInstagramCannotCarry(t *testing.T) {
	a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) { t.Error("request sent") })
	for name, msg := range map[string]channels.Outgoing{
		"text over 1000 bytes": {To: clientID, Kind: channels.KindText, Text: strings.Repeat("ж", 501)},
		"media by id":          {To: clientID, Kind: channels.KindImage, Media: &channels.OutMedia{ID: "m"}},
		"template":             {To: clientID, Kind: channels.KindTemplate, Template: &channels.OutTemplate{Name: "x", Language: "en"}},
		"sticker":              {To: clientID, Kind: channels.KindSticker, Media: &channels.OutMedia{Link: "https://f/s.webp"}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := (&instagram.Transport{}).Send(context.Background(), a, msg); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}

func TestIsTransient(t *testing.T) {
	for code, want := range map[int]bool{1: true, 2: true, 4: true, 17: true, 32: true, 613: true, 1200: true,
		10: false, 100: false, 190: false, 200: false, 551: false} {
		if instagram.IsTransient(code) != want {
			t.Errorf("IsTransient(%d) != %v", code, want)
		}
	}
}

func TestReason(t *testing.T) {
	tr := &instagram.Transport{}
	tests := []struct {
		code, subcode int
		want          channels.Reason
	}{
		{10, 2534022, channels.ReasonWindowClosed},
		{10, 2018278, channels.ReasonWindowClosed},
		{10, 0, channels.ReasonNoPermission},
		{100, 2534014, channels.ReasonRecipientBlocked},
		{551, 0, channels.ReasonRecipientUnavailable},
		{613, 0, channels.ReasonAccountRateLimited},
		{424242, 0, channels.ReasonUnknown},
	}
	for _, tt := range tests {
		if got := tr.Reason(tt.code, tt.subcode); got != tt.want {
			t.Errorf("Reason(%d, %d) = %q, want %q", tt.code, tt.subcode, got, tt.want)
		}
	}
	for _, code := range []int{1, 2, 4, 10, 17, 32, 100, 190, 200, 551, 613, 1200} {
		if tr.Reason(code, 0) == channels.ReasonUnknown {
			t.Errorf("code %d lacks a reason", code)
		}
	}
}
