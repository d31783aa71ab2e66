package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"switchboard/inbox"
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
	filter := listFilter(r)
	data := views.InboxData{
		Page:   s.page(views.T(ctx, "inbox.title"), v),
		UserID: v.UserID,
		Filter: string(filter),
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
	list, err := s.inbox.List(ctx, v.Viewer, filter)
	if err != nil {
		return data, err
	}
	data.Dialogs, data.Counts, data.UserName, data.Backlog = list.Dialogs, list.Counts, list.Me.Name, list.Backlog
	data.SoundOn, err = s.inbox.SoundOn(ctx, v.Viewer)
	return data, err
}

// listFilter is the list's filter the URL names (?filter=; the old ?mine=1
// still means mine).
func listFilter(r *http.Request) inbox.Filter {
	if r.URL.Query().Get("mine") == "1" {
		return inbox.FilterMine
	}
	return inbox.FilterOf(r.URL.Query().Get("filter"))
}

// page is a live page's frame for the viewer: inside a portal it loads
// Bitrix24's SDK too (CRM links open in its slider).
func (s *Server) page(title string, v viewer) views.Page {
	p := views.Page{Title: title, Token: v.Token, Live: true, Tab: newTab()}
	if v.PortalURL != "" {
		p.BX24 = s.cfg.BX24ScriptURL
	}
	return p
}

// dialogList renders the dialog list alone (filter switches, resets).
func (s *Server) dialogList(w http.ResponseWriter, r *http.Request) {
	v := viewerOf(r.Context())
	filter := listFilter(r)
	list, err := s.inbox.List(r.Context(), v.Viewer, filter)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.DialogList(list.Dialogs, v.UserID, string(filter), 0))
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
