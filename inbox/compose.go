package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// MaxFiles is how many files one composer message may carry.
const MaxFiles = 10

// ErrTooManyFiles is a composer message with more than MaxFiles files.
var ErrTooManyFiles = fmt.Errorf("inbox: more than %d files in one message", MaxFiles)

// FileTooLargeError is a composer file over MaxUpload; nothing of it is kept.
type FileTooLargeError struct{ Name string }

func (e FileTooLargeError) Error() string {
	return fmt.Sprintf("inbox: %s is larger than %d MB", e.Name, MaxUpload>>20)
}

func (e FileTooLargeError) Is(target error) bool { return target == ErrFileTooLarge }

// Draft is a composer message being received: its files are streamed into
// the blob store as they arrive, within the limits, for a dialog the
// viewer may see. Send queues it; Discard drops what was kept.
type Draft struct {
	in       *Inbox
	v        Viewer
	dialog   int64
	client   int64      // the dialog's client; 0 for one writing first makes
	to       *recipient // instead of dialog: the dialog is found or started on Send
	files    []Upload
	template int64 // UseTemplate's, 0 for none
}

// NewDraft starts a message to a dialog v may see (ErrNotFound otherwise):
// only such a dialog gets to upload anything.
func (in *Inbox) NewDraft(ctx context.Context, v Viewer, dialogID int64) (*Draft, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return nil, err
	}
	d, err := in.Store.Dialog(ctx, vis, dialogID)
	if err != nil {
		return nil, err
	}
	return &Draft{in: in, v: v, dialog: dialogID, client: d.ClientID}, nil
}

// AddFile keeps one file of the message: ErrTooManyFiles past MaxFiles, a
// FileTooLargeError past MaxUpload (the reader is then not drained).
func (d *Draft) AddFile(ctx context.Context, name, mimeType string, r io.Reader) error {
	if len(d.files) == MaxFiles {
		return ErrTooManyFiles
	}
	up, err := d.in.SaveUpload(ctx, d.v.PortalID, name, mimeType, r)
	if errors.Is(err, ErrFileTooLarge) {
		return FileTooLargeError{Name: name}
	}
	if err != nil {
		return err
	}
	d.files = append(d.files, up)
	return nil
}

// Send queues the text and the files kept (SendMessage); on any error the
// files are discarded.
func (d *Draft) Send(ctx context.Context, text string) (Sent, error) {
	var sent Sent
	err := d.startDialog(ctx, text)
	if err == nil {
		sent, err = d.in.sendMessage(ctx, d.v, d.dialog, text, d.files, d.template)
	}
	if err != nil {
		d.Discard(ctx)
	}
	return sent, err
}

// Discard removes the files kept so far (a template's are not the draft's).
func (d *Draft) Discard(ctx context.Context) {
	d.in.DiscardUploads(ctx, d.files)
	d.files = nil
}
