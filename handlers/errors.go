package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5/middleware"

	"switchboard/inbox"
	"switchboard/views"
)

// render writes a component with the request's language.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Error("render failed", "path", r.URL.Path, "err", err, "request_id", middleware.GetReqID(r.Context()))
	}
}

// fail is the one way a handler reports a failure: it logs with the request's
// context and renders one error view (a flash for htmx, a page otherwise).
// ErrNotFound (which includes "not yours to see") and a card that no
// longer exists become a 404.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, views.T(r.Context(), "error.retry")
	switch {
	case errors.Is(err, inbox.ErrNotAdmin):
		status, msg = http.StatusForbidden, views.T(r.Context(), "settings.only_admins")
		s.log.Info("not an administrator", "path", r.URL.Path, "err", err, "request_id", middleware.GetReqID(r.Context()))
		if !isHTMX(r) {
			s.render(w, r, status, views.OnlyAdmins(views.Page{Title: views.T(r.Context(), "settings.title")}))
			return
		}
	case errors.Is(err, inbox.ErrCardGone):
		status, msg = http.StatusNotFound, views.T(r.Context(), "card.gone")
		s.log.Info("card not found", "path", r.URL.Path, "err", err, "request_id", middleware.GetReqID(r.Context()))
	case errors.Is(err, inbox.ErrNotFound):
		status, msg = http.StatusNotFound, views.T(r.Context(), "dialog.not_found")
		s.log.Info("not found", "path", r.URL.Path, "err", err, "request_id", middleware.GetReqID(r.Context()))
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err,
			"request_id", middleware.GetReqID(r.Context()))
	}
	s.failWith(w, r, status, msg)
}

func (s *Server) failWith(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isHTMX(r) {
		s.render(w, r, status, views.ErrorFlash(msg))
		return
	}
	s.render(w, r, status, views.ErrorPage(views.Page{Title: views.T(r.Context(), "error.title")}, msg))
}
