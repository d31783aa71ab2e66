package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"switchboard/inbox"
	"switchboard/views"
)

// messageSend queues what the composer sent (text and files, the files
// streamed to the blob store as they arrive) and answers with the new
// messages, appended to the open dialog; a refusal shows under the composer.
func (s *Server) messageSend(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	draft, err := s.inbox.NewDraft(ctx, viewerOf(ctx).Viewer, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	text, err := s.composerInput(r, draft)
	if err == nil {
		var sent inbox.Sent
		sent, err = draft.Send(ctx, text)
		if err == nil {
			s.render(w, r, http.StatusOK, views.MessageItems(sent.Messages, sent.ChannelName))
			return
		}
	}
	if msg := composerRefusal(ctx, err); msg != "" {
		s.composerError(w, r, draft.ClientID(), msg)
		return
	}
	s.fail(w, r, err)
}

// composerRefusal is what the composer says about an error it can explain
// ("" for any other error); views words it.
func composerRefusal(ctx context.Context, err error) string {
	var big inbox.FileTooLargeError
	var refused *inbox.RefusedError
	var r views.Refusal
	switch {
	case err == nil:
		return ""
	case errors.Is(err, inbox.ErrEmpty):
		r.What = views.RefusedEmpty
	case errors.Is(err, inbox.ErrTooLong):
		r.What = views.RefusedTooLong
	case errors.Is(err, inbox.ErrChannelOff):
		r.What = views.RefusedChannelOff
	case errors.As(err, &big):
		r = views.Refusal{What: views.RefusedFileTooLarge, FileName: big.Name}
	case errors.Is(err, inbox.ErrTooManyFiles):
		r = views.Refusal{What: views.RefusedTooManyFiles, MaxFiles: inbox.MaxFiles}
	case errors.As(err, &refused):
		r = views.Refusal{What: views.RefusedByTransport, FileName: refused.FileName, Transport: refused.Transport, Limit: refused.Limit}
	default:
		return ""
	}
	return views.ComposerRefusal(ctx, r)
}

// composerError shows a message under the composer of a client's
// conversation (0: writing first) instead of appending.
func (s *Server) composerError(w http.ResponseWriter, r *http.Request, clientID int64, msg string) {
	retarget(w, "#composer-error-"+strconv.FormatInt(clientID, 10), "innerHTML")
	s.render(w, r, http.StatusUnprocessableEntity, views.ErrorFlash(msg))
}
