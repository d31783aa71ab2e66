package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"switchboard/db"
)

// A template is its author's alone (product.md "Message templates"): every
// verb here reads it with the viewer as its owner, so another user's id is
// ErrNotFound whether it comes from a list, a URL or a forged form field.

// Template limits.
const (
	maxTemplateName = 200
	// MaxTemplateFiles is how many files a template may carry: as many as
	// one composer message.
	MaxTemplateFiles = MaxFiles
)

// ErrTemplateName is a template without a name, or with one too long.
var ErrTemplateName = fmt.Errorf("inbox: a template needs a name of at most %d characters", maxTemplateName)

// Placeholders filled at send time (beyond the seed): a text without them
// is sent as written.
const (
	PlaceholderClient  = "{client_name}"
	PlaceholderManager = "{manager_name}"
)

// Templates lists the viewer's own templates; query filters by name and text.
func (in *Inbox) Templates(ctx context.Context, v Viewer, query string) ([]db.Template, error) {
	return in.Store.Templates(ctx, v.PortalID, v.UserID, strings.TrimSpace(query))
}

// Template is one of the viewer's templates; ErrNotFound for anyone else's.
func (in *Inbox) Template(ctx context.Context, v Viewer, id int64) (db.Template, error) {
	return in.Store.Template(ctx, v.PortalID, v.UserID, id, "")
}

// OpenTemplateFile opens a file of one of the viewer's templates, to show
// on its page; ErrNotFound unless both are theirs.
func (in *Inbox) OpenTemplateFile(ctx context.Context, v Viewer, templateID, fileID int64) (File, error) {
	t, err := in.Template(ctx, v, templateID)
	if err != nil {
		return File{}, err
	}
	for _, f := range t.Files {
		if f.ID == fileID {
			return in.open(ctx, db.Attachment{PortalID: v.PortalID, ID: f.ID, FileName: f.FileName, MIME: f.MIME,
				Size: f.Size, SHA256: f.SHA256, StorageKey: f.StorageKey, State: db.AttachmentReady})
		}
	}
	return File{}, fmt.Errorf("inbox: file %d of template %d: %w", fileID, templateID, ErrNotFound)
}

// DeleteTemplate removes one of the viewer's templates. Messages already
// sent with it keep their files: a blob goes only when nothing refers to it.
func (in *Inbox) DeleteTemplate(ctx context.Context, v Viewer, id int64) error {
	var gone []string
	err := in.Store.InTx(ctx, func(tx *db.Store) error {
		var err error
		gone, err = tx.DeleteTemplate(ctx, v.PortalID, v.UserID, id)
		return err
	})
	if err != nil {
		return err
	}
	in.dropUnusedBlobs(ctx, gone)
	return nil
}

// dropUnusedBlobs deletes those of keys no attachment uses any more. It
// runs after the commit that dropped their rows; a send holding the
// template (FOR KEY SHARE) has committed its own rows by then.
func (in *Inbox) dropUnusedBlobs(ctx context.Context, keys []string) {
	unused, err := in.Store.UnusedBlobs(ctx, keys)
	if err != nil {
		in.Log.Warn("unable to check template files for removal", "err", err)
		return
	}
	for _, k := range unused {
		in.deleteBlob(ctx, k)
	}
}

// TemplateDraft is a template being saved: its new files are streamed into
// the blob store as they arrive, then Save stores the whole edit at once.
type TemplateDraft struct {
	in    *Inbox
	v     Viewer
	id    int64 // 0: a new template
	have  int   // files it has already
	files []Upload
}

// EditTemplate starts saving template id of the viewer (0: a new one);
// ErrNotFound when it is not theirs.
func (in *Inbox) EditTemplate(ctx context.Context, v Viewer, id int64) (*TemplateDraft, error) {
	d := &TemplateDraft{in: in, v: v, id: id}
	if id != 0 {
		t, err := in.Template(ctx, v, id)
		if err != nil {
			return nil, err
		}
		d.have = len(t.Files)
	}
	return d, nil
}

// AddFile keeps one new file: the composer's limits (MaxUpload per file,
// FileTooLargeError; ErrTooManyFiles past MaxTemplateFiles new files).
func (d *TemplateDraft) AddFile(ctx context.Context, name, mimeType string, r io.Reader) error {
	if len(d.files) == MaxTemplateFiles {
		return ErrTooManyFiles
	}
	up, err := d.in.saveUpload(ctx, d.v.PortalID, "tpl", name, mimeType, r)
	if errors.Is(err, ErrFileTooLarge) {
		return FileTooLargeError{Name: name}
	}
	if err != nil {
		return err
	}
	d.files = append(d.files, up)
	return nil
}

// Discard removes the new files kept so far.
func (d *TemplateDraft) Discard(ctx context.Context) {
	d.in.DiscardUploads(ctx, d.files)
	d.files = nil
}

// Save stores the template: its name, its text and its files in order.
// order lists every file the template keeps, as "f<id>" for one it has
// and "n<i>" for the i-th new file; a file, old or new, that order leaves
// out is not kept. On any error nothing changes and the new files are
// discarded.
func (d *TemplateDraft) Save(ctx context.Context, name, body string, order []string) (int64, error) {
	id, err := d.save(ctx, strings.TrimSpace(name), strings.TrimSpace(body), order)
	if err != nil {
		d.Discard(ctx)
		return 0, err
	}
	return id, nil
}

func (d *TemplateDraft) save(ctx context.Context, name, body string, order []string) (int64, error) {
	if name == "" || utf8.RuneCountInString(name) > maxTemplateName {
		return 0, ErrTemplateName
	}
	if utf8.RuneCountInString(body) > maxText {
		return 0, ErrTooLong
	}
	var gone []string
	id := d.id
	err := d.in.Store.InTx(ctx, func(tx *db.Store) error {
		if id != 0 {
			if _, err := tx.Template(ctx, d.v.PortalID, d.v.UserID, id, "FOR UPDATE"); err != nil {
				return err
			}
		}
		var err error
		id, err = tx.SaveTemplate(ctx, db.Template{PortalID: d.v.PortalID, OwnerID: d.v.UserID, ID: id,
			Name: name, Body: body}, d.in.Now())
		if err != nil {
			return err
		}
		newIDs := make([]int64, len(d.files))
		for i, f := range d.files {
			newIDs[i], err = tx.AddTemplateFile(ctx, d.v.PortalID, id, db.TemplateFile{FileName: f.FileName,
				MIME: f.MIME, Size: f.Size, SHA256: f.SHA256, StorageKey: f.Key})
			if err != nil {
				return err
			}
		}
		keep := keptOrder(order, newIDs)
		if len(keep) > MaxTemplateFiles {
			return ErrTooManyFiles
		}
		gone, err = tx.KeepTemplateFiles(ctx, d.v.PortalID, id, keep)
		return err
	})
	if err != nil {
		return 0, err
	}
	d.files = nil // the template has them now
	d.in.dropUnusedBlobs(ctx, gone)
	return id, nil
}

// keptOrder turns a Save order into file ids: "f<id>" as given (an id not
// of the template is ignored by the store), "n<i>" as the i-th new file.
func keptOrder(order []string, newIDs []int64) []int64 {
	var keep []int64
	seen := make(map[int64]bool)
	add := func(id int64) {
		if !seen[id] {
			seen[id] = true
			keep = append(keep, id)
		}
	}
	for _, o := range order {
		if len(o) < 2 {
			continue
		}
		n, err := strconv.ParseInt(o[1:], 10, 64)
		if err != nil || n < 0 {
			continue
		}
		switch o[0] {
		case 'f':
			add(n)
		case 'n':
			if n < int64(len(newIDs)) {
				add(newIDs[n])
			}
		}
	}
	return keep
}

// TemplateChoice is a template offered in a dialog's composer, with what
// the dialog's channel would refuse of it (nil: it can be sent as it is).
type TemplateChoice struct {
	db.Template
	Refused error
}

// TemplatesFor lists the viewer's templates for a dialog they may see, each
// checked against the dialog's channel before anything is sent.
func (in *Inbox) TemplatesFor(ctx context.Context, v Viewer, dialogID int64, query string) ([]TemplateChoice, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return nil, err
	}
	d, err := in.Store.Dialog(ctx, vis, dialogID)
	if err != nil {
		return nil, err
	}
	t, ok := in.Transports[d.Transport]
	if !ok {
		return nil, fmt.Errorf("inbox: no transport %q", d.Transport)
	}
	ts, err := in.Templates(ctx, v, query)
	if err != nil {
		return nil, err
	}
	out := make([]TemplateChoice, len(ts))
	for i, tpl := range ts {
		_, refused := planPieces(t, tpl.Body, templateUploads(tpl))
		out[i] = TemplateChoice{Template: tpl, Refused: refused}
	}
	return out, nil
}

// UseTemplate makes the message carry one of the viewer's templates: its
// files go first, in the template's order, shared with the template, not
// copied. The text stays the composer's (the template's, edited).
// ErrNotFound for a template that is not the viewer's.
func (d *Draft) UseTemplate(ctx context.Context, id int64) error {
	if _, err := d.in.Template(ctx, d.v, id); err != nil {
		return err
	}
	d.template = id
	return nil
}

// templateUploads are a template's files as a message's uploads.
func templateUploads(t db.Template) []Upload {
	ups := make([]Upload, len(t.Files))
	for i, f := range t.Files {
		ups[i] = Upload{Key: f.StorageKey, FileName: f.FileName, MIME: f.MIME, Size: f.Size, SHA256: f.SHA256}
	}
	return ups
}

// withTemplate is what a message sent with template id carries: the
// template's files before the composer's, and the text with its
// placeholders filled. The template is held (FOR KEY SHARE) until tx
// commits, so deleting it waits and then sees the message's files.
func (in *Inbox) withTemplate(ctx context.Context, tx *db.Store, v Viewer, d db.DialogRow, id int64, text string, files []Upload) (string, []Upload, error) {
	t, err := tx.Template(ctx, v.PortalID, v.UserID, id, "FOR KEY SHARE")
	if err != nil {
		return "", nil, err
	}
	if strings.Contains(text, PlaceholderManager) {
		u, err := tx.User(ctx, v.PortalID, v.UserID)
		if err != nil {
			return "", nil, err
		}
		text = strings.ReplaceAll(text, PlaceholderManager, u.Name)
	}
	text = strings.ReplaceAll(text, PlaceholderClient, displayName(db.NewClient{Name: d.ClientName,
		Phone: d.ClientPhone, ExternalID: d.ClientExternalID, Transport: d.Transport}))
	return text, append(templateUploads(t), files...), nil
}
