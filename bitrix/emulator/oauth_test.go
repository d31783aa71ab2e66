package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func (tp *testPortal) refreshGrant(refresh string, secret string) answer {
	tp.t.Helper()
	v := url.Values{"grant_type": {"refresh_token"}, "client_id": {tp.cfg.ClientID}, "client_secret": {secret}, "refresh_token": {refresh}}
	req, _ := http.NewRequest(http.MethodGet, tp.srv.URL+"/oauth/token/?"+v.Encode(), nil)
	return tp.do(req)
}

func TestRefreshRotates(t *testing.T) {
	tp := newTestPortal(t)
	access, refresh := tp.IssueToken(2)
	tp.clock.Advance(61 * time.Minute)
	expectError(t, tp.get("/rest/profile?auth="+access), 401, "expired_token", "The access token provided has expired")

	a := tp.refreshGrant(refresh, tp.cfg.ClientSecret)
	if a.status != 200 {
		t.Fatalf("refresh: %d %s", a.status, a.raw)
	}
	for _, k := range []string{"access_token", "client_endpoint", "domain", "expires", "expires_in", "member_id", "refresh_token", "scope", "server_endpoint", "status", "user_id"} {
		if _, ok := a.body[k]; !ok {
			t.Fatalf("token answer lacks %s: %s", k, a.raw)
		}
	}
	if a.body["user_id"] != float64(2) || a.body["expires_in"] != float64(3600) {
		t.Fatalf("user_id/expires_in: %s", a.raw)
	}
	if a.body["client_endpoint"] != tp.srv.URL+"/rest/" {
		t.Fatalf("client_endpoint %v", a.body["client_endpoint"])
	}
	if !strings.Contains(a.raw, `"client_endpoint":"http:\/\/`) {
		t.Fatalf("slashes are escaped as PHP does: %s", a.raw)
	}
	if a.body["refresh_token"] == refresh {
		t.Fatal("refresh token did not rotate")
	}
	newAccess := a.body["access_token"].(string)
	prof := tp.get("/rest/profile?auth=" + newAccess)
	expectOK(t, prof)
	if prof.resultMap()["ID"] != "2" {
		t.Fatal(prof.raw)
	}

	reuse := tp.refreshGrant(refresh, tp.cfg.ClientSecret)
	if reuse.status != 400 || reuse.body["error"] != "invalid_grant" {
		t.Fatalf("reuse: %d %s", reuse.status, reuse.raw)
	}
	// The rotated one works once.
	next := tp.refreshGrant(a.body["refresh_token"].(string), tp.cfg.ClientSecret)
	if next.status != 200 {
		t.Fatalf("rotated refresh: %d %s", next.status, next.raw)
	}
}

func TestRefreshBadClient(t *testing.T) {
	tp := newTestPortal(t)
	_, refresh := tp.IssueToken(1)
	a := tp.refreshGrant(refresh, "wrong")
	if a.status != 401 || a.body["error"] != "invalid_client" {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	// A refused request does not burn the token.
	if ok := tp.refreshGrant(refresh, tp.cfg.ClientSecret); ok.status != 200 {
		t.Fatalf("%d %s", ok.status, ok.raw)
	}
	if st := tp.Stats(); st.Rejected["invalid_client"] != 1 || st.OAuthGrants != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRefreshByPOST(t *testing.T) {
	tp := newTestPortal(t)
	_, refresh := tp.IssueToken(1)
	v := url.Values{"grant_type": {"refresh_token"}, "client_id": {tp.cfg.ClientID}, "client_secret": {tp.cfg.ClientSecret}, "refresh_token": {refresh}}
	resp, err := http.PostForm(tp.srv.URL+"/oauth/token/", v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
}

func TestExpireTokensFault(t *testing.T) {
	tp := newTestPortal(t)
	tp.SetFaults(Faults{ExpireTokensEvery: 10 * time.Minute})
	expectOK(t, tp.form("profile", nil))
	tp.clock.Advance(10 * time.Minute)
	expectError(t, tp.form("profile", nil), 401, "expired_token", "")
	fresh, _ := tp.IssueToken(1)
	expectOK(t, tp.form("profile", url.Values{"auth": {fresh}}))
}

func TestAuthorizationCode(t *testing.T) {
	tp := newTestPortal(t, func(c *Config) { c.AppHandlers.OAuthRedirect = "https://app.example.com/oauth" })
	tp.mu.Lock()
	tp.codes["c0de"] = &authCode{userID: 2, expires: tp.now().Add(codeTTL)}
	tp.mu.Unlock()
	v := url.Values{"grant_type": {"authorization_code"}, "client_id": {tp.cfg.ClientID}, "client_secret": {tp.cfg.ClientSecret}, "code": {"c0de"}}
	a := tp.get("/oauth/token/?" + v.Encode())
	if a.status != 200 || a.body["user_id"] != float64(2) {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	again := tp.get("/oauth/token/?" + v.Encode())
	if again.status != 400 || again.body["error"] != "invalid_grant" {
		t.Fatalf("code reuse: %d %s", again.status, again.raw)
	}
}
