package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"switchboard/channels"
	"switchboard/inbox"
	"switchboard/views"
)

// messageSend queues what the composer sent (text and files, the files
// streamed to the blob store as they arrive) and answers with the new
// messages, appended to the open dialog; a refusal shows under the composer.
func (s *Server) messageSend(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := dialogID(r)
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
		s.composerError(w, r, id, msg)
		return
	}
	s.fail(w, r, err)
}

// composerRefusal is what the composer says about an error it can explain
// ("" for any other error).
func composerRefusal(ctx context.Context, err error) string {
	var big inbox.FileTooLargeError
	var refused *inbox.RefusedError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, inbox.ErrEmpty):
		return views.T(ctx, "error.empty")
	case errors.Is(err, inbox.ErrTooLong):
		return views.T(ctx, "error.too_long")
	case errors.As(err, &big):
		return views.Tf(ctx, "error.file_too_large", big.Name)
	case errors.Is(err, inbox.ErrTooManyFiles):
		return views.Tf(ctx, "error.too_many_files", inbox.MaxFiles)
	case errors.As(err, &refused):
		return refusalText(ctx, refused)
	}
	return ""
}

// refusalText explains in the viewer's language which limit of the
// transport a file or the text breaks.
func refusalText(ctx context.Context, e *inbox.RefusedError) string {
	transport := "WhatsApp"
	if e.Transport == channels.Instagram {
		transport = "Instagram"
	}
	if e.Limit == nil {
		return views.Tf(ctx, "error.file_kind", e.FileName, transport)
	}
	switch e.Limit.What {
	case channels.LimitSize:
		return views.Tf(ctx, "error.file_size", e.FileName, transport, views.Size(ctx, e.Limit.Got), views.Size(ctx, e.Limit.Limit))
	case channels.LimitType:
		return views.Tf(ctx, "error.file_type", e.FileName, transport, e.Limit.MIME)
	default:
		return views.Tf(ctx, "error.text_limit", transport, e.Limit.Limit)
	}
}

// composerError shows a message under the composer instead of appending.
func (s *Server) composerError(w http.ResponseWriter, r *http.Request, dialogID int64, msg string) {
	retarget(w, "#composer-error-"+strconv.FormatInt(dialogID, 10), "innerHTML")
	s.render(w, r, http.StatusUnprocessableEntity, views.ErrorFlash(msg))
}
