package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"switchboard/inbox"
)

// Composer form limits on the wire: the whole body (every file at inbox's
// per-file limit, plus the text) and the text part. The limits of the
// message itself (files, sizes) are inbox's.
const (
	maxComposerBody = inbox.MaxFiles*inbox.MaxUpload + 1<<20
	maxComposerText = 64 << 10
)

// composerInput reads the composer's text and hands its files to the draft.
// A multipart form is read part by part and each file streamed into the
// blob store as it arrives: nothing is held whole in memory
// (r.ParseMultipartForm would keep up to 32 MB per request). On an error the
// files kept so far are removed and the rest of the body is read away, so
// the browser gets the answer.
func (s *Server) composerInput(r *http.Request, draft *inbox.Draft) (string, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if t := r.FormValue("template"); t != "" {
			if err := useTemplate(r, draft, []byte(t)); err != nil {
				return "", err
			}
		}
		return r.FormValue("text"), nil
	}
	body := http.MaxBytesReader(nil, r.Body, maxComposerBody)
	r.Body = body
	text, err := readParts(r, draft)
	if err != nil {
		draft.Discard(r.Context())
		_, _ = io.Copy(io.Discard, body)
		return "", err
	}
	return text, nil
}

func readParts(r *http.Request, draft *inbox.Draft) (text string, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", fmt.Errorf("handlers: composer form: %w", err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return text, nil
		}
		if err != nil {
			return "", fmt.Errorf("handlers: composer form: %w", err)
		}
		switch name := filepath.Base(part.FileName()); {
		case part.FormName() == "text":
			b, err := io.ReadAll(io.LimitReader(part, maxComposerText))
			if err != nil {
				return "", fmt.Errorf("handlers: composer text: %w", err)
			}
			text = string(b)
		case part.FormName() == "template":
			b, err := io.ReadAll(io.LimitReader(part, 32))
			if err == nil {
				err = useTemplate(r, draft, b)
			}
			if err != nil {
				return "", err
			}
		case part.FormName() == "files" && part.FileName() != "":
			if err := draft.AddFile(r.Context(), name, partMIME(part.Header.Get("Content-Type"), name), part); err != nil {
				return "", err
			}
		}
		part.Close()
	}
}

// useTemplate makes the message carry the viewer's template the form names
// (ErrNotFound for a template not theirs, or not a number).
func useTemplate(r *http.Request, draft *inbox.Draft, id []byte) error {
	n, err := strconv.ParseInt(strings.TrimSpace(string(id)), 10, 64)
	if err != nil || n <= 0 {
		return inbox.ErrNotFound
	}
	return draft.UseTemplate(r.Context(), n)
}

// partMIME is a file's type as the browser gave it, else as its extension
// says; the bytes are not sniffed.
func partMIME(given, name string) string {
	if given != "" && given != "application/octet-stream" {
		return given
	}
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		return t
	}
	return "application/octet-stream"
}
