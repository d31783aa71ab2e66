package handlers

import (
	"errors"
	"net/http"

	"switchboard/inbox"
	"switchboard/views"
)

// templateSend queues the template the manager filled in and answers with
// the new message, appended to the open dialog; a refusal shows under the
// template.
func (s *Server) templateSend(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	sent, err := s.inbox.SendWhatsAppTemplate(ctx, viewerOf(ctx).Viewer, id, r.PostForm.Get("name"), r.PostForm.Get("language"), r.PostForm["value"])
	if err == nil {
		s.render(w, r, http.StatusOK, views.MessageItems(sent.Messages, sent.ChannelName))
		return
	}
	s.templateRefused(w, r, views.DialogTemplates(id), err)
}

// clientTemplateSend starts the client's dialog on a channel they never
// wrote on with the template filled in, and draws the conversation again
// (its composer now writes in that dialog).
func (s *Server) clientTemplateSend(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	draft, err := s.inbox.NewClientDraft(ctx, viewerOf(ctx).Viewer, id, channelParam(r))
	if err == nil {
		_, err = draft.SendWhatsAppTemplate(ctx, r.PostForm.Get("name"), r.PostForm.Get("language"), r.PostForm["value"])
	}
	if err == nil {
		s.redrawConversation(w, r, draft.DialogID())
		return
	}
	s.templateRefused(w, r, views.ClientTemplates(id, channelParam(r)), err)
}

// templateRefused shows why a template was not sent under the templates.
func (s *Server) templateRefused(w http.ResponseWriter, r *http.Request, at views.TemplatesAt, err error) {
	var key string
	switch {
	case errors.Is(err, inbox.ErrNoTemplate):
		key = "template.gone"
	case errors.Is(err, inbox.ErrTemplateValues):
		key = "template.values"
	case errors.Is(err, inbox.ErrTemplatesUnavailable):
		key = "template.unavailable" // explained in place, as every refusal (422), so it shows
		s.log.Warn("templates unavailable", "at", at.URL, "err", err)
	default:
		s.fail(w, r, err)
		return
	}
	retarget(w, "#"+at.ErrorID, "innerHTML")
	s.render(w, r, http.StatusUnprocessableEntity, views.ErrorFlash(views.T(r.Context(), key)))
}
