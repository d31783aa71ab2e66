package db

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// Attachment states.
const (
	AttachmentPending = "pending" // an inbound file not fetched yet
	AttachmentReady   = "ready"   // in the blob store
	AttachmentFailed  = "failed"  // the fetch gave up
)

// Attachment is a file of a message, kept in the blob store under
// StorageKey once ready.
type Attachment struct {
	PortalID        int64  `db:"portal_id" json:"portal_id"`
	ID              int64  `db:"id" json:"id"`
	MessageID       int64  `db:"message_id" json:"message_id"`
	FileName        string `db:"file_name" json:"file_name"`
	MIME            string `db:"mime" json:"mime"`
	Size            int64  `db:"size" json:"size"`
	SHA256          string `db:"sha256" json:"sha256"`
	StorageKey      string `db:"storage_key" json:"-"`
	Position        int    `db:"position" json:"position"`
	State           string `db:"state" json:"state"`
	ProviderMediaID string `db:"provider_media_id" json:"-"`
	ProviderURL     string `db:"provider_url" json:"-"`
	Attempts        int    `db:"attempts" json:"attempts"`
	LastError       string `db:"last_error" json:"-"`
}

// Attachments is a message's files in order; it scans from the JSON array
// the message queries aggregate, so a dialog's messages and their files come
// in one query.
type Attachments []Attachment

// Scan implements sql.Scanner.
func (a *Attachments) Scan(src any) error { return scanJSON(src, (*[]Attachment)(a)) }

// scanJSON decodes a JSON column (nil stays the zero value) into dst.
func scanJSON(src, dst any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("db: cannot scan %T into %T", src, dst)
	}
	return json.Unmarshal(b, dst)
}

// Value implements driver.Valuer.
func (a Attachments) Value() (driver.Value, error) { return json.Marshal([]Attachment(a)) }

// attachmentsJSON aggregates the attachments of messages m.
const attachmentsJSON = `COALESCE((SELECT json_agg(json_build_object('portal_id', a.portal_id, 'id', a.id,
	'message_id', a.message_id, 'file_name', a.file_name, 'mime', a.mime, 'size', a.size, 'sha256', a.sha256,
	'position', a.position, 'state', a.state, 'attempts', a.attempts) ORDER BY a.position, a.id)
	FROM attachments a WHERE a.portal_id = m.portal_id AND a.message_id = m.id), '[]') AS attachments`

const attachmentColumns = `a.portal_id, a.id, COALESCE(a.message_id, 0) AS message_id, a.file_name, a.mime, a.size,
	a.sha256, a.storage_key, a.position, a.state, a.provider_media_id, a.provider_url, a.attempts, a.last_error`

// InsertAttachment stores a file of a message and returns its id.
func (s *Store) InsertAttachment(ctx context.Context, a Attachment) (int64, error) {
	if a.State == "" {
		a.State = AttachmentReady
	}
	var id int64
	err := s.get(ctx, &id, `
		INSERT INTO attachments (portal_id, message_id, file_name, mime, size, sha256, storage_key, position,
			state, provider_media_id, provider_url)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		a.PortalID, a.MessageID, a.FileName, a.MIME, a.Size, a.SHA256, a.StorageKey, a.Position,
		a.State, a.ProviderMediaID, a.ProviderURL)
	if err != nil {
		return 0, fmt.Errorf("db: unable to insert attachment of message %d: %w", a.MessageID, err)
	}
	return id, nil
}

// Attachment loads one attachment of a portal; ErrNotFound when there is none.
func (s *Store) Attachment(ctx context.Context, portalID, id int64) (Attachment, error) {
	var a Attachment
	err := s.get(ctx, &a, `SELECT `+attachmentColumns+` FROM attachments a WHERE a.portal_id = $1 AND a.id = $2`, portalID, id)
	if err != nil {
		return a, fmt.Errorf("db: unable to fetch attachment %d: %w", id, notFound(err))
	}
	return a, nil
}

// VisibleAttachment loads an attachment of a message in a dialog v may see;
// ErrNotFound when there is none, it is another portal's, or the dialog is
// hidden from the user.
func (s *Store) VisibleAttachment(ctx context.Context, v Visibility, id int64) (Attachment, error) {
	var a Attachment
	err := s.get(ctx, &a, `SELECT `+attachmentColumns+` FROM attachments a
		JOIN messages m ON m.id = a.message_id AND m.portal_id = a.portal_id
		JOIN dialogs d ON d.id = m.dialog_id AND d.portal_id = m.portal_id
		WHERE `+visible+` AND a.id = $5`, append(v.args(), id)...)
	if err != nil {
		return a, fmt.Errorf("db: unable to fetch attachment %d: %w", id, notFound(err))
	}
	return a, nil
}

// MessageAttachments lists a message's files in order.
func (s *Store) MessageAttachments(ctx context.Context, portalID, messageID int64) ([]Attachment, error) {
	var as []Attachment
	err := s.all(ctx, &as, `SELECT `+attachmentColumns+` FROM attachments a
		WHERE a.portal_id = $1 AND a.message_id = $2 ORDER BY a.position, a.id`, portalID, messageID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list attachments of message %d: %w", messageID, err)
	}
	return as, nil
}

// StoredFile is what the blob store reported about a saved file.
type StoredFile struct {
	Key    string
	MIME   string
	Size   int64
	SHA256 string
}

// AttachmentStored marks a pending attachment ready with its file's facts.
func (s *Store) AttachmentStored(ctx context.Context, portalID, id int64, f StoredFile) (bool, error) {
	res, err := s.exec(ctx, `UPDATE attachments SET state = 'ready', storage_key = $3,
		mime = CASE WHEN $4 = '' THEN mime ELSE $4 END, size = $5, sha256 = $6, last_error = '', updated_at = now()
		WHERE portal_id = $1 AND id = $2 AND state = 'pending'`, portalID, id, f.Key, f.MIME, f.Size, f.SHA256)
	if err != nil {
		return false, fmt.Errorf("db: unable to record file of attachment %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// AttachmentAttempt counts a failed fetch of an attachment; failed marks it
// given up.
func (s *Store) AttachmentAttempt(ctx context.Context, portalID, id int64, cause string, failed bool) error {
	_, err := s.exec(ctx, `UPDATE attachments SET attempts = attempts + 1, last_error = $3,
		state = CASE WHEN $4 THEN 'failed' ELSE state END, updated_at = now()
		WHERE portal_id = $1 AND id = $2 AND state <> 'ready'`, portalID, id, cause, failed)
	if err != nil {
		return fmt.Errorf("db: unable to record a fetch attempt of attachment %d: %w", id, err)
	}
	return nil
}

// SetProviderMediaID keeps the media id an upload of the attachment got, so
// a retried send does not upload it again.
func (s *Store) SetProviderMediaID(ctx context.Context, portalID, id int64, mediaID string) error {
	_, err := s.exec(ctx, `UPDATE attachments SET provider_media_id = $3, updated_at = now()
		WHERE portal_id = $1 AND id = $2`, portalID, id, mediaID)
	if err != nil {
		return fmt.Errorf("db: unable to record the media id of attachment %d: %w", id, err)
	}
	return nil
}
