package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Message is one message of a dialog.
type Message struct {
	PortalID     int64     `db:"portal_id"`
	ID           int64     `db:"id"`
	DialogID     int64     `db:"dialog_id"`
	ChannelID    int64     `db:"channel_id"`
	Direction    string    `db:"direction"`
	AuthorUserID *int64    `db:"author_user_id"`
	AuthorName   string    `db:"author_name"`
	FromPhone    bool      `db:"from_phone"`
	Kind         string    `db:"kind"`
	Body         string    `db:"body"`
	ProviderID   *string   `db:"provider_id"`
	Status       string    `db:"status"`
	ErrorCode    int       `db:"error_code"`
	ErrorText    string    `db:"error_text"`
	ReplyTo      string    `db:"reply_to"`
	Forwarded    bool      `db:"forwarded"`
	CreatedAt    time.Time `db:"created_at"`
	// EditedAt and DeletedAt are set when the message was edited, or unsent
	// / revoked, in the messenger.
	EditedAt  *time.Time `db:"edited_at"`
	DeletedAt *time.Time `db:"deleted_at"`
	// Read-only projections: the files, the reactions (emoji separated by
	// spaces), and the quoted message when ReplyTo names one we have.
	Attachments    Attachments `db:"attachments"`
	Reactions      string      `db:"reactions"`
	QuoteKind      string      `db:"quote_kind"`
	QuoteBody      string      `db:"quote_body"`
	QuoteDirection string      `db:"quote_direction"`
	// Pinned: a comment of the message is pinned in a CRM timeline.
	Pinned bool `db:"pinned"`
	// PausedUntil is set while the message waits for its channel's plan
	// limit: the limit of PausePeriod it waits for, and the portal's time
	// zone that reads the time.
	PausedUntil *time.Time `db:"paused_until"`
	PauseLimit  int        `db:"pause_limit"`
	PausePeriod string     `db:"pause_period"`
	PauseZone   string     `db:"pause_zone"`
}

var messageSelect = `SELECT m.portal_id, m.id, m.dialog_id, m.channel_id, m.direction, m.author_user_id,
	COALESCE(u.name, '') AS author_name, m.from_phone, m.kind, m.body, m.provider_id, m.status,
	m.error_code, m.error_text, m.reply_to, m.forwarded, m.created_at, m.edited_at, m.deleted_at,
	` + attachmentsJSON + `, ` + reactionsOf + `,
	COALESCE(q.kind, '') AS quote_kind, COALESCE(q.body, '') AS quote_body, COALESCE(q.direction, '') AS quote_direction,
	EXISTS (SELECT 1 FROM timeline_comments tc WHERE tc.message_id = m.id AND tc.pinned) AS pinned,
	pm.until AS paused_until, COALESCE(pm.plan_limit, 0) AS pause_limit, COALESCE(pm.period, '') AS pause_period,
	COALESCE(pm.time_zone, '') AS pause_zone
	FROM messages m LEFT JOIN users u ON u.id = m.author_user_id LEFT JOIN paused_messages pm ON pm.message_id = m.id
	LEFT JOIN messages q ON q.channel_id = m.channel_id AND q.provider_id = NULLIF(m.reply_to, '') AND ` + byID("q", "m.portal_id")

// InsertMessage stores a message once: a message whose provider id the
// channel already has is not stored again, and inserted is false.
func (s *Store) InsertMessage(ctx context.Context, m Message) (id int64, inserted bool, err error) {
	err = s.get(ctx, &id, `
		INSERT INTO messages (portal_id, dialog_id, channel_id, direction, author_user_id, from_phone, kind, body,
			provider_id, status, reply_to, forwarded, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (channel_id, provider_id) WHERE provider_id IS NOT NULL DO NOTHING
		RETURNING id`,
		m.PortalID, m.DialogID, m.ChannelID, m.Direction, m.AuthorUserID, m.FromPhone, m.Kind, m.Body,
		m.ProviderID, m.Status, m.ReplyTo, m.Forwarded, m.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("db: unable to insert message into dialog %d: %w", m.DialogID, err)
	}
	return id, true, nil
}

// Message loads one message of a portal; ErrNotFound when there is none.
func (s *Store) Message(ctx context.Context, portalID, id int64) (Message, error) {
	var m Message
	err := s.get(ctx, &m, messageSelect+` WHERE m.id = $2 AND `+byID("m", "$1"), portalID, id)
	if err != nil {
		return m, fmt.Errorf("db: unable to fetch message %d: %w", id, notFound(err))
	}
	return m, nil
}

// Messages lists the last limit messages of a dialog in time order. The
// caller has checked the dialog is visible.
func (s *Store) Messages(ctx context.Context, portalID, dialogID int64, limit int) ([]Message, error) {
	var ms []Message
	err := s.all(ctx, &ms, `SELECT * FROM (`+messageSelect+`
		WHERE m.portal_id = $1 AND m.dialog_id = $2 ORDER BY m.created_at DESC, m.id DESC LIMIT $3) last
		ORDER BY created_at, id`, portalID, dialogID, limit)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list messages of dialog %d: %w", dialogID, err)
	}
	return ms, nil
}

// statusRank orders delivery states; a status never moves to a lower rank.
// "failed" outranks queued and sent only: a late failure does not undo a
// delivery.
const statusRank = `CASE %s WHEN 'received' THEN 0 WHEN 'queued' THEN 0 WHEN 'paused' THEN 0
	WHEN 'sent' THEN 1 WHEN 'failed' THEN 2 WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 WHEN 'played' THEN 5 END`

// StatusUpdate is a delivery receipt to apply.
type StatusUpdate struct {
	PortalID   int64
	ChannelID  int64
	ProviderID string
	Status     string
	ErrorCode  int
	ErrorText  string
	// At is when the status arrived, by the app's clock: an early status
	// is kept from then until it is applied or swept.
	At time.Time
}

// ApplyStatus moves the outgoing message of (channel, provider id) forward
// to the new status; an inbound message's status never changes. It returns the message and dialog ids, found=false when no message
// has that provider id yet (the status is kept in early_statuses and applied
// when the id is recorded), and changed=false when the status was not newer.
func (s *Store) ApplyStatus(ctx context.Context, u StatusUpdate) (msgID, dialogID int64, found, changed bool, err error) {
	var row struct {
		ID       int64 `db:"id"`
		DialogID int64 `db:"dialog_id"`
		Changed  bool  `db:"changed"`
	}
	err = s.get(ctx, &row, `
		WITH target AS (
			SELECT id, dialog_id, status, direction FROM messages
			WHERE channel_id = $2 AND provider_id = $3 AND `+byID("messages", "$1")+` FOR UPDATE
		), moved AS (
			UPDATE messages m SET status = $4, error_code = $5, error_text = $6, updated_at = now()
			FROM target t WHERE m.id = t.id AND t.direction = 'out' AND `+fmt.Sprintf(statusRank, "t.status")+` < `+fmt.Sprintf(statusRank, "$4::text")+`
			RETURNING m.id
		)
		SELECT t.id, t.dialog_id, EXISTS (SELECT 1 FROM moved) AS changed FROM target t`,
		u.PortalID, u.ChannelID, u.ProviderID, u.Status, u.ErrorCode, u.ErrorText)
	if errors.Is(err, sql.ErrNoRows) {
		if u.At.IsZero() {
			return 0, 0, false, false, fmt.Errorf("db: early status of %s without an arrival time", u.ProviderID)
		}
		_, err = s.exec(ctx, `
			INSERT INTO early_statuses (portal_id, channel_id, provider_id, status, error_code, error_text, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
			u.PortalID, u.ChannelID, u.ProviderID, u.Status, u.ErrorCode, u.ErrorText, u.At)
		if err != nil {
			return 0, 0, false, false, fmt.Errorf("db: unable to keep early status of %s: %w", u.ProviderID, err)
		}
		return 0, 0, false, false, nil
	}
	if err != nil {
		return 0, 0, false, false, fmt.Errorf("db: unable to apply status to %s: %w", u.ProviderID, err)
	}
	return row.ID, row.DialogID, true, row.Changed, nil
}

// RecordSent stores the provider id of a sent message and moves it to
// "sent", then applies any status that arrived before the id was known.
func (s *Store) RecordSent(ctx context.Context, portalID, msgID int64, providerID string) error {
	// The provider may echo our own send (Instagram's is_echo) before we
	// record its id: that copy, stored as typed on the phone, gives way.
	if err := s.dropEchoOf(ctx, portalID, msgID, providerID); err != nil {
		return err
	}
	var m struct {
		ChannelID int64 `db:"channel_id"`
	}
	err := s.get(ctx, &m, `UPDATE messages SET provider_id = $3, updated_at = now(),
		status = CASE WHEN status IN ('queued', 'paused') THEN 'sent' ELSE status END
		WHERE id = $2 AND `+byID("messages", "$1")+` RETURNING channel_id`, portalID, msgID, providerID)
	if err != nil {
		return fmt.Errorf("db: unable to record provider id of message %d: %w", msgID, notFound(err))
	}
	var early []StatusUpdate
	err = s.all(ctx, &early, `DELETE FROM early_statuses WHERE portal_id = $3 AND channel_id = $1 AND provider_id = $2
		RETURNING portal_id AS "portalid", channel_id AS "channelid", provider_id AS "providerid",
		status AS "status", error_code AS "errorcode", error_text AS "errortext", created_at AS "at"`, m.ChannelID, providerID, portalID)
	if err != nil {
		return fmt.Errorf("db: unable to read early statuses of %s: %w", providerID, err)
	}
	for _, u := range early {
		if _, _, _, _, err := s.ApplyStatus(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// dropEchoOf deletes a "from the phone" copy of message msgID stored under
// the provider id before msgID's own send was recorded.
func (s *Store) dropEchoOf(ctx context.Context, portalID, msgID int64, providerID string) error {
	_, err := s.exec(ctx, `
		WITH echo AS (
			SELECT e.id FROM messages e JOIN messages m ON m.id = $2 AND m.portal_id = $1
			WHERE e.channel_id = m.channel_id AND e.provider_id = $3 AND `+byID("e", "$1")+` AND e.from_phone AND e.id <> m.id
		), files AS (
			DELETE FROM attachments WHERE portal_id = $1 AND message_id IN (SELECT id FROM echo)
		)
		DELETE FROM messages WHERE id IN (SELECT id FROM echo) AND `+byID("messages", "$1"), portalID, msgID, providerID)
	if err != nil {
		return fmt.Errorf("db: unable to drop the echo of message %d: %w", msgID, err)
	}
	return nil
}

// FailMessage marks an outgoing message failed with the provider's reason.
func (s *Store) FailMessage(ctx context.Context, portalID, msgID int64, code int, reason string) error {
	_, err := s.exec(ctx, `UPDATE messages SET status = 'failed', error_code = $3, error_text = $4,
		updated_at = now() WHERE id = $2 AND `+byID("messages", "$1")+` AND status IN ('queued', 'paused', 'sent')`,
		portalID, msgID, code, reason)
	if err != nil {
		return fmt.Errorf("db: unable to fail message %d: %w", msgID, err)
	}
	return nil
}

// MessageRef is where a message lives.
type MessageRef struct {
	ID       int64 `db:"id"`
	DialogID int64 `db:"dialog_id"`
}

// EditMessage replaces the text of the message of (channel, provider id), as
// edited in the messenger. ErrNotFound when there is no such message.
func (s *Store) EditMessage(ctx context.Context, portalID, channelID int64, providerID, text string, at time.Time) (MessageRef, error) {
	var ref MessageRef
	err := s.get(ctx, &ref, `UPDATE messages SET body = $4, edited_at = $5, updated_at = now()
		WHERE channel_id = $2 AND provider_id = $3 AND `+byID("messages", "$1")+`
		AND (edited_at IS NULL OR edited_at <= $5) RETURNING id, dialog_id`,
		portalID, channelID, providerID, text, at)
	if err != nil {
		return ref, fmt.Errorf("db: unable to edit message %s: %w", providerID, notFound(err))
	}
	return ref, nil
}

// DeleteMessage marks the message of (channel, provider id) deleted (unsent
// or revoked in the messenger), with the parts it was stored as (an
// Instagram message of several attachments is mid, mid#1, mid#2…); its
// text is kept for the record. ErrNotFound when there is no such message.
func (s *Store) DeleteMessage(ctx context.Context, portalID, channelID int64, providerID string, at time.Time) (MessageRef, error) {
	var ref MessageRef
	err := s.get(ctx, &ref, `WITH gone AS (
			UPDATE messages SET deleted_at = COALESCE(deleted_at, $4), updated_at = now()
			WHERE portal_id = $1 AND channel_id = $2
			AND (provider_id = $3 OR left(provider_id, length($3) + 1) = $3 || '#')
			RETURNING id, dialog_id, provider_id)
		SELECT id, dialog_id FROM gone ORDER BY provider_id = $3 DESC, id LIMIT 1`,
		portalID, channelID, providerID, at)
	if err != nil {
		return ref, fmt.Errorf("db: unable to delete message %s: %w", providerID, notFound(err))
	}
	return ref, nil
}

// MessageByProviderID finds the message of (channel, provider id);
// ErrNotFound when there is none.
func (s *Store) MessageByProviderID(ctx context.Context, portalID, channelID int64, providerID string) (MessageRef, error) {
	var ref MessageRef
	err := s.get(ctx, &ref, `SELECT id, dialog_id FROM messages
		WHERE channel_id = $2 AND provider_id = $3 AND `+byID("messages", "$1"), portalID, channelID, providerID)
	if err != nil {
		return ref, fmt.Errorf("db: unable to find message %s: %w", providerID, notFound(err))
	}
	return ref, nil
}

// SweepEarlyStatuses drops statuses that never found their message (a
// message sent from elsewhere, or a send whose id was never recorded) that
// arrived before the given time, and tells how many went.
func (s *Store) SweepEarlyStatuses(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.exec(ctx, `DELETE FROM early_statuses WHERE created_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("db: unable to sweep early statuses: %w", err)
	}
	return res.RowsAffected()
}

// MessagesByID loads messages of a portal in the order of ids; one that
// does not exist is left out.
func (s *Store) MessagesByID(ctx context.Context, portalID int64, ids []int64) ([]Message, error) {
	var ms []Message
	// One probe of messages_pkey per id, whatever the statistics say: joined
	// instead, the generic plan made while the table was young (a few
	// messages when last analyzed) read every message of it. OFFSET 0 keeps
	// the planner from folding the probe back into a join.
	err := s.all(ctx, &ms, `SELECT page.* FROM unnest($2::bigint[]) WITH ORDINALITY AS ask(id, n)
		CROSS JOIN LATERAL (`+messageSelect+` WHERE m.id = ask.id AND `+byID("m", "$1")+` OFFSET 0) page
		ORDER BY ask.n`, portalID, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("db: unable to fetch %d messages: %w", len(ids), err)
	}
	return ms, nil
}

// EarlierQueued reports whether an outgoing message of the dialog older
// than msgID is still queued: msgID's turn has not come.
func (s *Store) EarlierQueued(ctx context.Context, portalID, dialogID, msgID int64) (bool, error) {
	var earlier bool
	err := s.get(ctx, &earlier, `SELECT EXISTS (SELECT 1 FROM messages
		WHERE dialog_id = $2 AND id < $3 AND status = 'queued' AND portal_id = $1)`, portalID, dialogID, msgID)
	if err != nil {
		return false, fmt.Errorf("db: unable to check the order of message %d: %w", msgID, err)
	}
	return earlier, nil
}
