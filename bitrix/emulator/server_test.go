package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAuthErrors(t *testing.T) {
	tp := newTestPortal(t)
	t.Run("missing token", func(t *testing.T) {
		expectError(t, tp.get("/rest/user.current"), 401, "NO_AUTH_FOUND", "Wrong authorization data")
	})
	t.Run("unknown token", func(t *testing.T) {
		expectError(t, tp.get("/rest/user.current?auth=nope"), 401, "invalid_token", "")
	})
	t.Run("expired token", func(t *testing.T) {
		access, _ := tp.IssueToken(2)
		tp.clock.Advance(time.Hour)
		expectError(t, tp.get("/rest/user.current?auth="+access), 401, "expired_token", "The access token provided has expired")
	})
	t.Run("broken JSON body is no params", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, tp.srv.URL+"/rest/user.current", strings.NewReader(`{"auth":`))
		req.Header.Set("Content-Type", "application/json")
		expectError(t, tp.do(req), 401, "NO_AUTH_FOUND", "")
	})
}

func TestTokenTransports(t *testing.T) {
	tp := newTestPortal(t)
	access, _ := tp.IssueToken(2)
	cases := map[string]*http.Request{}
	r, _ := http.NewRequest(http.MethodGet, tp.srv.URL+"/rest/user.current.json?auth="+access, nil)
	cases["auth query, .json suffix"] = r
	r, _ = http.NewRequest(http.MethodGet, tp.srv.URL+"/rest/USER.Current?access_token="+access, nil)
	cases["access_token, mixed case"] = r
	r, _ = http.NewRequest(http.MethodPost, tp.srv.URL+"/rest/user.current", nil)
	r.Header.Set("Authorization", "Bearer "+access)
	cases["bearer"] = r
	r, _ = http.NewRequest(http.MethodPost, tp.srv.URL+"/rest/user.current", strings.NewReader(`{"auth":"`+access+`"}`))
	r.Header.Set("Content-Type", "application/json")
	cases["json body"] = r
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			a := tp.do(req)
			expectOK(t, a)
			if got := a.resultMap()["ID"]; got != "2" {
				t.Fatalf("ID = %v, want \"2\"", got)
			}
			if h := a.status; h != 200 {
				t.Fatal(h)
			}
		})
	}
}

func TestResponseHeaders(t *testing.T) {
	tp := newTestPortal(t)
	resp, err := http.Get(tp.srv.URL + "/rest/profile?auth=" + tp.token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatal("no CORS header")
	}
}

func TestMethodNotFound(t *testing.T) {
	tp := newTestPortal(t)
	expectError(t, tp.form("crm.nothing.get", nil), 404, "ERROR_METHOD_NOT_FOUND", "Method not found!")
	tp400 := newTestPortal(t, func(c *Config) { c.MethodNotFoundStatus = 400 })
	expectError(t, tp400.form("crm.nothing.get", nil), 400, "ERROR_METHOD_NOT_FOUND", "Method not found!")
}

func TestInsufficientScope(t *testing.T) {
	for _, status := range []int{401, 403} {
		tp := newTestPortal(t, func(c *Config) { c.Scopes = []string{"user"}; c.InsufficientScopeStatus = status })
		expectError(t, tp.form("crm.lead.list", nil), status, "insufficient_scope", "The request requires higher privileges than provided by the access token")
		expectOK(t, tp.form("user.current", nil))
	}
	tp := newTestPortal(t, func(c *Config) { c.Scopes = []string{"user"} })
	expectError(t, tp.form("crm.lead.list", nil), 401, "insufficient_scope", "")
}

func TestPHPBracketParams(t *testing.T) {
	tp := newTestPortal(t)
	v := url.Values{}
	v.Set("fields[NAME]", "Ivan")
	v.Set("fields[PHONE][0][VALUE]", "+7 999 123-45-67")
	v.Set("fields[PHONE][0][VALUE_TYPE]", "MOBILE")
	v.Add("fields[EMAIL][][VALUE]", "ivan@example.com")
	a := tp.form("crm.contact.add", v)
	expectOK(t, a)
	got := tp.form("crm.contact.get", url.Values{"id": {str(a.result())}}).resultMap()
	if got["NAME"] != "Ivan" {
		t.Fatalf("NAME %v", got["NAME"])
	}
	phones := got["PHONE"].([]any)
	if len(phones) != 1 || phones[0].(map[string]any)["VALUE"] != "+7 999 123-45-67" || phones[0].(map[string]any)["VALUE_TYPE"] != "MOBILE" {
		t.Fatalf("PHONE %v", got["PHONE"])
	}
	if emails := got["EMAIL"].([]any); emails[0].(map[string]any)["VALUE"] != "ivan@example.com" {
		t.Fatalf("EMAIL %v", got["EMAIL"])
	}
}

func TestPOSTOverridesQuery(t *testing.T) {
	tp := newTestPortal(t)
	req, _ := http.NewRequest(http.MethodPost, tp.srv.URL+"/rest/user.current?auth=bad", strings.NewReader("auth="+tp.token))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	expectOK(t, tp.do(req))
}

func TestMultipartParams(t *testing.T) {
	tp := newTestPortal(t)
	var b strings.Builder
	b.WriteString("--X\r\nContent-Disposition: form-data; name=\"auth\"\r\n\r\n" + tp.token + "\r\n")
	b.WriteString("--X\r\nContent-Disposition: form-data; name=\"fields[TITLE]\"\r\n\r\nFrom multipart\r\n--X--\r\n")
	req, _ := http.NewRequest(http.MethodPost, tp.srv.URL+"/rest/crm.lead.add", strings.NewReader(b.String()))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=X")
	a := tp.do(req)
	expectOK(t, a)
	lead := tp.form("crm.lead.get", url.Values{"id": {str(a.result())}}).resultMap()
	if lead["TITLE"] != "From multipart" {
		t.Fatalf("TITLE %v", lead["TITLE"])
	}
}

func TestWebhookAuth(t *testing.T) {
	tp := newTestPortal(t)
	secret := tp.AddWebhook(2)
	a := tp.get("/rest/2/" + secret + "/user.current.json")
	expectOK(t, a)
	if a.resultMap()["ID"] != "2" {
		t.Fatal(a.raw)
	}
	expectError(t, tp.get("/rest/2/wrong/user.current"), 401, "INVALID_CREDENTIALS", "Invalid request credentials")
	expectError(t, tp.get("/rest/2/"+secret+"/placement.bind?PLACEMENT=LEFT_MENU&HANDLER=http://x"), 403, "WRONG_AUTH_TYPE", "")
	info := tp.get("/rest/2/" + secret + "/app.info").resultMap()
	if _, ok := info["SCOPE"]; !ok {
		t.Fatalf("webhook app.info: %v", info)
	}
}
