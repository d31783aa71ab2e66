package handlers

import (
	"errors"
	"net/http"

	"switchboard/channels"
	"switchboard/inbox"
	"switchboard/views"
)

// templateList offers the approved templates of a dialog's channel, loaded
// by a dialog whose WhatsApp window is closed.
func (s *Server) templateList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.inbox.WhatsAppTemplates(r.Context(), viewerOf(r.Context()).Viewer, id)
	s.renderTemplates(w, r, views.DialogTemplates(id), list, err)
}

// clientTemplateList offers the approved templates of a channel the client
// has never written on (the switcher picked it): only a template starts
// that conversation.
func (s *Server) clientTemplateList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, channel := r.Context(), channelParam(r)
	draft, err := s.inbox.NewClientDraft(ctx, viewerOf(ctx).Viewer, id, channel)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := draft.WhatsAppTemplates(ctx)
	s.renderTemplates(w, r, views.ClientTemplates(id, channel), list, err)
}

// renderTemplates draws the list; a provider that cannot be asked now is
// said so in place, and the conversation stays usable.
func (s *Server) renderTemplates(w http.ResponseWriter, r *http.Request, at views.TemplatesAt, list []channels.Template, err error) {
	switch {
	case errors.Is(err, inbox.ErrNotFound):
		s.fail(w, r, err)
	case err != nil:
		s.log.Warn("templates unavailable", "at", at.URL, "err", err)
		s.render(w, r, http.StatusOK, views.WhatsAppTemplatesUnavailable())
	default:
		s.render(w, r, http.StatusOK, views.WhatsAppTemplateList(at, list))
	}
}
