package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// allScopes are the scopes the emulator knows, granted by default.
var allScopes = []string{"crm", "placement", "user", "user_brief", "user_basic", "im", "imbot", "imconnector", "imopenlines", "disk", "department"}

type tokenKind int

const (
	kindApp     tokenKind = iota // OAuth token of the app (placement POSTs, events, refresh)
	kindWebhook                  // incoming webhook: no application context
	kindSession                  // a portal session: no application context
)

type accessToken struct {
	value   string
	userID  int
	kind    tokenKind
	issued  time.Time
	expires time.Time
}

type refreshToken struct {
	value   string
	userID  int
	expires time.Time
}

// IssueToken gives a user a fresh app access/refresh token pair, as a
// placement POST or an event carries.
func (p *Portal) IssueToken(userID int) (access, refresh string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	a, r := p.issueLocked(userID)
	return a.value, r.value
}

func (p *Portal) issueLocked(userID int) (*accessToken, *refreshToken) {
	now := p.now()
	a := &accessToken{value: p.randomHex(35), userID: userID, kind: kindApp, issued: now, expires: now.Add(p.cfg.AccessTTL)}
	r := &refreshToken{value: p.randomHex(35), userID: userID, expires: now.Add(p.cfg.RefreshTTL)}
	p.tokens[a.value] = a
	p.refresh[r.value] = r
	return a, r
}

// IssueSessionToken gives a user a token without application context (the
// portal's own session auth): app-only methods answer WRONG_AUTH_TYPE and
// app.info answers ACCESS_DENIED.
func (p *Portal) IssueSessionToken(userID int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	t := &accessToken{value: p.randomHex(35), userID: userID, kind: kindSession, issued: now, expires: now.Add(p.cfg.AccessTTL)}
	p.tokens[t.value] = t
	return t.value
}

// AddWebhook creates an incoming webhook for a user and returns its secret:
// call /rest/{userID}/{secret}/{method}.
func (p *Portal) AddWebhook(userID int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	secret := p.randomHex(8)
	p.webhooks[secret] = userID
	return secret
}

// ExpireTokens makes every access token issued so far expired (refresh
// tokens stay valid).
func (p *Portal) ExpireTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for _, t := range p.tokens {
		t.expires = now
	}
}

// authRequest finds and checks the token of a REST request; p.mu held.
func (p *Portal) authRequest(r *http.Request, params *obj) (*accessToken, *apiError) {
	if secret := chi.URLParam(r, "secret"); secret != "" {
		uid, err := strconv.Atoi(chi.URLParam(r, "uid"))
		owner, ok := p.webhooks[secret]
		if err != nil || !ok || owner != uid {
			return nil, errBadWebhook
		}
		return p.checkUser(&accessToken{userID: uid, kind: kindWebhook, expires: p.now().Add(time.Hour)})
	}
	value := params.str("auth")
	if value == "" {
		value = params.str("access_token")
	}
	if value == "" {
		if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			value = strings.TrimSpace(h[7:])
		}
	}
	return p.checkToken(value)
}

// checkToken validates an access token value; p.mu held.
func (p *Portal) checkToken(value string) (*accessToken, *apiError) {
	if value == "" {
		return nil, errNoAuth
	}
	t, ok := p.tokens[value]
	if !ok {
		return nil, p.errInvalidToken()
	}
	if p.expired(t) {
		return nil, errExpiredToken
	}
	return p.checkUser(t)
}

func (p *Portal) checkUser(t *accessToken) (*accessToken, *apiError) {
	u, ok := p.users[t.userID]
	if !ok || u.Inactive {
		return nil, newErr(http.StatusUnauthorized, "authorization_error", "Unable to authorize user")
	}
	if t.kind == kindApp && !p.canUseAppLocked(u) {
		return nil, newErr(http.StatusForbidden, "user_access_error", "The user does not have access to the application.")
	}
	return t, nil
}

// SetAppAccess restricts the app to these users (the app's access rights
// in the portal); no ids means everybody. Others get no placements and
// their app tokens answer 403 user_access_error.
func (p *Portal) SetAppAccess(userIDs ...int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.appAccess = map[int]bool{}
	for _, id := range userIDs {
		p.appAccess[id] = true
	}
}

// canUseAppLocked: admins and bots always may; p.mu held.
func (p *Portal) canUseAppLocked(u *User) bool {
	return len(p.appAccess) == 0 || p.appAccess[u.ID] || u.Admin || u.bot
}

func (p *Portal) expired(t *accessToken) bool {
	now := p.now()
	if !now.Before(t.expires) {
		return true
	}
	if every := p.faults.ExpireTokensEvery; every > 0 && !p.faultAt.IsZero() {
		n := now.Sub(p.faultAt) / every
		boundary := p.faultAt.Add(n * every)
		if n > 0 && t.issued.Before(boundary) {
			return true
		}
	}
	return false
}

// hasScope reports whether the app was granted scope. Bots, webhooks and
// sessions share the app's grant in the emulator.
func (p *Portal) hasScope(_ *accessToken, scope string) bool {
	if scope == "user" {
		return slices.Contains(p.cfg.Scopes, "user") || slices.Contains(p.cfg.Scopes, "user_brief") || slices.Contains(p.cfg.Scopes, "user_basic")
	}
	return slices.Contains(p.cfg.Scopes, scope)
}

func (p *Portal) scopeString() string { return strings.Join(p.cfg.Scopes, ",") }

// authBlock is the auth[...] member of an event for a user (0: no user, as
// for robots: tokens are omitted).
func (p *Portal) authBlock(userID int, withRefresh bool) *obj {
	o := newObj()
	if userID > 0 {
		a, r := p.issueLocked(userID)
		o.set("access_token", a.value).
			set("expires", strconv.FormatInt(a.expires.Unix(), 10)).
			set("expires_in", strconv.Itoa(int(p.cfg.AccessTTL.Seconds())))
		o.set("scope", p.scopeString())
		o.set("domain", p.cfg.Domain).
			set("server_endpoint", p.ServerEndpoint()).
			set("status", p.cfg.Status).
			set("client_endpoint", p.ClientEndpoint()).
			set("member_id", p.cfg.MemberID).
			set("user_id", strconv.Itoa(userID))
		if withRefresh {
			o.set("refresh_token", r.value)
		}
		o.set("application_token", p.appToken)
		return o
	}
	return o.set("domain", p.cfg.Domain).
		set("server_endpoint", p.ServerEndpoint()).
		set("client_endpoint", p.ClientEndpoint()).
		set("member_id", p.cfg.MemberID).
		set("application_token", p.appToken)
}
