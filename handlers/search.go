package handlers

import (
	"net/http"

	"switchboard/views"
)

// search answers the search box: clients and messages found among the
// dialogs the viewer may see.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	res, err := s.inbox.Search(r.Context(), viewerOf(r.Context()).Viewer, r.URL.Query().Get("q"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.SearchResults(views.SearchData{Query: res.Query, Clients: res.Clients, Messages: res.Messages}))
}
