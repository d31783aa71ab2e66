// Package handlers holds Switchboard's HTTP side: the chi router and its
// middleware, pages and htmx fragments, the live event stream, and the
// webhooks. Handlers read input, call one thing in inbox, and render; the
// rules live in inbox.
package handlers

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"switchboard/db"
	"switchboard/inbox"
	"switchboard/static"
)

// Config is what the HTTP side needs besides its collaborators.
type Config struct {
	// Secret signs the page tokens that stand in for the session cookie
	// inside a portal's iframe. At least 32 bytes.
	Secret []byte
	// SecureCookies marks cookies Secure; SameSite=None; Partitioned (HTTPS
	// deployments, where the app lives in a cross-site iframe).
	SecureCookies bool
	// DemoSignIn enables the temporary manager picker at /signin.
	DemoSignIn bool
	// DemoPortalID is the portal the picker signs into.
	DemoPortalID int64
}

// Server serves every route of the app.
type Server struct {
	cfg      Config
	inbox    *inbox.Inbox
	store    *db.Store
	hub      *inbox.Hub
	sessions *scs.SessionManager
	log      *slog.Logger
	done     chan struct{} // closed by Close: ends live streams
}

// New builds the server.
func New(cfg Config, in *inbox.Inbox, hub *inbox.Hub, log *slog.Logger) *Server {
	sessions := scs.New()
	sessions.Store = postgresstore.NewWithCleanupInterval(in.Store.DB.DB, 30*time.Minute)
	sessions.Lifetime = 12 * time.Hour
	sessions.Cookie.Name = "switchboard_session"
	sessions.Cookie.HttpOnly = true
	if cfg.SecureCookies {
		sessions.Cookie.Secure = true
		sessions.Cookie.SameSite = http.SameSiteNoneMode
		sessions.Cookie.Partitioned = true
	} else {
		sessions.Cookie.SameSite = http.SameSiteLaxMode
	}
	return &Server{cfg: cfg, inbox: in, store: in.Store, hub: hub, sessions: sessions, log: log, done: make(chan struct{})}
}

// Close ends the live streams, which http.Server.Shutdown does not.
func (s *Server) Close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
}

// Routes is the app's HTTP handler.
func (s *Server) Routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.RealIP, s.logRequests, middleware.Recoverer)

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Handle(static.Prefix+"*", static.Handler())

	// Meta's webhooks: authenticated by their signature, not a session.
	r.Get("/hooks/{transport}/{channel}", s.webhookVerify)
	r.Post("/hooks/{transport}/{channel}", s.webhookReceive)
	// Outgoing files for providers that fetch by link: a signed, expiring token.
	r.Get("/media/{token}", s.mediaGet)
	r.Get("/media/{token}/{name}", s.mediaGet)

	r.Group(func(r chi.Router) {
		r.Use(s.sessions.LoadAndSave, s.language)
		if s.cfg.DemoSignIn {
			r.Get("/signin", s.demoSignInPage)
			r.Post("/signin", s.demoSignIn)
		}
		r.Post("/signout", s.signOut)
		r.Group(func(r chi.Router) {
			r.Use(s.requireViewer)
			r.Get("/", s.inboxPage)
			r.Get("/dialogs", s.dialogList)
			r.Get("/dialogs/{id}", s.dialogShow)
			r.Get("/dialogs/{id}/messages", s.dialogMessages)
			r.Post("/dialogs/{id}/messages", s.messageSend)
			r.Post("/dialogs/{id}/read", s.dialogRead)
			r.Get("/attachments/{id}", s.attachmentGet)
			r.Get("/events", s.events)
		})
	})
	return r
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", ww.Status(),
			"duration", time.Since(start), "request_id", middleware.GetReqID(r.Context()))
	})
}

// SetDemoPortal names the portal the demo's manager picker signs into.
func (s *Server) SetDemoPortal(id int64) { s.cfg.DemoPortalID = id }
