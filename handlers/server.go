// Package handlers holds Switchboard's HTTP side: the chi router and its
// middleware, pages and htmx fragments, the live event stream, and the
// webhooks. Handlers read input, call one thing in inbox, and render; the
// rules live in inbox.
package handlers

import (
	"database/sql"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"switchboard/inbox"
	"switchboard/static"
	"switchboard/views"
)

// Config is what the HTTP side needs besides its collaborators.
type Config struct {
	// Secret signs the page tokens that stand in for the session cookie
	// inside a portal's iframe. At least 32 bytes.
	Secret []byte
	// SecureCookies marks cookies Secure; SameSite=None; Partitioned (HTTPS
	// deployments, where the app lives in a cross-site iframe).
	SecureCookies bool
	// PortalURL, when set, is where a visitor without a session is sent to
	// open the app (the demo's emulated portal).
	PortalURL string
	// BX24ScriptURL is Bitrix24's JS SDK, loaded by the install page to
	// finish the install.
	BX24ScriptURL string
	// Sessions is the database the session table lives in (scs's
	// postgresstore).
	Sessions *sql.DB
}

// Server serves every route of the app.
type Server struct {
	cfg      Config
	inbox    *inbox.Inbox
	hub      *inbox.Hub
	sessions *scs.SessionManager
	log      *slog.Logger
	done     chan struct{} // closed by Close: ends live streams
}

// New builds the server.
func New(cfg Config, in *inbox.Inbox, hub *inbox.Hub, log *slog.Logger) *Server {
	sessions := scs.New()
	sessions.Store = postgresstore.NewWithCleanupInterval(cfg.Sessions, 30*time.Minute)
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
	if in.Texts == nil {
		in.Texts = views.Text
	}
	return &Server{cfg: cfg, inbox: in, hub: hub, sessions: sessions, log: log, done: make(chan struct{})}
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
	r.Use(middleware.RequestID, s.logRequests, middleware.Recoverer, securityHeaders)

	r.Get("/healthz", s.healthz)
	r.Get("/readyz", s.readyz)
	r.Handle(static.Prefix+"*", static.Handler())

	// Meta's webhooks: authenticated by their signature, not a session.
	r.Get("/hooks/{transport}/{channel}", s.webhookVerify)
	r.Post("/hooks/{transport}/{channel}", s.webhookReceive)
	// Outgoing files for providers that fetch by link: a signed, expiring token.
	r.Get("/media/{token}", s.mediaGet)
	r.Get("/media/{token}/{name}", s.mediaGet)

	// Bitrix24's events: authenticated by the portal's application token.
	r.Post(PathEvents, s.bitrixEvents)

	r.Group(func(r chi.Router) {
		r.Use(s.sessions.LoadAndSave, s.language)
		// Bitrix24 opens these with a POST it signs with the user's token.
		r.Post(PathInstall, s.bitrixInstall)
		r.Post(PathPlacement, s.bitrixPlacement)
		r.Group(func(r chi.Router) {
			r.Use(s.requireViewer)
			r.Get("/", s.inboxPage)
			r.Get("/dialogs", s.dialogList)
			r.Get("/dialogs/rows", s.dialogRows)
			r.Get("/dialogs/{id}", s.dialogShow)
			r.Get("/dialogs/{id}/messages", s.dialogMessages)
			r.Get("/clients/{id}/composer", s.clientComposer)
			r.Post("/clients/{id}/messages", s.clientMessageSend)
			r.Get("/clients/{id}/wa-templates", s.clientTemplateList)
			r.Post("/clients/{id}/wa-templates", s.clientTemplateSend)
			r.Post("/write", s.writeFirst)
			r.Get("/search", s.search)
			r.Post("/dialogs/{id}/messages", s.messageSend)
			r.Post("/dialogs/{id}/read", s.dialogRead)
			r.Post("/dialogs/{id}/no-reply", s.dialogNoReply)
			r.Get("/dialogs/{id}/templates", s.templatePicker)
			r.Get("/templates", s.templatesPage)
			r.Post("/templates", s.templateSave)
			r.Get("/templates/{id}", s.templateEdit)
			r.Post("/templates/{id}", s.templateSave)
			r.Post("/templates/{id}/delete", s.templateDelete)
			r.Get("/templates/{id}/files/{file}", s.templateFile)
			r.Get("/dialogs/{id}/wa-templates", s.templateList)
			r.Post("/dialogs/{id}/wa-templates", s.templateSend)
			r.Post("/messages/{id}/pin", s.messagePin(true))
			r.Post("/messages/{id}/unpin", s.messagePin(false))
			r.Get("/attachments/{id}", s.attachmentGet)
			r.Get("/events", s.events)
			r.Get("/settings", s.settingsPage)
			r.Post("/settings", s.settingsSave)
			r.Post("/settings/channels", s.channelAdd)
			r.Post("/settings/channels/{id}", s.channelEdit)
			r.Post("/settings/channels/{id}/enable", s.channelSwitch(true))
			r.Post("/settings/channels/{id}/disable", s.channelSwitch(false))
			r.Post("/settings/channels/{id}/remove", s.channelRemove)
			r.Get("/settings/channels/{id}/status", s.channelStatus)
			r.Post("/settings/notify/members", s.notifyAdd)
			r.Post("/settings/notify/members/{user}/remove", s.notifyRemove)
			r.Get("/settings/channels/{id}/usage", s.planUsage)
			r.Post("/settings/channels/{id}/limit", s.planLimit)
			r.Post("/me/sound", s.soundSet)
		})
	})
	return r
}

// securityHeaders: no MIME sniffing, our URLs (which may carry a page
// token) never leave in a Referer, and the page policy without
// frame-ancestors, which a page sets once it knows its portal.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		setPagePolicy(w, nil)
		next.ServeHTTP(w, r)
	})
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
