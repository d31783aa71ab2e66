package handlers

import "net/http"

// dialogNoReply is "No reply needed" on a dialog: it stops waiting, and
// its client's line leaves the notification chat. The mark goes with the
// live event, in every tab that shows the dialog.
func (s *Server) dialogNoReply(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.inbox.NoReplyNeeded(r.Context(), viewerOf(r.Context()).Viewer, id); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
