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
		if err := views.MessageItem(m, ch.Name, channels.Failure{}, false).Render(ctx, w); err != nil {
			s.log.Error("render failed", "path", r.URL.Path, "err", err)
			return
		}
	}
}

// composerRefusal is what the composer says about an error it can explain
// ("" for any other error); views words it.
func composerRefusal(ctx context.Context, err error) string {
	var big fileTooLarge
	var refused *inbox.RefusedError
	var r views.Refusal
	switch {
	case err == nil:
		return ""
	case errors.Is(err, inbox.ErrEmpty):
		r.What = views.RefusedEmpty
	case errors.Is(err, inbox.ErrTooLong):
		r.What = views.RefusedTooLong
	case errors.As(err, &big):
		r = views.Refusal{What: views.RefusedFileTooLarge, FileName: big.name}
	case errors.Is(err, errTooManyFiles):
		r = views.Refusal{What: views.RefusedTooManyFiles, MaxFiles: maxComposerFiles}
	case errors.As(err, &refused):
		r = views.Refusal{What: views.RefusedByTransport, FileName: refused.FileName, Transport: refused.Transport, Limit: refused.Limit}
	default:
		return ""
	}
	return views.ComposerRefusal(ctx, r)
}

// composerError shows a message under the composer instead of appending.
func (s *Server) composerError(w http.ResponseWriter, r *http.Request, dialogID int64, msg string) {
	retarget(w, "#composer-error-"+strconv.FormatInt(dialogID, 10), "innerHTML")
	s.render(w, r, http.StatusUnprocessableEntity, views.ErrorFlash(msg))
}
