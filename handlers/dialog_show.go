package handlers

import (
	"net/http"
	"strconv"

	"switchboard/inbox"
	"switchboard/views"
)

// dialogShow opens a dialog: the dialog pane for htmx, the whole page for a
// direct URL. The view marks it read with a POST of its own.
func (s *Server) dialogShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !isHTMX(r) {
		data, err := s.inboxData(r, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, views.InboxPage(data))
		return
	}
	data, err := s.dialogData(r, id, tabOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.DialogView(data))
}

// dialogMessages re-renders a dialog's messages (after a reconnect), or,
// with ?before=, the page of its history above that message.
func (s *Server) dialogMessages(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if before := r.URL.Query().Get("before"); before != "" {
		s.earlierMessages(w, r, id, before)
		return
	}
	data, err := s.dialogData(r, id, tabOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.MessageList(data))
}

// earlierMessages renders the page of a dialog's history above message
// before, with the button for the page above it, if any.
func (s *Server) earlierMessages(w http.ResponseWriter, r *http.Request, id int64, before string) {
	at, err := strconv.ParseInt(before, 10, 64)
	if err != nil || at <= 0 {
		s.fail(w, r, inbox.ErrNotFound)
		return
	}
	v := viewerOf(r.Context())
	d, err := s.inbox.EarlierMessages(r.Context(), v.Viewer, id, at)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.MessageList(conversationData(v, d)))
}

// dialogData loads the conversation of a dialog the viewer may see, with
// its latest messages, shown in tab: from now on the tab watches it; ?m=
// names a message to show (a search hit).
func (s *Server) dialogData(r *http.Request, id int64, tab string) (views.DialogData, error) {
	v := viewerOf(r.Context())
	focus, _ := strconv.ParseInt(r.URL.Query().Get("m"), 10, 64)
	d, err := s.inbox.OpenDialogAt(r.Context(), v.Viewer, id, focus)
	if err != nil {
		return views.DialogData{}, err
	}
	if err := s.inbox.Watch(r.Context(), v.Viewer, tab, id); err != nil {
		return views.DialogData{}, err
	}
	data := conversationData(v, d)
	data.Focus = focus
	return data, nil
}

// conversationData is what views draw of a conversation.
func conversationData(v viewer, d inbox.DialogView) views.DialogData {
	return views.DialogData{Dialog: d.Dialog, Dialogs: d.Dialogs, Messages: d.Messages, Failures: d.Failures,
		Channels: d.Channels, Links: d.Links, PortalURL: v.PortalURL,
		WindowClosed: d.WindowClosed, NeverWrote: d.NeverWrote, Earlier: d.Earlier, Later: d.Later}
}

// dialogRead marks a dialog read (a message arrived while it was open).
func (s *Server) dialogRead(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.inbox.MarkRead(r.Context(), viewerOf(r.Context()).Viewer, id); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
