package handlers

import (
	"net/http"
	"strconv"

	"switchboard/views"
)

// soundSet turns the viewer's sound of new messages on or off and redraws
// the button.
func (s *Server) soundSet(w http.ResponseWriter, r *http.Request) {
	on, err := strconv.ParseBool(r.FormValue("on"))
	if err != nil {
		s.failWith(w, r, http.StatusBadRequest, views.T(r.Context(), "error.retry"))
		return
	}
	if err := s.inbox.SetSound(r.Context(), viewerOf(r.Context()).Viewer, on); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.SoundButton(on))
}
