package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"switchboard/inbox"
	"switchboard/views"
)

// Session keys.
const (
	sessPortal = "portal"
	sessUser   = "user"
	sessLang   = "lang"
)

// tokenTTL bounds a page token from the moment Bitrix24 opened the page; it
// is never extended, so a copied link or a page left open longer stops
// working, and the page opens again from Bitrix24 (which checks the user
// anew).
const tokenTTL = 8 * time.Hour

// tokenHeader carries the page token on htmx requests.
const tokenHeader = "X-Switchboard-Token"

// viewer is the signed-in manager of a request.
type viewer struct {
	inbox.Viewer
	Lang  string
	Token string // the page token to carry in pages rendered for this viewer
}

type viewerKey struct{}

func withViewer(ctx context.Context, v viewer) context.Context {
	ctx = views.WithToken(context.WithValue(ctx, viewerKey{}, v), v.Token)
	return views.WithLang(ctx, v.Lang)
}

func viewerOf(ctx context.Context) viewer {
	v, _ := ctx.Value(viewerKey{}).(viewer)
	return v
}

// signToken makes a page token: portal, user, language and expiry, signed.
func (s *Server) signToken(v inbox.Viewer, lang string, exp time.Time) string {
	payload := fmt.Sprintf("%d.%d.%s.%d", v.PortalID, v.UserID, views.Lang(lang), exp.Unix())
	mac := hmac.New(sha256.New, s.cfg.Secret)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

var errBadToken = errors.New("handlers: bad or expired page token")

// parseToken checks a page token and returns who it names.
func (s *Server) parseToken(token string, now time.Time) (portalID, userID int64, lang string, err error) {
	p64, sig64, ok := strings.Cut(token, ".")
	if !ok {
		return 0, 0, "", errBadToken
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	sig, err2 := base64.RawURLEncoding.DecodeString(sig64)
	if err1 != nil || err2 != nil {
		return 0, 0, "", errBadToken
	}
	mac := hmac.New(sha256.New, s.cfg.Secret)
	mac.Write(payload)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return 0, 0, "", errBadToken
	}
	parts := strings.Split(string(payload), ".")
	if len(parts) != 4 {
		return 0, 0, "", errBadToken
	}
	portalID, err1 = strconv.ParseInt(parts[0], 10, 64)
	userID, err2 = strconv.ParseInt(parts[1], 10, 64)
	exp, err3 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || now.Unix() > exp {
		return 0, 0, "", errBadToken
	}
	return portalID, userID, parts[2], nil
}

// startSession signs the viewer in: a session cookie where the browser keeps
// it, and a page token for where it does not (a portal's iframe).
func (s *Server) startSession(ctx context.Context, v inbox.Viewer, lang string) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("handlers: unable to renew the session: %w", err)
	}
	s.sessions.Put(ctx, sessPortal, v.PortalID)
	s.sessions.Put(ctx, sessUser, v.UserID)
	s.sessions.Put(ctx, sessLang, views.Lang(lang))
	return nil
}

// requireViewer lets through requests of a signed-in, enabled user, from the
// page token (header or ?st=) or else the session cookie.
func (s *Server) requireViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		portalID, userID, lang, token, err := s.credentials(r)
		if err != nil {
			s.unauthorized(w, r)
			return
		}
		iv, err := s.inbox.Authorize(ctx, portalID, userID)
		if errors.Is(err, inbox.ErrNoAccess) {
			s.unauthorized(w, r)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if token == "" { // a cookie session: its pages get a token of their own
			token = s.signToken(iv, lang, time.Now().Add(tokenTTL))
		}
		v := viewer{Viewer: iv, Lang: views.Lang(lang), Token: token}
		if iv.PortalURL != "" {
			s.allowFraming(w, iv.PortalURL)
		}
		next.ServeHTTP(w, r.WithContext(withViewer(ctx, v)))
	})
}

// credentials reads who is asking. A state-changing request must carry the
// page token in its header: a cookie alone, which another site can make the
// browser send, is not enough.
func (s *Server) credentials(r *http.Request) (portalID, userID int64, lang, token string, err error) {
	token = r.Header.Get(tokenHeader)
	if token == "" && r.Method != http.MethodGet && r.Method != http.MethodHead {
		return 0, 0, "", "", errBadToken
	}
	if token == "" {
		token = r.URL.Query().Get("st")
	}
	if token != "" {
		portalID, userID, lang, err = s.parseToken(token, time.Now())
		return portalID, userID, lang, token, err
	}
	ctx := r.Context()
	portalID, userID = s.sessions.GetInt64(ctx, sessPortal), s.sessions.GetInt64(ctx, sessUser)
	if portalID == 0 || userID == 0 {
		return 0, 0, "", "", errBadToken
	}
	return portalID, userID, s.sessions.GetString(ctx, sessLang), "", nil
}

// unauthorized answers a request without a valid session: the app opens
// from Bitrix24, so that is where the visitor is sent.
func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request) {
	if s.cfg.PortalURL != "" && r.Method == http.MethodGet && !isHTMX(r) && r.URL.Path != "/events" {
		http.Redirect(w, r, s.cfg.PortalURL, http.StatusSeeOther)
		return
	}
	s.failWith(w, r, http.StatusUnauthorized, views.T(r.Context(), "error.signin"))
}

// language picks the UI language of pages outside a session: ?LANG= (as
// Bitrix24 passes it), the session's, or the browser's.
func (s *Server) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := r.URL.Query().Get("LANG")
		if lang == "" {
			lang = s.sessions.GetString(r.Context(), sessLang)
		}
		if lang == "" && strings.HasPrefix(r.Header.Get("Accept-Language"), "ru") {
			lang = "ru"
		}
		next.ServeHTTP(w, r.WithContext(views.WithLang(r.Context(), lang)))
	})
}
