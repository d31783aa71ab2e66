package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"switchboard/inbox"
	"switchboard/views"
)

// templateSend queues the template the manager filled in and answers with
// the new message, appended to the open dialog; a refusal shows under the
// template.
func (s *Server) templateSend(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	sent, err := s.inbox.SendWhatsAppTemplate(ctx, viewerOf(ctx).Viewer, id, r.PostForm.Get("name"), r.PostForm.Get("language"), r.PostForm["value"])
	var key string
	switch {
	case err == nil:
		s.render(w, r, http.StatusOK, views.MessageItems(sent.Messages, sent.ChannelName))
		return
	case errors.Is(err, inbox.ErrNoTemplate):
		key = "template.gone"
	case errors.Is(err, inbox.ErrTemplateValues):
		key = "template.values"
	default:
		s.fail(w, r, err)
		return
	}
	retarget(w, "#wa-template-error-"+strconv.FormatInt(id, 10), "innerHTML")
	s.render(w, r, http.StatusUnprocessableEntity, views.ErrorFlash(views.T(ctx, key)))
}
