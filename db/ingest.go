package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/lib/pq"
)

// Inbound is one message of a webhook batch, checked and cleaned by the
// caller, ready to store.
type Inbound struct {
	ClientExternalID string
	ClientPhone      string
	ClientName       string
	Message          Message // DialogID is filled in by StoreInbound
	Media            *Attachment
	Preview          string
	Unread           bool // a live inbound message: one more unread
	Answered         bool // a live outgoing message: the dialog is answered
}

// StoredInbound is a message StoreInbound inserted (duplicates are left out).
type StoredInbound struct {
	Index     int // position in the batch
	ID        int64
	DialogID  int64
	MediaID   int64 // the pending attachment, when the message has a file
	HasFile   bool
	CreatedAt time.Time
}

// StoreInbound stores a batch of one channel's messages in a fixed number of
// statements, whatever its size: clients, dialogs, messages (a provider id
// the channel already has is skipped), pending attachments, and each
// dialog's activity. It returns what it inserted, in batch order. Items must
// have distinct provider ids.
func (s *Store) StoreInbound(ctx context.Context, portalID, channelID int64, transport string, items []Inbound) ([]StoredInbound, error) {
	if len(items) == 0 {
		return nil, nil
	}
	clients, dialogs, err := s.clientsAndDialogs(ctx, portalID, channelID, transport, items)
	if err != nil {
		return nil, err
	}
	stored, err := s.insertInbound(ctx, portalID, channelID, items, clients, dialogs)
	if err != nil {
		return nil, err
	}
	if err := s.insertPendingFiles(ctx, portalID, items, stored); err != nil {
		return nil, err
	}
	if err := s.touchDialogs(ctx, portalID, items, stored); err != nil {
		return nil, err
	}
	return stored, nil
}

// clientsAndDialogs maps each item's client (external id) to its client id
// and each client to its dialog on the channel. Most messages come from
// clients we have, in dialogs we have: they are read in one statement, and
// only new clients, changed names or phones and new dialogs are written,
// so a message leaves no dead row versions behind but its dialog's.
func (s *Store) clientsAndDialogs(ctx context.Context, portalID, channelID int64, transport string, items []Inbound) (map[string]int64, map[int64]int64, error) {
	ext := make([]string, 0, len(items))
	for _, it := range items {
		ext = append(ext, it.ClientExternalID)
	}
	var rows []struct {
		ClientID   int64         `db:"client_id"`
		ExternalID string        `db:"external_id"`
		Phone      string        `db:"phone"`
		Name       string        `db:"name"`
		DialogID   sql.NullInt64 `db:"dialog_id"`
	}
	// One index probe per client and per dialog (LATERAL, a subquery),
	// whatever plan the prepared statement settles on: before the tables
	// are first analyzed, a plain join hashed every client of the portal,
	// and "external_id = ANY($4)" filtered them all (measured).
	err := s.all(ctx, &rows, `SELECT c.id AS client_id, c.external_id, c.phone, c.name,
			(SELECT d.id FROM dialogs d WHERE d.channel_id = $3 AND d.client_id = c.id) AS dialog_id
		FROM unnest($4::text[]) AS e(external_id), LATERAL (
			SELECT id, external_id, phone, name FROM clients
			WHERE portal_id = $1 AND transport = $2 AND external_id = e.external_id
			LIMIT 1) c`, // LIMIT: the key is unique, and the subquery stays a probe (not pulled up into a join)
		portalID, transport, channelID, pq.Array(ext))
	if err != nil {
		return nil, nil, fmt.Errorf("db: unable to look up %d clients: %w", len(ext), err)
	}
	clients, dialogs := make(map[string]int64, len(rows)), make(map[int64]int64, len(rows))
	type stored struct{ phone, name string }
	have := make(map[string]stored, len(rows))
	for _, r := range rows {
		clients[r.ExternalID] = r.ClientID
		have[r.ExternalID] = stored{r.Phone, r.Name}
		if r.DialogID.Valid {
			dialogs[r.ClientID] = r.DialogID.Int64
		}
	}
	var write []Inbound // items whose client is new or has a new name or phone
	for _, it := range items {
		h, ok := have[it.ClientExternalID]
		if !ok || it.ClientPhone != "" && it.ClientPhone != h.phone || it.ClientName != "" && it.ClientName != h.name {
			write = append(write, it)
		}
	}
	if len(write) > 0 {
		written, err := s.upsertClients(ctx, portalID, transport, write)
		if err != nil {
			return nil, nil, err
		}
		maps.Copy(clients, written)
	}
	var open []Inbound // items of clients without a dialog on the channel
	for _, it := range items {
		if _, ok := dialogs[clients[it.ClientExternalID]]; !ok {
			open = append(open, it)
		}
	}
	if len(open) > 0 {
		opened, err := s.ensureDialogs(ctx, portalID, channelID, open, clients)
		if err != nil {
			return nil, nil, err
		}
		maps.Copy(dialogs, opened)
	}
	return clients, dialogs, nil
}

// upsertClients saves the batch's clients in one statement (a non-empty
// name or phone refreshes the stored one) and maps external id to client id.
func (s *Store) upsertClients(ctx context.Context, portalID int64, transport string, items []Inbound) (map[string]int64, error) {
	type client struct{ phone, name string }
	seen := map[string]client{}
	var ext []string
	for _, it := range items {
		c, ok := seen[it.ClientExternalID]
		if !ok {
			ext = append(ext, it.ClientExternalID)
		}
		if it.ClientPhone != "" {
			c.phone = it.ClientPhone
		}
		if it.ClientName != "" {
			c.name = it.ClientName
		}
		seen[it.ClientExternalID] = c
	}
	phones, names := make([]string, len(ext)), make([]string, len(ext))
	for i, e := range ext {
		phones[i], names[i] = seen[e].phone, seen[e].name
	}
	var rows []struct {
		ID         int64  `db:"id"`
		ExternalID string `db:"external_id"`
	}
	err := s.all(ctx, &rows, `
		INSERT INTO clients (portal_id, transport, external_id, phone, name)
		SELECT $1, $2, e, p, n FROM unnest($3::text[], $4::text[], $5::text[]) AS v(e, p, n)
		ON CONFLICT (portal_id, transport, external_id) DO UPDATE SET
			phone = COALESCE(NULLIF(EXCLUDED.phone, ''), clients.phone),
			name = COALESCE(NULLIF(EXCLUDED.name, ''), clients.name)
		RETURNING id, external_id`,
		portalID, transport, pq.Array(ext), pq.Array(phones), pq.Array(names))
	if err != nil {
		return nil, fmt.Errorf("db: unable to save %d clients: %w", len(ext), err)
	}
	ids := make(map[string]int64, len(rows))
	for _, r := range rows {
		ids[r.ExternalID] = r.ID
	}
	return ids, nil
}

// ensureDialogs finds or creates the dialog of each client of the batch in
// one statement and maps client id to dialog id.
func (s *Store) ensureDialogs(ctx context.Context, portalID, channelID int64, items []Inbound, clients map[string]int64) (map[int64]int64, error) {
	first := map[int64]time.Time{}
	var ids []int64
	for _, it := range items {
		id := clients[it.ClientExternalID]
		at, ok := first[id]
		if !ok {
			ids = append(ids, id)
		}
		if !ok || it.Message.CreatedAt.Before(at) {
			first[id] = it.Message.CreatedAt
		}
	}
	ats := make([]string, len(ids))
	for i, id := range ids {
		ats[i] = first[id].Format(time.RFC3339Nano)
	}
	var rows []struct {
		ID       int64 `db:"id"`
		ClientID int64 `db:"client_id"`
	}
	err := s.all(ctx, &rows, `
		INSERT INTO dialogs (portal_id, channel_id, client_id, last_message_at)
		SELECT $1, $2, c, t FROM unnest($3::bigint[], $4::timestamptz[]) AS v(c, t)
		ON CONFLICT (channel_id, client_id) DO UPDATE SET portal_id = dialogs.portal_id
		RETURNING id, client_id`,
		portalID, channelID, pq.Array(ids), pq.Array(ats))
	if err != nil {
		return nil, fmt.Errorf("db: unable to ensure %d dialogs: %w", len(ids), err)
	}
	dialogs := make(map[int64]int64, len(rows))
	for _, r := range rows {
		dialogs[r.ClientID] = r.ID
	}
	return dialogs, nil
}

// insertInbound inserts the batch's messages in one statement; a provider id
// the channel already has is skipped.
func (s *Store) insertInbound(ctx context.Context, portalID, channelID int64, items []Inbound, clients map[string]int64, dialogs map[int64]int64) ([]StoredInbound, error) {
	n := len(items)
	var (
		dialog                     = make([]int64, n)
		dir, kind, body, provider  = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		status, replyTo, createdAt = make([]string, n), make([]string, n), make([]string, n)
		fromPhone, forwarded       = make([]bool, n), make([]bool, n)
	)
	for i := range items {
		m := &items[i].Message
		m.DialogID = dialogs[clients[items[i].ClientExternalID]]
		dialog[i], dir[i], kind[i], body[i] = m.DialogID, m.Direction, m.Kind, m.Body
		if m.ProviderID != nil {
			provider[i] = *m.ProviderID
		}
		status[i], replyTo[i], createdAt[i] = m.Status, m.ReplyTo, m.CreatedAt.Format(time.RFC3339Nano)
		fromPhone[i], forwarded[i] = m.FromPhone, m.Forwarded
	}
	var rows []struct {
		ID         int64  `db:"id"`
		ProviderID string `db:"provider_id"`
	}
	err := s.all(ctx, &rows, `
		INSERT INTO messages (portal_id, dialog_id, channel_id, direction, from_phone, kind, body,
			provider_id, status, reply_to, forwarded, created_at)
		SELECT $1, d, $2, dir, fp, k, b, p, st, r, fw, t
		FROM unnest($3::bigint[], $4::text[], $5::boolean[], $6::text[], $7::text[], $8::text[], $9::text[],
			$10::text[], $11::boolean[], $12::timestamptz[]) WITH ORDINALITY AS v(d, dir, fp, k, b, p, st, r, fw, t, i)
		ORDER BY i
		ON CONFLICT (channel_id, provider_id) WHERE provider_id IS NOT NULL DO NOTHING
		RETURNING id, provider_id`,
		portalID, channelID, pq.Array(dialog), pq.Array(dir), pq.Array(fromPhone), pq.Array(kind), pq.Array(body),
		pq.Array(provider), pq.Array(status), pq.Array(replyTo), pq.Array(forwarded), pq.Array(createdAt))
	if err != nil {
		return nil, fmt.Errorf("db: unable to insert %d messages of channel %d: %w", n, channelID, err)
	}
	byProvider := make(map[string]int64, len(rows))
	for _, r := range rows {
		byProvider[r.ProviderID] = r.ID
	}
	var stored []StoredInbound
	for i, p := range provider {
		if id, ok := byProvider[p]; ok {
			stored = append(stored, StoredInbound{Index: i, ID: id, DialogID: dialog[i],
				HasFile: items[i].Media != nil, CreatedAt: items[i].Message.CreatedAt})
		}
	}
	return stored, nil
}

// insertPendingFiles records the pending file of each inserted message that
// has one, in one statement.
func (s *Store) insertPendingFiles(ctx context.Context, portalID int64, items []Inbound, stored []StoredInbound) error {
	var msg []int64
	var name, mime, sum, media, url []string
	var at []int
	for k, st := range stored {
		a := items[st.Index].Media
		if a == nil {
			continue
		}
		msg = append(msg, st.ID)
		name, mime, sum = append(name, a.FileName), append(mime, a.MIME), append(sum, a.SHA256)
		media, url = append(media, a.ProviderMediaID), append(url, a.ProviderURL)
		at = append(at, k)
	}
	if len(msg) == 0 {
		return nil
	}
	var rows []struct {
		ID        int64 `db:"id"`
		MessageID int64 `db:"message_id"`
	}
	err := s.all(ctx, &rows, `
		INSERT INTO attachments (portal_id, message_id, file_name, mime, sha256, state, provider_media_id, provider_url)
		SELECT $1, m, n, t, h, 'pending', pm, pu
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS v(m, n, t, h, pm, pu)
		RETURNING id, message_id`,
		portalID, pq.Array(msg), pq.Array(name), pq.Array(mime), pq.Array(sum), pq.Array(media), pq.Array(url))
	if err != nil {
		return fmt.Errorf("db: unable to record %d pending files: %w", len(msg), err)
	}
	byMessage := make(map[int64]int64, len(rows))
	for _, r := range rows {
		byMessage[r.MessageID] = r.ID
	}
	for _, k := range at {
		stored[k].MediaID = byMessage[stored[k].ID]
	}
	return nil
}

// dialogActivity is what a batch's inserted messages do to one dialog: the
// same as touching it once per message, in batch order.
type dialogActivity struct {
	unread         int
	lastAt         time.Time
	preview, dir   string
	inboundAt      *time.Time
	answered       bool
	unansweredFrom *time.Time // the first unread message after the last answer
}

// touchDialogs records the activity of the inserted messages on their
// dialogs in one statement. An older message (a history backfill) never
// moves a dialog back in time.
func (s *Store) touchDialogs(ctx context.Context, portalID int64, items []Inbound, stored []StoredInbound) error {
	acts := map[int64]*dialogActivity{}
	var order []int64
	for _, st := range stored {
		it, a := items[st.Index], acts[st.DialogID]
		if a == nil {
			a = &dialogActivity{lastAt: st.CreatedAt, preview: it.Preview, dir: it.Message.Direction}
			acts[st.DialogID] = a
			order = append(order, st.DialogID)
		}
		at := st.CreatedAt
		if !at.Before(a.lastAt) {
			a.lastAt, a.preview, a.dir = at, it.Preview, it.Message.Direction
		}
		if it.Message.Direction == "in" && (a.inboundAt == nil || at.After(*a.inboundAt)) {
			a.inboundAt = &at
		}
		switch {
		case it.Answered:
			a.answered, a.unansweredFrom = true, nil
		case it.Unread:
			a.unread++
			if a.unansweredFrom == nil {
				a.unansweredFrom = &at
			}
		}
	}
	n := len(order)
	unread, answered := make([]int64, n), make([]bool, n)
	lastAt, preview, dir := make([]string, n), make([]string, n), make([]string, n)
	inboundAt, unansweredFrom := make([]sql.NullString, n), make([]sql.NullString, n)
	for i, id := range order {
		a := acts[id]
		unread[i], answered[i] = int64(a.unread), a.answered
		lastAt[i], preview[i], dir[i] = a.lastAt.Format(time.RFC3339Nano), a.preview, a.dir
		inboundAt[i], unansweredFrom[i] = nullTime(a.inboundAt), nullTime(a.unansweredFrom)
	}
	_, err := s.exec(ctx, `
		UPDATE dialogs d SET
			unread_count = d.unread_count + v.unread,
			last_preview = CASE WHEN v.at >= d.last_message_at OR d.last_preview = '' THEN v.preview ELSE d.last_preview END,
			last_direction = CASE WHEN v.at >= d.last_message_at OR d.last_preview = '' THEN v.dir ELSE d.last_direction END,
			last_message_at = GREATEST(d.last_message_at, v.at),
			last_inbound_at = GREATEST(d.last_inbound_at, v.inbound_at),
			unanswered_since = CASE WHEN v.answered THEN v.unanswered_from
				ELSE COALESCE(d.unanswered_since, v.unanswered_from) END
		FROM unnest($2::bigint[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::timestamptz[],
			$8::boolean[], $9::timestamptz[]) AS v(id, unread, at, preview, dir, inbound_at, answered, unanswered_from)
		WHERE d.id = v.id AND `+byID("d", "$1"),
		portalID, pq.Array(order), pq.Array(unread), pq.Array(lastAt), pq.Array(preview), pq.Array(dir),
		pq.Array(inboundAt), pq.Array(answered), pq.Array(unansweredFrom))
	if err != nil {
		return fmt.Errorf("db: unable to update %d dialogs: %w", n, err)
	}
	return nil
}

func nullTime(t *time.Time) sql.NullString {
	if t == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: t.Format(time.RFC3339Nano), Valid: true}
}

// EnqueueMany adds one job of kind per payload, all due at runAt, in one
// statement; in a transaction, just before it commits.
func (s *Store) EnqueueMany(ctx context.Context, portalID int64, kind string, payloads []any, runAt time.Time) error {
	if len(payloads) == 0 {
		return nil
	}
	bodies := make([]string, len(payloads))
	for i, p := range payloads {
		b, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("db: unable to encode %s job: %w", kind, err)
		}
		bodies[i] = string(b)
	}
	if s.tail != nil { // written at the commit (txTail)
		for _, b := range bodies {
			s.tail.jobs = append(s.tail.jobs, tailJob{portal: portalID, kind: kind, payload: b, runAt: runAt})
		}
		return nil
	}
	_, err := s.exec(ctx, `INSERT INTO outbox (portal_id, kind, payload, run_at)
		SELECT $1, $2, p, $4 FROM unnest($3::jsonb[]) AS p`, portalID, kind, pq.Array(bodies), runAt)
	if err != nil {
		return fmt.Errorf("db: unable to enqueue %d %s jobs: %w", len(payloads), kind, err)
	}
	return nil
}

// Savepoint runs fn inside a savepoint of the Store's transaction: when fn
// fails, what it did is undone and the transaction goes on.
func (s *Store) Savepoint(ctx context.Context, fn func() error) error {
	if _, err := s.exec(ctx, `SAVEPOINT item`); err != nil {
		return fmt.Errorf("db: unable to set a savepoint: %w", err)
	}
	var mark tailMark
	if s.tail != nil {
		mark = s.tail.mark()
	}
	if err := fn(); err != nil {
		if s.tail != nil { // the events and jobs fn left for the commit go with what it wrote
			s.tail.rewind(mark)
		}
		if _, rerr := s.exec(ctx, `ROLLBACK TO SAVEPOINT item`); rerr != nil {
			return fmt.Errorf("db: unable to roll back to a savepoint: %w (after %v)", rerr, err)
		}
		return err
	}
	_, err := s.exec(ctx, `RELEASE SAVEPOINT item`)
	if err != nil {
		return fmt.Errorf("db: unable to release a savepoint: %w", err)
	}
	return nil
}

// KeepRejected stores a webhook item that cannot be stored as what it is,
// raw, with the reason, so nothing a client sent is lost without a trace.
func (s *Store) KeepRejected(ctx context.Context, portalID, channelID int64, reason string, raw []byte) error {
	_, err := s.exec(ctx, `INSERT INTO webhook_rejects (portal_id, channel_id, reason, item)
		VALUES ($1, $2, $3, $4)`, portalID, channelID, reason, raw)
	if err != nil {
		return fmt.Errorf("db: unable to keep a rejected item of channel %d: %w", channelID, err)
	}
	return nil
}
