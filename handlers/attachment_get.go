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

	"switchboard/inbox"
)

// attachmentGet serves a file of a message in a dialog the viewer may see.
func (s *Server) attachmentGet(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, inbox.ErrNotFound)
		return
	}
	f, err := s.inbox.Attachment(ctx, viewerOf(ctx).Viewer, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	s.serveFile(w, r, f)
}

// mediaGet serves a file by the public, signed, expiring link providers
// fetch outgoing files from (Instagram sends media by link).
func (s *Server) mediaGet(w http.ResponseWriter, r *http.Request) {
	f, err := s.inbox.LinkedFile(r.Context(), chi.URLParam(r, "token"))
	if errors.Is(err, inbox.ErrBadLink) || errors.Is(err, inbox.ErrNotFound) {
		s.log.Info("media link refused", "err", err)
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	s.serveFile(w, r, f)
}

// serveFile writes a ready file with its own type and name, never sniffed,
// never run as a page of ours.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, f inbox.File) {
	h := w.Header()
	ctype := f.MIME
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Content-Disposition", disposition(ctype, f.FileName))
	if rs, ok := f.ReadCloser.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", time.Time{}, rs) // ranges, for audio and video seeking
		return
	}
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	if _, err := io.Copy(w, f); err != nil {
		s.log.Info("file download cut short", "attachment", f.ID, "err", err)
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
