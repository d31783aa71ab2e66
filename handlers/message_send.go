package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"switchboard/inbox"
	"switchboard/views"
)

// messageSend queues the composer's text and answers with the new message,
// appended to the open dialog.
func (s *Server) messageSend(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := dialogID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := viewerOf(ctx)
	msgID, err := s.inbox.Send(ctx, v.Viewer, id, r.FormValue("text"))
	switch {
	case errors.Is(err, inbox.ErrEmpty):
		s.composerError(w, r, id, views.T(ctx, "error.empty"))
		return
	case errors.Is(err, inbox.ErrTooLong):
		s.composerError(w, r, id, views.T(ctx, "error.too_long"))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	m, err := s.store.Message(ctx, v.PortalID, msgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ch, err := s.store.Channel(ctx, v.PortalID, m.ChannelID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.MessageItem(m, ch.Name, "", false))
}

// composerError shows a message under the composer instead of appending.
func (s *Server) composerError(w http.ResponseWriter, r *http.Request, dialogID int64, msg string) {
	retarget(w, "#composer-error-"+strconv.FormatInt(dialogID, 10), "innerHTML")
	s.render(w, r, http.StatusUnprocessableEntity, views.ErrorFlash(msg))
}
