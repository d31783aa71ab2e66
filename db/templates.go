package db

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Template is a manager's message template. Every read takes its owner:
// a template is its author's alone, whoever else asks gets ErrNotFound.
type Template struct {
	PortalID  int64         `db:"portal_id"`
	ID        int64         `db:"id"`
	OwnerID   int64         `db:"owner_user_id"`
	Name      string        `db:"name"`
	Body      string        `db:"body"`
	UpdatedAt time.Time     `db:"updated_at"`
	Files     TemplateFiles `db:"files"`
}

// TemplateFile is one file of a template, in its saved order.
type TemplateFile struct {
	ID         int64  `db:"id" json:"id"`
	FileName   string `db:"file_name" json:"file_name"`
	MIME       string `db:"mime" json:"mime"`
	Size       int64  `db:"size" json:"size"`
	SHA256     string `db:"sha256" json:"sha256"`
	StorageKey string `db:"storage_key" json:"storage_key"`
	Position   int    `db:"position" json:"position"`
}

// TemplateFiles scans from the JSON array the template queries aggregate.
type TemplateFiles []TemplateFile

// Scan implements sql.Scanner.
func (f *TemplateFiles) Scan(src any) error { return scanJSON(src, (*[]TemplateFile)(f)) }

const templateSelect = `SELECT t.portal_id, t.id, t.owner_user_id, t.name, t.body, t.updated_at,
	COALESCE((SELECT json_agg(json_build_object('id', a.id, 'file_name', a.file_name, 'mime', a.mime,
		'size', a.size, 'sha256', a.sha256, 'storage_key', a.storage_key, 'position', a.position)
		ORDER BY a.position, a.id)
	FROM attachments a WHERE a.portal_id = t.portal_id AND a.template_id = t.id), '[]') AS files
	FROM templates t`

// Templates lists an owner's templates by name; query, when not empty,
// keeps those whose name or text contains it (case-insensitively).
func (s *Store) Templates(ctx context.Context, portalID, ownerID int64, query string) ([]Template, error) {
	var ts []Template
	err := s.all(ctx, &ts, templateSelect+`
		WHERE t.portal_id = $1 AND t.owner_user_id = $2
		  AND ($3 = '' OR strpos(lower(t.name), lower($3)) > 0 OR strpos(lower(t.body), lower($3)) > 0)
		ORDER BY lower(t.name), t.id LIMIT 200`, portalID, ownerID, query)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list templates: %w", err)
	}
	return ts, nil
}

// Template loads one of an owner's templates; lock is "" or a row lock
// clause ("FOR KEY SHARE": a send holds it so the template cannot be
// deleted, and its blobs with it, before the send commits).
func (s *Store) Template(ctx context.Context, portalID, ownerID, id int64, lock string) (Template, error) {
	var t Template
	if lock != "" && lock != "FOR KEY SHARE" && lock != "FOR UPDATE" {
		return t, fmt.Errorf("db: bad lock %q", lock)
	}
	err := s.get(ctx, &t, templateSelect+`
		WHERE t.portal_id = $1 AND t.owner_user_id = $2 AND t.id = $3 `+lock, portalID, ownerID, id)
	if err != nil {
		return t, fmt.Errorf("db: unable to fetch template %d: %w", id, notFound(err))
	}
	return t, nil
}

// SaveTemplate creates (t.ID == 0) or updates an owner's template and
// returns its id; updating another owner's is ErrNotFound.
func (s *Store) SaveTemplate(ctx context.Context, t Template, now time.Time) (int64, error) {
	var id int64
	var err error
	if t.ID == 0 {
		err = s.get(ctx, &id, `INSERT INTO templates (portal_id, owner_user_id, name, body, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, t.PortalID, t.OwnerID, t.Name, t.Body, now)
	} else {
		err = s.get(ctx, &id, `UPDATE templates SET name = $4, body = $5, updated_at = $6
			WHERE portal_id = $1 AND owner_user_id = $2 AND id = $3 RETURNING id`,
			t.PortalID, t.OwnerID, t.ID, t.Name, t.Body, now)
	}
	if err != nil {
		return 0, fmt.Errorf("db: unable to save template: %w", notFound(err))
	}
	return id, nil
}

// AddTemplateFile appends a stored file to a template, after its others.
func (s *Store) AddTemplateFile(ctx context.Context, portalID, templateID int64, f TemplateFile) (int64, error) {
	var id int64
	err := s.get(ctx, &id, `INSERT INTO attachments (portal_id, template_id, file_name, mime, size, sha256,
			storage_key, position, state)
		SELECT $1, $2, $3, $4, $5, $6, $7,
			COALESCE((SELECT max(position) + 1 FROM attachments WHERE portal_id = $1 AND template_id = $2), 0), 'ready'
		RETURNING id`, portalID, templateID, f.FileName, f.MIME, f.Size, f.SHA256, f.StorageKey)
	if err != nil {
		return 0, fmt.Errorf("db: unable to add a file to template %d: %w", templateID, err)
	}
	return id, nil
}

// KeepTemplateFiles makes keep (file ids, in order) the template's files:
// their positions follow keep, and files not in it are removed. It returns
// the storage keys of the removed files; ids not of this template are
// ignored.
func (s *Store) KeepTemplateFiles(ctx context.Context, portalID, templateID int64, keep []int64) ([]string, error) {
	if keep == nil {
		keep = []int64{} // '{}', not NULL: keep nothing
	}
	var gone []string
	err := s.all(ctx, &gone, `DELETE FROM attachments
		WHERE portal_id = $1 AND template_id = $2 AND NOT (id = ANY($3)) RETURNING storage_key`,
		portalID, templateID, pq.Int64Array(keep))
	if err != nil {
		return nil, fmt.Errorf("db: unable to remove files of template %d: %w", templateID, err)
	}
	_, err = s.exec(ctx, `UPDATE attachments a SET position = k.ord - 1
		FROM unnest($3::bigint[]) WITH ORDINALITY AS k(id, ord)
		WHERE a.portal_id = $1 AND a.template_id = $2 AND a.id = k.id`, portalID, templateID, pq.Int64Array(keep))
	if err != nil {
		return nil, fmt.Errorf("db: unable to order files of template %d: %w", templateID, err)
	}
	return gone, nil
}

// DeleteTemplate removes an owner's template and its file rows and returns
// their storage keys; ErrNotFound when it is not theirs.
func (s *Store) DeleteTemplate(ctx context.Context, portalID, ownerID, id int64) ([]string, error) {
	if _, err := s.Template(ctx, portalID, ownerID, id, "FOR UPDATE"); err != nil {
		return nil, err
	}
	gone, err := s.KeepTemplateFiles(ctx, portalID, id, nil)
	if err != nil {
		return nil, err
	}
	if _, err := s.exec(ctx, `DELETE FROM templates WHERE portal_id = $1 AND id = $2`, portalID, id); err != nil {
		return nil, fmt.Errorf("db: unable to delete template %d: %w", id, err)
	}
	return gone, nil
}

// UnusedBlobs keeps of keys those no attachment refers to any more: the
// blobs that may be deleted. Run it after the change that dropped the rows
// has committed (a statement of its own sees every committed send).
func (s *Store) UnusedBlobs(ctx context.Context, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var unused []string
	err := s.all(ctx, &unused, `SELECT k FROM unnest($1::text[]) AS k
		WHERE k LIKE 'p%/tpl/%' AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.storage_key = k AND a.storage_key LIKE 'p%/tpl/%')`,
		pq.StringArray(keys))
	if err != nil {
		return nil, fmt.Errorf("db: unable to check which files are still used: %w", err)
	}
	return unused, nil
}
