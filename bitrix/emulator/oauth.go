package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// codeTTL is how long an authorization code lives.
const codeTTL = 30 * time.Second

type authCode struct {
	userID  int
	expires time.Time
}

func oauthErr(status int, code, desc string) *apiError { return newErr(status, code, desc) }

// serveToken is the OAuth server's /oauth/token/: refresh_token (rotating)
// and authorization_code grants, by GET or POST.
func (p *Portal) serveToken(w http.ResponseWriter, r *http.Request) {
	params := requestParams(r)
	p.mu.Lock()
	defer p.mu.Unlock()
	grant := params.str("grant_type")
	if grant == "" {
		p.writeError(w, oauthErr(http.StatusBadRequest, "invalid_request", "grant_type is required"))
		return
	}
	if params.str("client_id") != p.cfg.ClientID || params.str("client_secret") != p.cfg.ClientSecret || p.uninstalled {
		p.stats.reject("invalid_client")
		p.writeError(w, oauthErr(http.StatusUnauthorized, "invalid_client", "Invalid client credentials"))
		return
	}
	var userID int
	switch grant {
	case "refresh_token":
		rt, ok := p.refresh[params.str("refresh_token")]
		if !ok || !p.now().Before(rt.expires) {
			p.stats.reject("invalid_grant")
			p.writeError(w, oauthErr(http.StatusBadRequest, "invalid_grant", "Invalid refresh token"))
			return
		}
		// The refresh token rotates: the one just used is gone.
		delete(p.refresh, rt.value)
		userID = rt.userID
	case "authorization_code":
		code := params.str("code")
		ac, ok := p.codes[code]
		delete(p.codes, code)
		if !ok || !p.now().Before(ac.expires) {
			p.stats.reject("invalid_grant")
			p.writeError(w, oauthErr(http.StatusBadRequest, "invalid_grant", "Invalid authorization code"))
			return
		}
		userID = ac.userID
	default:
		p.writeError(w, oauthErr(http.StatusBadRequest, "invalid_request", "Unsupported grant_type"))
		return
	}
	a, rt := p.issueLocked(userID)
	p.stats.oauthGrant()
	oauthHost := strings.TrimPrefix(strings.TrimPrefix(p.cfg.OAuthBase, "https://"), "http://")
	body := newObj().
		set("access_token", a.value).
		set("client_endpoint", p.ClientEndpoint()).
		set("domain", oauthHost).
		set("expires", a.expires.Unix()).
		set("expires_in", int(p.cfg.AccessTTL.Seconds())).
		set("member_id", p.cfg.MemberID).
		set("refresh_token", rt.value).
		set("scope", p.scopeString()).
		set("server_endpoint", p.ServerEndpoint()).
		set("status", p.cfg.Status).
		set("user_id", userID)
	writeJSONResponse(w, http.StatusOK, body)
}

// serveAuthorize is step 1 of the authorization code flow: the signed-in
// portal user is sent to the app's redirect URL with a 30-second code.
func (p *Portal) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	user := p.sessionUser(r)
	if user == nil {
		http.Redirect(w, r, "/?back="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
		return
	}
	q := r.URL.Query()
	if q.Get("client_id") != p.cfg.ClientID {
		http.Error(w, "emulator: unknown client_id", http.StatusBadRequest)
		return
	}
	target := p.cfg.AppHandlers.OAuthRedirect
	if target == "" {
		target = p.cfg.AppHandlers.App
	}
	if target == "" {
		http.Error(w, "emulator: the app has no redirect URL", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	code := p.randomHex(16)
	p.codes[code] = &authCode{userID: user.ID, expires: p.now().Add(codeTTL)}
	p.mu.Unlock()
	oauthHost := strings.TrimPrefix(strings.TrimPrefix(p.cfg.OAuthBase, "https://"), "http://")
	v := url.Values{}
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	v.Set("domain", p.cfg.Domain)
	v.Set("member_id", p.cfg.MemberID)
	v.Set("scope", p.scopeString())
	v.Set("server_domain", oauthHost)
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	http.Redirect(w, r, target+sep+v.Encode(), http.StatusFound)
}
