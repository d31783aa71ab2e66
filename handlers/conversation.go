package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"switchboard/inbox"
	"switchboard/views"
)

// channelParam reads ?channel= (0: none asked).
func channelParam(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.URL.Query().Get("channel"), 10, 64)
	return id
}

// clientComposer draws the composer of a client's conversation again for
// the channel the switcher picked, keeping the text typed.
func (s *Server) clientComposer(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := viewerOf(r.Context())
	d, err := s.inbox.ClientConversation(r.Context(), v.Viewer, id, channelParam(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := conversationData(v, d)
	data.Draft = r.URL.Query().Get("text")
	s.render(w, r, http.StatusOK, views.ComposerArea(data))
}

// clientMessageSend sends on a channel the client has no dialog on yet (the
// switcher picked it): the dialog starts with the message.
func (s *Server) clientMessageSend(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	draft, err := s.inbox.NewClientDraft(ctx, viewerOf(ctx).Viewer, id, channelParam(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	text, err := s.composerInput(r, draft)
	if err == nil {
		if _, err = draft.Send(ctx, text); err == nil {
			// The composer now writes in that dialog: draw it again.
			s.redrawConversation(w, r, draft.DialogID())
			return
		}
	}
	if msg := composerRefusal(ctx, err); msg != "" {
		s.composerError(w, r, id, msg)
		return
	}
	s.fail(w, r, err)
}

// writeFirst sends the first message to a number (or an Instagram id) from
// a CRM card with no conversation; the conversation then takes the pane. A
// send the channel refuses (WhatsApp's closed window) still opens the
// dialog it started, with the refusal under its composer.
func (s *Server) writeFirst(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	channel, _ := strconv.ParseInt(r.FormValue("channel"), 10, 64)
	draft, err := s.inbox.NewFirstDraft(ctx, v.Viewer, channel, r.FormValue("to"))
	if errors.Is(err, inbox.ErrBadRecipient) {
		s.composerError(w, r, 0, views.T(ctx, "write.bad_recipient"))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, err = draft.Send(ctx, r.FormValue("text"))
	msg := composerRefusal(ctx, err)
	switch {
	case err == nil || msg != "" && draft.DialogID() != 0:
		data, err := s.dialogData(r, draft.DialogID(), tabOf(r))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data.Refusal = msg
		s.render(w, r, http.StatusOK, views.FirstMessageSent(data, v.UserID))
	case msg != "":
		s.composerError(w, r, 0, msg)
	default:
		s.fail(w, r, err)
	}
}

// redrawConversation answers with the whole conversation of a dialog, in
// the pane, its composer on the channel the request wrote on (?channel=):
// the manager who just started a dialog there goes on writing in it.
func (s *Server) redrawConversation(w http.ResponseWriter, r *http.Request, dialogID int64) {
	ctx := r.Context()
	v := viewerOf(ctx)
	d, err := s.inbox.OpenConversation(ctx, v.Viewer, dialogID, channelParam(r))
	if err == nil {
		err = s.inbox.Watch(ctx, v.Viewer, tabOf(r), dialogID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	retarget(w, "#dialog-pane", "innerHTML")
	s.render(w, r, http.StatusOK, views.DialogView(conversationData(v, d)))
}
