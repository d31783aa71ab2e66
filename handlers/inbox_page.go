package handlers

import (
	"net/http"

	"switchboard/db"
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
	vis, err := s.inbox.Visibility(ctx, v.Viewer)
	if err != nil {
		return views.InboxData{}, err
	}
	onlyMine := r.URL.Query().Get("mine") == "1"
	data := views.InboxData{
		Page:     views.Page{Title: views.T(ctx, "inbox.title"), Token: v.Token, Live: true},
		UserID:   v.UserID,
		OnlyMine: onlyMine,
	}
	if open != 0 {
		d, err := s.dialogData(r, vis, open)
		if err != nil {
			return data, err
		}
		data.Open = &d
	}
	if data.Dialogs, err = s.store.Dialogs(ctx, vis, db.DialogFilter{OnlyMine: onlyMine}); err != nil {
		return data, err
	}
	if data.Counts, err = s.store.Counts(ctx, vis); err != nil {
		return data, err
	}
	u, err := s.store.User(ctx, v.PortalID, v.UserID)
	if err != nil {
		return data, err
	}
	data.UserName = u.Name
	return data, nil
}

// dialogList renders the dialog list alone (filter switches, resets).
func (s *Server) dialogList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	vis, err := s.inbox.Visibility(ctx, v.Viewer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	onlyMine := r.URL.Query().Get("mine") == "1"
	dialogs, err := s.store.Dialogs(ctx, vis, db.DialogFilter{OnlyMine: onlyMine})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.DialogList(dialogs, v.UserID, onlyMine, 0))
}
