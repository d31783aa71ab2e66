package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"

	"switchboard/channels"
	"switchboard/db"
)

// MaxUpload is our limit per file, whatever the transport (product.md:
// 50 MB per file).
const MaxUpload = 50 << 20

// ErrFileTooLarge is a composer file over MaxUpload.
var ErrFileTooLarge = errors.New("inbox: the file is larger than 50 MB")

// Upload is a file the composer sent, already kept in the blob store.
type Upload struct {
	Key      string
	FileName string
	MIME     string
	Size     int64
	SHA256   string
}

// SaveUpload streams one composer file into the blob store. A file over
// MaxUpload is refused with ErrFileTooLarge and nothing is kept; the reader
// is not drained.
func (in *Inbox) SaveUpload(ctx context.Context, portalID int64, name, mimeType string, r io.Reader) (Upload, error) {
	return in.saveUpload(ctx, portalID, "out", name, mimeType, r)
}

// saveUpload is SaveUpload under a key of kind ("out": a message's, "tpl":
// a template's).
func (in *Inbox) saveUpload(ctx context.Context, portalID int64, kind, name, mimeType string, r io.Reader) (Upload, error) {
	if in.Blobs == nil {
		return Upload{}, errors.New("inbox: no blob store configured")
	}
	key := newBlobKey(portalID, kind)
	size, sum, err := in.Blobs.Put(ctx, key, io.LimitReader(r, MaxUpload+1))
	if err != nil {
		return Upload{}, err
	}
	if size > MaxUpload {
		in.deleteBlob(ctx, key)
		return Upload{}, ErrFileTooLarge
	}
	return Upload{Key: key, FileName: name, MIME: mimeType, Size: size, SHA256: sum}, nil
}

// DiscardUploads removes kept files that will not be sent.
func (in *Inbox) DiscardUploads(ctx context.Context, ups []Upload) {
	for _, u := range ups {
		in.deleteBlob(ctx, u.Key)
	}
}

// RefusedError is a file (or the text, when FileName is empty) the dialog's
// transport would refuse; nothing was queued.
type RefusedError struct {
	FileName  string
	Transport string // the transport's title: "WhatsApp"
	// Limit is the broken limit, when it is one; otherwise Err says why.
	Limit *channels.LimitError
	Err   error
}

func (e *RefusedError) Error() string {
	if e.Limit != nil {
		return fmt.Sprintf("inbox: %s refused %q: %s", e.Transport, e.FileName, e.Limit.Message)
	}
	return fmt.Sprintf("inbox: %s refused %q: %v", e.Transport, e.FileName, e.Err)
}

func (e *RefusedError) Unwrap() error { return e.Err }

// piece is one provider message of what the composer sent.
type piece struct {
	Kind channels.Kind
	Text string
	File *Upload
}

// planPieces splits a composer message into provider messages, checking
// each against the transport's limits before anything is queued. Each file
// is its own message. The text rides as the caption of the first file when
// the transport takes it there (WhatsApp images, videos and documents, up to
// 1024 characters); otherwise (Instagram, audio, a longer text) it goes as
// its own message before the files.
func planPieces(t channels.Transport, text string, files []Upload) ([]piece, error) {
	check, title := t.CheckOutgoing, t.Capabilities().Title
	var out []piece
	for i, f := range files {
		p := piece{Kind: t.KindForFile(f.MIME, f.Size), File: &files[i]}
		if err := check(probe(p), f.Size); err != nil {
			return nil, refused(title, f.FileName, err)
		}
		out = append(out, p)
	}
	if text == "" {
		return out, nil
	}
	if len(out) > 0 {
		first := out[0]
		first.Text = text
		if check(probe(first), first.File.Size) == nil {
			out[0] = first
			return out, nil
		}
	}
	if err := check(channels.Outgoing{Kind: channels.KindText, Text: text}, 0); err != nil {
		return nil, refused(title, "", err)
	}
	return append([]piece{{Kind: channels.KindText, Text: text}}, out...), nil
}

// probe is the outgoing message a piece will be, for the limit checks.
func probe(p piece) channels.Outgoing {
	out := channels.Outgoing{Kind: p.Kind, Text: p.Text}
	if p.File != nil {
		out.Media = &channels.OutMedia{ID: "probe", Link: "https://probe.invalid/", MIME: p.File.MIME, FileName: p.File.FileName}
	}
	return out
}

func refused(transport, name string, err error) error {
	var limit *channels.LimitError
	if errors.As(err, &limit) {
		return &RefusedError{FileName: name, Transport: transport, Limit: limit, Err: err}
	}
	return &RefusedError{FileName: name, Transport: transport, Err: err}
}

// outgoing is the transport's view of a queued message. A file goes by the
// media id of its upload (WhatsApp; uploaded once, the id kept for retries)
// or by a signed public link (Instagram).
func (in *Inbox) outgoing(ctx context.Context, t channels.Transport, ch db.Channel, d db.DialogRow, m db.Message) (channels.Outgoing, error) {
	out := channels.Outgoing{To: d.ClientExternalID, Kind: channels.Kind(m.Kind), Text: m.Body, ReplyTo: m.ReplyTo}
	if out.Kind == channels.KindTemplate {
		tpl, err := in.outgoingTemplate(ctx, m)
		out.Template = tpl
		return out, err
	}
	if len(m.Attachments) == 0 {
		return out, nil
	}
	atts, err := in.Store.MessageAttachments(ctx, m.PortalID, m.ID)
	if err != nil || len(atts) == 0 {
		return out, err
	}
	a := atts[0]
	out.Media = &channels.OutMedia{MIME: a.MIME, FileName: a.FileName, ID: a.ProviderMediaID}
	if a.ProviderMediaID != "" {
		return out, nil
	}
	if in.Blobs == nil {
		return out, errors.New("inbox: no blob store configured")
	}
	f, err := in.Blobs.Open(ctx, a.StorageKey)
	if err != nil {
		return out, err
	}
	defer f.Close()
	id, err := t.UploadMedia(ctx, Account(ch), f, channels.MediaInfo{MIME: a.MIME, Size: a.Size, FileName: a.FileName})
	switch {
	case errors.Is(err, channels.ErrUploadUnsupported):
		out.Media.Link = in.MediaLink(a)
		return out, nil
	case err != nil:
		return out, err
	}
	out.Media.ID = id
	return out, in.Store.SetProviderMediaID(ctx, a.PortalID, a.ID, id)
}
