package inbox

import (
	"context"
	"io"

	"switchboard/db"
)

// File is an attachment's row and its open content; the caller closes it.
type File struct {
	db.Attachment
	io.ReadCloser
}

// Attachment opens a file of a message in a dialog v may see; ErrNotFound
// when there is none, it is not ready, or it is not theirs to see.
func (in *Inbox) Attachment(ctx context.Context, v Viewer, id int64) (File, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return File{}, err
	}
	a, err := in.Store.VisibleAttachment(ctx, vis, id)
	if err != nil {
		return File{}, err
	}
	return in.open(ctx, a)
}

// LinkedFile opens the file a signed, expiring media link names (providers
// that send media by link fetch from it): ErrBadLink for a token we did not
// sign or that has expired, ErrNotFound when the file is gone.
func (in *Inbox) LinkedFile(ctx context.Context, token string) (File, error) {
	a, err := in.AttachmentByLink(ctx, token)
	if err != nil {
		return File{}, err
	}
	return in.open(ctx, a)
}

func (in *Inbox) open(ctx context.Context, a db.Attachment) (File, error) {
	f, err := in.OpenAttachment(ctx, a)
	if err != nil {
		return File{}, err
	}
	return File{Attachment: a, ReadCloser: f}, nil
}

// Ready reports whether the database answers and its schema is current.
func (in *Inbox) Ready(ctx context.Context) error {
	if err := in.Store.Ping(ctx); err != nil {
		return err
	}
	return db.CheckSchema(ctx, in.Store.DB)
}
