package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"

	"switchboard/channels"
	"switchboard/db"
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
	v := viewerOf(ctx)
	// Only a dialog the viewer may see gets to upload anything.
	if rows, err := s.inbox.Rows(ctx, v.Viewer, []int64{id}); err != nil || len(rows) == 0 {
		s.fail(w, r, cmp.Or(err, db.ErrNotFound))
		return
	}
	text, files, err := s.composerInput(r, v.PortalID)
	if msg := composerRefusal(ctx, err); msg != "" {
		s.composerError(w, r, id, msg)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ids, err := s.inbox.SendMessage(ctx, v.Viewer, id, text, files)
	if err != nil {
		s.inbox.DiscardUploads(ctx, files)
	}
	if msg := composerRefusal(ctx, err); msg != "" {
		s.composerError(w, r, id, msg)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	for _, msgID := range ids {
		m, err := s.store.Message(ctx, v.PortalID, msgID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ch, err := s.store.Channel(ctx, v.PortalID, m.ChannelID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := views.MessageItem(m, ch.Name, "", false).Render(ctx, w); err != nil {
			s.log.Error("render failed", "path", r.URL.Path, "err", err)
			return
		}
	}
}

// composerRefusal is what the composer says about an error it can explain
// ("" for any other error).
func composerRefusal(ctx context.Context, err error) string {
	var big fileTooLarge
	var refused *inbox.RefusedError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, inbox.ErrEmpty):
		return views.T(ctx, "error.empty")
	case errors.Is(err, inbox.ErrTooLong):
		return views.T(ctx, "error.too_long")
	case errors.As(err, &big):
		return views.Tf(ctx, "error.file_too_large", big.name)
	case errors.Is(err, errTooManyFiles):
		return views.Tf(ctx, "error.too_many_files", maxComposerFiles)
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
