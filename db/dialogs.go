package db

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
)

// Visibility says which of a portal's dialogs one user may see (settings 6
// and 7). inbox decides it; every dialog query applies it.
type Visibility struct {
	PortalID   int64
	UserID     int64
	All        bool // setting 6 "all", or an administrator of setting 7
	Unassigned bool // dialogs without a responsible are visible too
	// Team are other users whose dialogs are visible too: a head of
	// department's, under "own + my department's".
	Team []int64
}

// visible is the WHERE fragment for a Visibility given as $1..$4: $3 holds
// the user and their team.
const visible = `d.portal_id = $1 AND ($2 OR d.responsible_user_id = ANY($3) OR ($4 AND d.responsible_user_id IS NULL))`

func (v Visibility) args() []any {
	return []any{v.PortalID, v.All, pq.Array(append([]int64{v.UserID}, v.Team...)), v.Unassigned}
}

// Sees is the same rule in memory: whether v sees a dialog with this
// responsible (nil: none).
func (v Visibility) Sees(responsible *int64) bool {
	switch {
	case v.All:
		return true
	case responsible == nil:
		return v.Unassigned
	}
	return *responsible == v.UserID || slices.Contains(v.Team, *responsible)
}

// Equal reports whether v and w show the same dialogs.
func (v Visibility) Equal(w Visibility) bool {
	return v.PortalID == w.PortalID && v.UserID == w.UserID && v.All == w.All && v.Unassigned == w.Unassigned &&
		slices.Equal(v.Team, w.Team)
}

// DialogRow is a dialog as the inbox shows it: the row fields and a preview
// of the last message, never message bodies.
type DialogRow struct {
	PortalID          int64      `db:"portal_id"`
	ID                int64      `db:"id"`
	ChannelID         int64      `db:"channel_id"`
	ChannelName       string     `db:"channel_name"`
	Transport         string     `db:"transport"`
	ClientID          int64      `db:"client_id"`
	ClientExternalID  string     `db:"client_external_id"`
	ClientName        string     `db:"client_name"`
	ClientPhone       string     `db:"client_phone"`
	ResponsibleUserID *int64     `db:"responsible_user_id"`
	UnreadCount       int        `db:"unread_count"`
	LastMessageAt     time.Time  `db:"last_message_at"`
	LastPreview       string     `db:"last_preview"`
	LastDirection     string     `db:"last_direction"`
	LastInboundAt     *time.Time `db:"last_inbound_at"`
	// UnansweredSince is the first message waiting for a reply (nil: none).
	UnansweredSince *time.Time `db:"unanswered_since"`
}

const dialogRowSelect = `SELECT d.portal_id, d.id, d.channel_id, ch.name AS channel_name, ch.transport,
	d.client_id, cl.external_id AS client_external_id, cl.name AS client_name, cl.phone AS client_phone,
	d.responsible_user_id, d.unread_count, d.last_message_at, d.last_preview, d.last_direction, d.last_inbound_at,
	d.unanswered_since
	FROM dialogs d JOIN channels ch ON ch.id = d.channel_id JOIN clients cl ON cl.id = d.client_id`

// DialogFilter narrows the inbox list.
type DialogFilter struct {
	OnlyMine bool // only dialogs where the user is responsible
	Limit    int  // 0 means 100
}

// Dialogs lists the dialogs v may see, newest activity first, in one query.
func (s *Store) Dialogs(ctx context.Context, v Visibility, f DialogFilter) ([]DialogRow, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var rows []DialogRow
	err := s.all(ctx, &rows, dialogRowSelect+` WHERE `+visible+`
		AND (NOT $5 OR d.responsible_user_id = $7)
		ORDER BY d.last_message_at DESC, d.id DESC LIMIT $6`,
		append(v.args(), f.OnlyMine, f.Limit, v.UserID)...)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list dialogs of portal %d: %w", v.PortalID, err)
	}
	return rows, nil
}

// Dialog loads one dialog v may see; ErrNotFound when it does not exist, is
// another portal's, or is hidden from the user.
func (s *Store) Dialog(ctx context.Context, v Visibility, id int64) (DialogRow, error) {
	var d DialogRow
	err := s.get(ctx, &d, dialogRowSelect+` WHERE `+visible+` AND d.id = $5`, append(v.args(), id)...)
	if err != nil {
		return d, fmt.Errorf("db: unable to fetch dialog %d: %w", id, notFound(err))
	}
	return d, nil
}

// InboxCounts are the inbox's counters, read in one query.
type InboxCounts struct {
	Unread int `db:"unread"` // unread messages over every visible dialog
}

// Counts reads the counters of the dialogs v may see. Only dialogs with
// unread messages are read (a partial index holds them), so the cost
// follows the unanswered dialogs, not the portal's size.
func (s *Store) Counts(ctx context.Context, v Visibility) (InboxCounts, error) {
	var c InboxCounts
	err := s.get(ctx, &c, `SELECT COALESCE(SUM(d.unread_count), 0) AS unread
		FROM dialogs d WHERE `+visible+` AND d.unread_count > 0`, v.args()...)
	if err != nil {
		return c, fmt.Errorf("db: unable to count dialogs of portal %d: %w", v.PortalID, err)
	}
	return c, nil
}

// EnsureDialog finds or creates the dialog of a channel and client.
func (s *Store) EnsureDialog(ctx context.Context, portalID, channelID, clientID int64, at time.Time) (int64, error) {
	var id int64
	err := s.get(ctx, &id, `
		INSERT INTO dialogs (portal_id, channel_id, client_id, last_message_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (channel_id, client_id) DO UPDATE SET portal_id = dialogs.portal_id
		RETURNING id`, portalID, channelID, clientID, at)
	if err != nil {
		return 0, fmt.Errorf("db: unable to ensure dialog of client %d: %w", clientID, err)
	}
	return id, nil
}

// Activity is what a new message does to its dialog's row.
type Activity struct {
	At        time.Time
	Preview   string
	Direction string // "in" or "out"
	// Unread adds one unread message (a live inbound message).
	Unread bool
	// Answered clears the unanswered mark (an outgoing message).
	Answered bool
}

// TouchDialog records a message's activity on its dialog. An older message
// (a history backfill) never moves the dialog back in time.
func (s *Store) TouchDialog(ctx context.Context, portalID, dialogID int64, a Activity) error {
	_, err := s.exec(ctx, `
		UPDATE dialogs SET
			unread_count = unread_count + CASE WHEN $3 THEN 1 ELSE 0 END,
			last_preview = CASE WHEN $4 >= last_message_at OR last_preview = '' THEN $5 ELSE last_preview END,
			last_direction = CASE WHEN $4 >= last_message_at OR last_preview = '' THEN $6 ELSE last_direction END,
			last_message_at = GREATEST(last_message_at, $4),
			last_inbound_at = CASE WHEN $6 = 'in' THEN GREATEST(last_inbound_at, $4) ELSE last_inbound_at END,
			unanswered_since = CASE WHEN $7 THEN NULL
				WHEN $3 THEN COALESCE(unanswered_since, $4) ELSE unanswered_since END
		WHERE id = $2 AND `+byID("dialogs", "$1"),
		portalID, dialogID, a.Unread, a.At, a.Preview, a.Direction, a.Answered)
	if err != nil {
		return fmt.Errorf("db: unable to update dialog %d: %w", dialogID, err)
	}
	return nil
}

// MarkRead zeroes a visible dialog's unread count; it reports whether the
// count changed, and ErrNotFound when v may not see the dialog.
func (s *Store) MarkRead(ctx context.Context, v Visibility, id int64) (bool, error) {
	var changed bool
	err := s.get(ctx, &changed, `WITH target AS (
			SELECT d.id, d.unread_count FROM dialogs d WHERE `+visible+` AND d.id = $5 FOR UPDATE
		), cleared AS (
			UPDATE dialogs d SET unread_count = 0 FROM target t WHERE d.id = t.id AND t.unread_count > 0 RETURNING d.id
		)
		SELECT EXISTS (SELECT 1 FROM cleared) FROM target`, append(v.args(), id)...)
	if err != nil {
		return false, fmt.Errorf("db: unable to mark dialog %d read: %w", id, notFound(err))
	}
	return changed, nil
}

// ChannelDialogCount counts a channel's dialogs (zero for a channel just
// connected).
func (s *Store) ChannelDialogCount(ctx context.Context, portalID, channelID int64) (int, error) {
	var n int
	err := s.get(ctx, &n, `SELECT count(*) FROM dialogs WHERE portal_id = $1 AND channel_id = $2`, portalID, channelID)
	if err != nil {
		return 0, fmt.Errorf("db: unable to count dialogs of channel %d: %w", channelID, err)
	}
	return n, nil
}

// ClientDialog is the id of the client's dialog with the newest activity
// that v may see; ErrNotFound when there is none.
func (s *Store) ClientDialog(ctx context.Context, v Visibility, clientID int64) (int64, error) {
	var id int64
	err := s.get(ctx, &id, `SELECT d.id FROM dialogs d WHERE `+visible+` AND d.client_id = $5
		ORDER BY d.last_message_at DESC, d.id DESC LIMIT 1`, append(v.args(), clientID)...)
	if err != nil {
		return 0, fmt.Errorf("db: unable to find a dialog of client %d: %w", clientID, notFound(err))
	}
	return id, nil
}
