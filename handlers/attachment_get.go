package handlers

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"switchboard/db"
	"switchboard/inbox"
)

// attachmentGet serves a file of a message in a dialog the viewer may see.
func (s *Server) attachmentGet(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		s.fail(w, r, db.ErrNotFound)
		return
	}
	vis, err := s.inbox.Visibility(ctx, viewerOf(ctx).Viewer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.store.VisibleAttachment(ctx, vis, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.serveAttachment(w, r, a)
}

// mediaGet serves a file by the public, signed, expiring link providers
// fetch outgoing files from (Instagram sends media by link).
func (s *Server) mediaGet(w http.ResponseWriter, r *http.Request) {
	a, err := s.inbox.AttachmentByLink(r.Context(), chi.URLParam(r, "token"))
	if errors.Is(err, inbox.ErrBadLink) || errors.Is(err, db.ErrNotFound) {
		s.log.Info("media link refused", "err", err)
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.serveAttachment(w, r, a)
}

// serveAttachment writes a ready file with its own type and name, never
// sniffed, never run as a page of ours.
func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request, a db.Attachment) {
	f, err := s.inbox.OpenAttachment(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	h := w.Header()
	ctype := a.MIME
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Content-Disposition", disposition(ctype, a.FileName))
	if rs, ok := f.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", time.Time{}, rs) // ranges, for audio and video seeking
		return
	}
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	if _, err := io.Copy(w, f); err != nil {
		s.log.Info("file download cut short", "attachment", a.ID, "err", err)
	}
}

// disposition shows pictures, sound and video in place and downloads
// everything else (SVG too: it can carry script), under the file's name.
func disposition(ctype, name string) string {
	kind := "attachment"
	if base, _, _ := mime.ParseMediaType(ctype); base != "image/svg+xml" &&
		(strings.HasPrefix(base, "image/") || strings.HasPrefix(base, "audio/") || strings.HasPrefix(base, "video/")) {
		kind = "inline"
	}
	if name == "" {
		return kind
	}
	if v := mime.FormatMediaType(kind, map[string]string{"filename": name}); v != "" {
		return v
	}
	return kind
}
