package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"

	"github.com/go-chi/chi/v5"

	"switchboard/inbox"
	"switchboard/views"
)

// The "Message templates" page and the composer's template picker. Every
// template is read through inbox with the viewer as its owner: another
// user's id is a 404 wherever it comes from.

// templatesPage lists the viewer's templates.
func (s *Server) templatesPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	q := r.URL.Query().Get("q")
	ts, err := s.inbox.Templates(ctx, v.Viewer, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if isHTMX(r) && r.URL.Query().Has("q") {
		s.render(w, r, http.StatusOK, views.TemplateList(ts))
		return
	}
	s.render(w, r, http.StatusOK, views.TemplatesPage(views.Page{Title: views.T(ctx, "templates.title"), Token: v.Token}, ts, q))
}

// templateEdit shows one of the viewer's templates to edit ("new": an empty one).
func (s *Server) templateEdit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	var data views.TemplateData
	if chi.URLParam(r, "id") != "new" {
		id, err := pathID(r, "id")
		if err == nil {
			data.Template, err = s.inbox.Template(ctx, v.Viewer, id)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	data.Page = views.Page{Title: views.T(ctx, "templates.title"), Token: v.Token}
	data.MaxFiles = inbox.MaxTemplateFiles
	s.render(w, r, http.StatusOK, views.TemplateEditPage(data))
}

// templateSave stores a template from its form: name, text, the order of
// its files and the new files, streamed to the blob store as they arrive.
// Success sends the browser back to the list; a refusal shows on the form.
func (s *Server) templateSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	var id int64
	if chi.URLParam(r, "id") != "" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	draft, err := s.inbox.EditTemplate(ctx, v.Viewer, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.templateInput(r, draft)
	if err == nil {
		_, err = draft.Save(ctx, f.name, f.body, f.order)
	}
	if err == nil {
		w.Header().Set("HX-Redirect", views.AuthURL(ctx, "/templates"))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	msg := composerRefusal(ctx, err)
	if errors.Is(err, inbox.ErrTemplateName) {
		msg = views.T(ctx, "templates.name_required")
	}
	if msg == "" {
		s.fail(w, r, err)
		return
	}
	retarget(w, "#template-error", "innerHTML")
	s.render(w, r, http.StatusUnprocessableEntity, views.ErrorFlash(msg))
}

// templateForm is a template form's fields besides its files.
type templateForm struct {
	name, body string
	order      []string
}

// templateInput reads the form part by part, like the composer's
// (composerInput): files go to the draft as they arrive.
func (s *Server) templateInput(r *http.Request, draft *inbox.TemplateDraft) (templateForm, error) {
	body := http.MaxBytesReader(nil, r.Body, maxComposerBody)
	r.Body = body
	f, err := readTemplateParts(r, draft)
	if err != nil {
		draft.Discard(r.Context())
		_, _ = io.Copy(io.Discard, body)
	}
	return f, err
}

func readTemplateParts(r *http.Request, draft *inbox.TemplateDraft) (templateForm, error) {
	var f templateForm
	mr, err := r.MultipartReader()
	if err != nil {
		return f, fmt.Errorf("handlers: template form: %w", err)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return f, nil
		}
		if err != nil {
			return f, fmt.Errorf("handlers: template form: %w", err)
		}
		if part.FormName() == "files" && part.FileName() != "" {
			name := filepath.Base(part.FileName())
			if err := draft.AddFile(r.Context(), name, partMIME(part.Header.Get("Content-Type"), name), part); err != nil {
				return f, err
			}
			part.Close()
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxComposerText))
		part.Close()
		if err != nil {
			return f, fmt.Errorf("handlers: template form: %w", err)
		}
		switch part.FormName() {
		case "name":
			f.name = string(b)
		case "text":
			f.body = string(b)
		case "order":
			if len(f.order) < 2*inbox.MaxTemplateFiles {
				f.order = append(f.order, string(b))
			}
		}
	}
}

// templateDelete removes one of the viewer's templates.
func (s *Server) templateDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err == nil {
		err = s.inbox.DeleteTemplate(ctx, viewerOf(ctx).Viewer, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("HX-Redirect", views.AuthURL(ctx, "/templates"))
	w.WriteHeader(http.StatusNoContent)
}

// templateFile serves a file of one of the viewer's templates.
func (s *Server) templateFile(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	var fileID int64
	if err == nil {
		fileID, err = pathID(r, "file")
	}
	if err != nil {
		s.fail(w, r, inbox.ErrNotFound)
		return
	}
	f, err := s.inbox.OpenTemplateFile(ctx, viewerOf(ctx).Viewer, id, fileID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	s.serveFile(w, r, f)
}

// templatePicker lists the viewer's templates for a dialog's composer, each
// with what the dialog's channel would refuse of it.
func (s *Server) templatePicker(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	choices, err := s.inbox.TemplatesFor(ctx, viewerOf(ctx).Viewer, id, r.URL.Query().Get("q"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]views.TemplateChoice, len(choices))
	for i, c := range choices {
		out[i] = views.TemplateChoice{Template: c.Template, Refusal: composerRefusal(ctx, c.Refused)}
		if c.Refused != nil && out[i].Refusal == "" {
			out[i].Refusal = views.T(ctx, "error.retry")
		}
	}
	s.render(w, r, http.StatusOK, views.TemplatePicker(id, out, r.URL.Query().Has("q")))
}
