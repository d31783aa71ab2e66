-- Message templates (issue 12): a template belongs to its author alone.
-- Its files are attachments rows with template_id, in position order. A
-- message sent with a template gets its own attachments rows that share the
-- template's blobs (storage keys under p<portal>/tpl/): deleting a template
-- removes a blob only when no row refers to it any more.
ALTER TABLE templates ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX templates_owner ON templates (portal_id, owner_user_id, name);
CREATE INDEX attachments_template ON attachments (template_id, position) WHERE template_id IS NOT NULL;
-- Which messages still use a template's blob: only the keys templates make.
CREATE INDEX attachments_template_blob ON attachments (storage_key) WHERE storage_key LIKE 'p%/tpl/%';

-- A dialog's outgoing messages leave in order: a send waits while an older
-- one of its dialog is queued (db.EarlierQueued).
CREATE INDEX messages_queued ON messages (dialog_id, id) WHERE status = 'queued';
