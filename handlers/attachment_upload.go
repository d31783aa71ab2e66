package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	"switchboard/inbox"
)

// Composer form limits: files per message, and the whole body (every file
// at our per-file limit, plus the text).
const (
	maxComposerFiles = 10
	maxComposerBody  = maxComposerFiles*inbox.MaxUpload + 1<<20
	maxComposerText  = 64 << 10
)

// fileTooLarge is a composer file over inbox.MaxUpload.
type fileTooLarge struct{ name string }

func (e fileTooLarge) Error() string { return fmt.Sprintf("handlers: %s is larger than 50 MB", e.name) }

var errTooManyFiles = errors.New("handlers: too many files in one message")

// composerInput reads the composer's text and files. A multipart form is
// read part by part and each file streamed into the blob store as it
// arrives: nothing is held whole in memory (r.ParseMultipartForm would keep
// up to 32 MB per request). On an error the files kept so far are removed
// and the rest of the body is read away, so the browser gets the answer.
func (s *Server) composerInput(r *http.Request, portalID int64) (string, []inbox.Upload, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.FormValue("text"), nil, nil
	}
	ctx := r.Context()
	body := http.MaxBytesReader(nil, r.Body, maxComposerBody)
	r.Body = body
	text, files, err := s.readParts(r, portalID)
	if err != nil {
		s.inbox.DiscardUploads(ctx, files)
		_, _ = io.Copy(io.Discard, body)
		return "", nil, err
	}
	return text, files, nil
}

func (s *Server) readParts(r *http.Request, portalID int64) (text string, files []inbox.Upload, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, fmt.Errorf("handlers: composer form: %w", err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return text, files, nil
		}
		if err != nil {
			return "", files, fmt.Errorf("handlers: composer form: %w", err)
		}
		switch name := filepath.Base(part.FileName()); {
		case part.FormName() == "text":
			b, err := io.ReadAll(io.LimitReader(part, maxComposerText))
			if err != nil {
				return "", files, fmt.Errorf("handlers: composer text: %w", err)
			}
			text = string(b)
		case part.FormName() == "files" && part.FileName() != "":
			if len(files) == maxComposerFiles {
				return "", files, errTooManyFiles
			}
			up, err := s.inbox.SaveUpload(r.Context(), portalID, name, partMIME(part.Header.Get("Content-Type"), name), part)
			if errors.Is(err, inbox.ErrFileTooLarge) {
				return "", files, fileTooLarge{name}
			}
			if err != nil {
				return "", files, err
			}
			files = append(files, up)
		}
		part.Close()
	}
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
