package handlers

import (
	"errors"
	"net/http"

	"switchboard/inbox"
	"switchboard/views"
)

// templateList offers the approved templates of a dialog's channel, loaded
// by a dialog whose WhatsApp window is closed. A provider that cannot be
// asked now is said so in place, and the dialog stays usable.
func (s *Server) templateList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.inbox.WhatsAppTemplates(r.Context(), viewerOf(r.Context()).Viewer, id)
	switch {
	case errors.Is(err, inbox.ErrNotFound):
		s.fail(w, r, err)
		return
	case err != nil:
		s.log.Warn("templates unavailable", "dialog", id, "err", err)
		s.render(w, r, http.StatusOK, views.WhatsAppTemplatesUnavailable())
		return
	}
	s.render(w, r, http.StatusOK, views.WhatsAppTemplateList(id, list))
}
