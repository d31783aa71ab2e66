package db

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"
)

// NotifyLine is a client's line in the portal's notification chat: the bot
// message that shows them unanswered, and the next check queued for them.
type NotifyLine struct {
	PortalID   int64      `db:"portal_id"`
	ClientID   int64      `db:"client_id"`
	MessageID  *int64     `db:"message_id"` // nil: no line in the chat
	PostedAt   *time.Time `db:"posted_at"`
	ShownCount int        `db:"shown_count"`
	Escalated  bool       `db:"escalated"`
	Mention    int64      `db:"mention"` // the Bitrix24 user the line mentions (0: nobody)
	CheckAt    *time.Time `db:"check_at"`
}

// EnsureNotifyLine creates a client's empty line row on first use.
func (s *Store) EnsureNotifyLine(ctx context.Context, portalID, clientID int64) error {
	_, err := s.exec(ctx, `INSERT INTO notify_lines (portal_id, client_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		portalID, clientID)
	if err != nil {
		return fmt.Errorf("db: unable to create the notification line of client %d: %w", clientID, err)
	}
	return nil
}

// HoldNotifyLine takes a client's line until release is called: whoever
// holds it is the only one posting, editing or deleting that client's line
// (two instances never post two). The hold is a session advisory lock on a
// connection of its own, outside any transaction: the Bitrix24 calls made
// under it, a rate limit's wait included, keep no snapshot or transaction
// id open, which would keep VACUUM from every row the database updates
// meanwhile. A process that dies lets go with its connection.
func (s *Store) HoldNotifyLine(ctx context.Context, portalID, clientID int64) (release func(), err error) {
	conn, err := s.DB.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: unable to hold the notification line of client %d: %w", clientID, err)
	}
	const key = `hashtextextended('notify_line:' || $1::text || ':' || $2::text, 0)`
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+key+`)`, portalID, clientID); err != nil {
		conn.Close()
		return nil, fmt.Errorf("db: unable to hold the notification line of client %d: %w", clientID, err)
	}
	return func() {
		if _, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(`+key+`)`, portalID, clientID); err != nil {
			// Not back to the pool with the lock: a closed connection lets go.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}

// NotifyLine reads a client's line (held with HoldNotifyLine).
func (s *Store) NotifyLine(ctx context.Context, portalID, clientID int64) (NotifyLine, error) {
	var l NotifyLine
	err := s.get(ctx, &l, `SELECT portal_id, client_id, message_id, posted_at, shown_count, escalated, mention, check_at
		FROM notify_lines WHERE portal_id = $1 AND client_id = $2`, portalID, clientID)
	if err != nil {
		return l, fmt.Errorf("db: unable to read the notification line of client %d: %w", clientID, notFound(err))
	}
	return l, nil
}

// SaveNotifyLine stores a line read with NotifyLine.
func (s *Store) SaveNotifyLine(ctx context.Context, l NotifyLine) error {
	_, err := s.exec(ctx, `UPDATE notify_lines SET message_id = $3, posted_at = $4, shown_count = $5,
		escalated = $6, mention = $7, check_at = $8 WHERE portal_id = $1 AND client_id = $2`,
		l.PortalID, l.ClientID, l.MessageID, l.PostedAt, l.ShownCount, l.Escalated, l.Mention, l.CheckAt)
	if err != nil {
		return fmt.Errorf("db: unable to save the notification line of client %d: %w", l.ClientID, err)
	}
	return nil
}

// ClientByLine finds the client whose live line is the chat message
// messageID; ErrNotFound when no client's line is that message.
func (s *Store) ClientByLine(ctx context.Context, portalID, messageID int64) (int64, error) {
	var id int64
	err := s.get(ctx, &id, `SELECT client_id FROM notify_lines WHERE portal_id = $1 AND message_id = $2`, portalID, messageID)
	if err != nil {
		return 0, fmt.Errorf("db: unable to find the line of message %d: %w", messageID, notFound(err))
	}
	return id, nil
}

// Waiting is what a client's line shows: who they are, where they wrote,
// and how much waits for an answer.
type Waiting struct {
	ClientID   int64      `db:"client_id"`
	Name       string     `db:"name"`
	Phone      string     `db:"phone"`
	ExternalID string     `db:"external_id"`
	Transport  string     `db:"transport"`
	Channels   string     `db:"channels"` // the names of the channels that wait, ", "-joined
	Since      *time.Time `db:"since"`    // the first unanswered message; nil: nothing waits
	Count      int        `db:"count"`    // messages since the dialogs were last answered
	// Responsible is the Bitrix24 user id of the waiting dialogs'
	// responsible (0: none).
	Responsible int64 `db:"responsible"`
}

// ClientWaiting reads what waits for an answer from a client over all
// their dialogs; ErrNotFound for another portal's client.
func (s *Store) ClientWaiting(ctx context.Context, portalID, clientID int64) (Waiting, error) {
	var w Waiting
	err := s.get(ctx, &w, `
		SELECT cl.id AS client_id, cl.name, cl.phone, cl.external_id, cl.transport,
			COALESCE(string_agg(ch.name, ', ' ORDER BY ch.name) FILTER (WHERE d.unanswered_since IS NOT NULL), '') AS channels,
			min(d.unanswered_since) AS since,
			COALESCE(sum(n.count), 0) AS count,
			COALESCE(max(u.bitrix_user_id) FILTER (WHERE d.unanswered_since IS NOT NULL), 0) AS responsible
		FROM clients cl
		LEFT JOIN dialogs d ON d.portal_id = cl.portal_id AND d.client_id = cl.id
		LEFT JOIN channels ch ON ch.id = d.channel_id
		LEFT JOIN users u ON u.id = d.responsible_user_id
		LEFT JOIN LATERAL (SELECT count(*) AS count FROM messages m WHERE m.dialog_id = d.id AND m.direction = 'in'
			AND m.created_at >= d.unanswered_since) n ON d.unanswered_since IS NOT NULL
		WHERE cl.id = $2 AND `+byID("cl", "$1")+`
		GROUP BY cl.id`, portalID, clientID)
	if err != nil {
		return w, fmt.Errorf("db: unable to read what client %d waits for: %w", clientID, notFound(err))
	}
	return w, nil
}

// DialogClient is the client of a dialog; ErrNotFound for another
// portal's dialog.
func (s *Store) DialogClient(ctx context.Context, portalID, dialogID int64) (int64, error) {
	var id int64
	err := s.get(ctx, &id, `SELECT client_id FROM dialogs WHERE id = $2 AND `+byID("dialogs", "$1"), portalID, dialogID)
	if err != nil {
		return 0, fmt.Errorf("db: unable to find the client of dialog %d: %w", dialogID, notFound(err))
	}
	return id, nil
}

// ClearUnanswered marks every dialog of a client as needing no reply and
// returns the dialogs that were waiting.
func (s *Store) ClearUnanswered(ctx context.Context, portalID, clientID int64) ([]int64, error) {
	var ids []int64
	err := s.all(ctx, &ids, `UPDATE dialogs SET unanswered_since = NULL
		WHERE portal_id = $1 AND client_id = $2 AND unanswered_since IS NOT NULL RETURNING id`, portalID, clientID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to clear the waiting of client %d: %w", clientID, err)
	}
	return ids, nil
}

// MarkPosting records, before the call, that a client's line is being
// posted at at. Call it outside the transaction that holds the line, so
// the mark outlives a crash.
func (s *Store) MarkPosting(ctx context.Context, portalID, clientID int64, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO notify_posts (portal_id, client_id, attempted_at) VALUES ($1, $2, $3)
		ON CONFLICT (portal_id, client_id) DO UPDATE SET attempted_at = EXCLUDED.attempted_at`, portalID, clientID, at)
	if err != nil {
		return fmt.Errorf("db: unable to mark the line of client %d as being posted: %w", clientID, err)
	}
	return nil
}

// Posting is when a post of a client's line of unknown outcome was
// attempted; nil when there is none.
func (s *Store) Posting(ctx context.Context, portalID, clientID int64) (*time.Time, error) {
	var at []time.Time
	err := s.all(ctx, &at, `SELECT attempted_at FROM notify_posts WHERE portal_id = $1 AND client_id = $2`, portalID, clientID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to read the post of client %d's line: %w", clientID, err)
	}
	if len(at) == 0 {
		return nil, nil
	}
	return &at[0], nil
}

// PostingDone drops the mark: the post's outcome is known.
func (s *Store) PostingDone(ctx context.Context, portalID, clientID int64) error {
	_, err := s.exec(ctx, `DELETE FROM notify_posts WHERE portal_id = $1 AND client_id = $2`, portalID, clientID)
	if err != nil {
		return fmt.Errorf("db: unable to clear the post of client %d's line: %w", clientID, err)
	}
	return nil
}
