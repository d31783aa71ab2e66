package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"switchboard/views"
)

// inboxPage renders the shared chat: the dialog list, and the open dialog
// when the URL names one.
func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) {
	data, err := s.inboxData(r, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.InboxPage(data))
}

// inboxData loads the page: list, counters, and the open dialog (0: none).
func (s *Server) inboxData(r *http.Request, open int64) (views.InboxData, error) {
	ctx := r.Context()
	v := viewerOf(ctx)
	onlyMine := r.URL.Query().Get("mine") == "1"
	data := views.InboxData{
		Page:     views.Page{Title: views.T(ctx, "inbox.title"), Token: v.Token, Live: true, Tab: newTab()},
		UserID:   v.UserID,
		OnlyMine: onlyMine,
		// The link only: the page itself asks inbox again.
		CanConfigure: v.CanConfigure,
	}
	if open != 0 {
		d, err := s.dialogData(r, open, data.Page.Tab)
		if err != nil {
			return data, err
		}
		data.Open = &d
	}
	list, err := s.inbox.List(ctx, v.Viewer, onlyMine)
	if err != nil {
		return data, err
	}
	data.Dialogs, data.Counts, data.UserName, data.Backlog = list.Dialogs, list.Counts, list.Me.Name, list.Backlog
	data.SoundOn, err = s.inbox.SoundOn(ctx, v.Viewer)
	return data, err
}

// dialogList renders the dialog list alone (filter switches, resets).
func (s *Server) dialogList(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	onlyMine := r.URL.Query().Get("mine") == "1"
	list, err := s.inbox.List(r.Context(), v.Viewer, onlyMine)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.DialogList(list.Dialogs, v.UserID, onlyMine, 0))
}

// maxRows bounds a rows request (a card lists at most 100 dialogs).
const maxRows = 100

// dialogRows redraws the rows of a card's list (after the stream reconnects).
func (s *Server) dialogRows(w http.ResponseWriter, r *http.Request) {
	var ids []int64
	for _, part := range strings.Split(r.URL.Query().Get("ids"), ",") {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil && len(ids) < maxRows {
			ids = append(ids, id)
		}
	}
	v := viewerOf(r.Context())
	rows, err := s.inbox.Rows(r.Context(), v.Viewer, ids)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.CardRows(rows, v.UserID))
}
