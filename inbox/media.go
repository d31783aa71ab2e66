package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"switchboard/channels"
	"switchboard/db"
)

// JobFetchMedia is the outbox job that downloads an inbound attachment from
// its provider into the blob store.
const JobFetchMedia = "fetch_media"

// FetchMediaPayload is a JobFetchMedia job's payload.
type FetchMediaPayload struct {
	AttachmentID int64 `json:"attachment_id"`
}

// Media fetch tuning: a download is tried this many times (the worker's
// backoff spaces them over about half a minute) before the attachment shows
// "could not download"; a file larger than maxInboundFile is refused.
const (
	fetchAttempts  = 5
	maxInboundFile = 100 << 20
)

// runFetchMedia runs one JobFetchMedia job.
func (in *Inbox) runFetchMedia(ctx context.Context, j db.Job) error {
	var p FetchMediaPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("inbox: bad %s payload: %w", j.Kind, err)
	}
	a, err := in.Store.Attachment(ctx, j.PortalID, p.AttachmentID)
	if err != nil {
		return err
	}
	if a.State != db.AttachmentPending {
		return nil // fetched, or given up, by an earlier run
	}
	m, err := in.Store.Message(ctx, j.PortalID, a.MessageID)
	if err != nil {
		return err
	}
	err = in.fetchMedia(ctx, a, m)
	var sendErr *channels.SendError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &sendErr) && !sendErr.Transient, j.Attempts >= fetchAttempts, errors.Is(err, errTooLarge),
		errors.Is(err, db.ErrNotFound):
		in.Log.Warn("could not download an attachment", "attachment", a.ID, "attempt", j.Attempts, "err", err)
		return in.attachmentAttempt(ctx, a, m, err, true)
	default:
		if rerr := in.attachmentAttempt(ctx, a, m, err, false); rerr != nil {
			return rerr
		}
		return errRetry{fmt.Errorf("inbox: fetch of attachment %d: %w", a.ID, err)}
	}
}

var errTooLarge = fmt.Errorf("inbox: the file is larger than %d MB", maxInboundFile>>20)

// fetchMedia streams the provider's file into the blob store and marks the
// attachment ready, live.
func (in *Inbox) fetchMedia(ctx context.Context, a db.Attachment, m db.Message) error {
	if in.Blobs == nil {
		return errors.New("inbox: no blob store configured")
	}
	ch, t, err := in.channelOf(ctx, a.PortalID, m.ChannelID)
	if err != nil {
		return err
	}
	body, info, err := t.FetchMedia(ctx, Account(ch), channels.MediaRef{
		ID: a.ProviderMediaID, URL: a.ProviderURL, MIME: a.MIME, SHA256: a.SHA256, FileName: a.FileName,
	})
	if err != nil {
		return err
	}
	defer body.Close()
	key := newBlobKey(a.PortalID, "in")
	size, sum, err := in.Blobs.Put(ctx, key, io.LimitReader(body, maxInboundFile+1))
	if err != nil {
		return err
	}
	if size > maxInboundFile {
		in.deleteBlob(ctx, key)
		return errTooLarge
	}
	mimeType := info.MIME
	if mimeType == "" {
		mimeType = a.MIME
	}
	stored := false
	err = in.Store.InTx(ctx, func(tx *db.Store) error {
		ok, err := tx.AttachmentStored(ctx, a.PortalID, a.ID, db.StoredFile{Key: key, MIME: mimeType, Size: size, SHA256: sum})
		if err != nil || !ok {
			return err
		}
		stored = true
		return tx.LogEvents(ctx, in.Now(), Event{Portal: a.PortalID, Dialog: m.DialogID, Message: m.ID, Kind: EventStatus})
	})
	if !stored { // not recorded, or another run stored it first: no orphan file
		in.deleteBlob(ctx, key)
	}
	return err
}

// attachmentAttempt records a failed download; the last one shows live.
func (in *Inbox) attachmentAttempt(ctx context.Context, a db.Attachment, m db.Message, cause error, last bool) error {
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		if err := tx.AttachmentAttempt(ctx, a.PortalID, a.ID, cause.Error(), last); err != nil || !last {
			return err
		}
		return tx.LogEvents(ctx, in.Now(), Event{Portal: a.PortalID, Dialog: m.DialogID, Message: m.ID, Kind: EventStatus})
	})
}

// deleteBlob removes a file nobody will refer to, when the store can.
func (in *Inbox) deleteBlob(ctx context.Context, key string) {
	d, ok := in.Blobs.(interface {
		Delete(ctx context.Context, key string) error
	})
	if !ok {
		return
	}
	if err := d.Delete(ctx, key); err != nil {
		in.Log.Warn("unable to delete a file", "key", key, "err", err)
	}
}

// OpenAttachment opens the file of a ready attachment; the caller closes it.
func (in *Inbox) OpenAttachment(ctx context.Context, a db.Attachment) (io.ReadCloser, error) {
	if a.State != db.AttachmentReady || a.StorageKey == "" || in.Blobs == nil {
		return nil, fmt.Errorf("inbox: attachment %d has no file: %w", a.ID, db.ErrNotFound)
	}
	f, err := in.Blobs.Open(ctx, a.StorageKey)
	if errors.Is(err, ErrNoBlob) {
		return nil, fmt.Errorf("inbox: attachment %d: %w", a.ID, db.ErrNotFound)
	}
	return f, err
}
