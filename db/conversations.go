package db

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// A conversation is a client with every dialog of theirs that a user may
// see: one row in the inbox list, one merged history.

// visibleAs is the visible fragment for dialogs under another alias.
func visibleAs(alias string) string { return strings.ReplaceAll(visible, "d.", alias+".") }

// ListFilter narrows the inbox list of conversations.
type ListFilter struct {
	Mine bool // only the dialogs where the user is responsible
	// Unanswered: only conversations whose newest dialog waits for an answer
	// (the client wrote last and nobody answered on any channel since).
	Unanswered bool
	Limit      int // 0 means 100
}

// Conversations lists one row per client over the dialogs v may see (and
// that are theirs, with Mine), newest activity first: the row of the
// client's newest such dialog, with UnreadCount the sum over all of them.
// One query: the activity index is walked and each candidate is probed for
// a newer dialog of its client.
func (s *Store) Conversations(ctx context.Context, v Visibility, f ListFilter) ([]DialogRow, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var rows []DialogRow
	err := s.all(ctx, &rows, `SELECT d.portal_id, d.id, d.channel_id, ch.name AS channel_name, ch.transport,
		d.client_id, cl.external_id AS client_external_id, cl.name AS client_name, cl.phone AS client_phone,
		d.responsible_user_id, d.last_message_at, d.last_preview, d.last_direction, d.last_inbound_at,
		(SELECT COALESCE(SUM(x.unread_count), 0) FROM dialogs x WHERE x.client_id = d.client_id AND `+visibleAs("x")+`
			AND (NOT $5 OR x.responsible_user_id = $8)) AS unread_count
		FROM dialogs d JOIN channels ch ON ch.id = d.channel_id JOIN clients cl ON cl.id = d.client_id
		WHERE `+visible+` AND (NOT $5 OR d.responsible_user_id = $8) AND (NOT $6 OR d.unanswered_since IS NOT NULL)
		AND NOT EXISTS (SELECT 1 FROM dialogs n WHERE n.client_id = d.client_id AND `+visibleAs("n")+`
			AND (NOT $5 OR n.responsible_user_id = $8)
			AND (n.last_message_at, n.id) > (d.last_message_at, d.id))
		ORDER BY d.last_message_at DESC, d.id DESC LIMIT $7`,
		append(v.args(), f.Mine, f.Unanswered, f.Limit, v.UserID)...)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list conversations of portal %d: %w", v.PortalID, err)
	}
	return rows, nil
}

// ClientDialogs lists the dialogs of a client that v may see, newest
// activity first; none when the client is hidden from them or another
// portal's.
func (s *Store) ClientDialogs(ctx context.Context, v Visibility, clientID int64) ([]DialogRow, error) {
	var rows []DialogRow
	err := s.all(ctx, &rows, dialogRowSelect+` WHERE `+visible+` AND d.client_id = $5
		ORDER BY d.last_message_at DESC, d.id DESC`, append(v.args(), clientID)...)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list the dialogs of client %d: %w", clientID, err)
	}
	return rows, nil
}

// ClientsDialogRows reads, in one statement, every dialog of the clients
// whose dialogs are named (the named ones among them), whoever may see
// them: the live hub decides that per stream. Newest activity first.
func (s *Store) ClientsDialogRows(ctx context.Context, portalID int64, dialogIDs []int64) ([]DialogRow, error) {
	var rows []DialogRow
	err := s.all(ctx, &rows, dialogRowSelect+` WHERE d.client_id = ANY(ARRAY(
			SELECT x.client_id FROM dialogs x WHERE x.id = ANY($2::bigint[]) AND `+byID("x", "$1")+`))
		AND `+byID("d", "$1")+` ORDER BY d.last_message_at DESC, d.id DESC`, portalID, pq.Array(dialogIDs))
	if err != nil {
		return nil, fmt.Errorf("db: unable to read the dialogs of %d dialogs' clients: %w", len(dialogIDs), err)
	}
	return rows, nil
}

// ClientMessages lists the last limit messages of a client's dialogs that v
// may see, merged in time order.
func (s *Store) ClientMessages(ctx context.Context, v Visibility, clientID int64, limit int) ([]Message, error) {
	var ms []Message
	err := s.all(ctx, &ms, `SELECT * FROM (`+messageSelect+`
		JOIN dialogs d ON d.id = m.dialog_id
		WHERE `+visible+` AND d.client_id = $5 AND m.portal_id = $1
		ORDER BY m.created_at DESC, m.id DESC LIMIT $6) last
		ORDER BY created_at, id`, append(v.args(), clientID, limit)...)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list messages of client %d: %w", clientID, err)
	}
	return ms, nil
}

// ClientMessagesBefore lists, in time order, up to limit of the messages
// that come before message `before` in the client's history, over the
// dialogs v may see: the page above the oldest one shown. None when the
// message is not the client's or is hidden from v.
func (s *Store) ClientMessagesBefore(ctx context.Context, v Visibility, clientID, before int64, limit int) ([]Message, error) {
	return s.clientMessagesBy(ctx, v, clientID, before, limit, "<", "DESC")
}

// ClientMessagesFrom lists, in time order, message `from` and up to limit-1
// that follow it in the client's history, over the dialogs v may see.
func (s *Store) ClientMessagesFrom(ctx context.Context, v Visibility, clientID, from int64, limit int) ([]Message, error) {
	return s.clientMessagesBy(ctx, v, clientID, from, limit, ">=", "")
}

// clientMessagesBy is a page of the client's visible history on one side
// (cmp, and the order walking away from it) of a visible message of theirs.
func (s *Store) clientMessagesBy(ctx context.Context, v Visibility, clientID, at int64, limit int, cmp, order string) ([]Message, error) {
	var ms []Message
	err := s.all(ctx, &ms, `SELECT * FROM (`+messageSelect+`
		JOIN dialogs d ON d.id = m.dialog_id
		CROSS JOIN (SELECT a.created_at, a.id FROM messages a JOIN dialogs ad ON ad.id = a.dialog_id
			WHERE a.id = $6 AND `+byID("a", "$1")+` AND `+visibleAs("ad")+` AND ad.client_id = $5) at
		WHERE `+visible+` AND d.client_id = $5 AND m.portal_id = $1
			AND (m.created_at, m.id) `+cmp+` (at.created_at, at.id)
		ORDER BY m.created_at `+order+`, m.id `+order+` LIMIT $7) page
		ORDER BY created_at, id`, append(v.args(), clientID, at, limit)...)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list messages of client %d around message %d: %w", clientID, at, err)
	}
	return ms, nil
}

// Channels lists a portal's channels by name.
func (s *Store) Channels(ctx context.Context, portalID int64) ([]Channel, error) {
	var cs []Channel
	err := s.all(ctx, &cs, `SELECT `+channelColumns+` FROM channels WHERE portal_id = $1 ORDER BY name, id`, portalID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list channels of portal %d: %w", portalID, err)
	}
	return cs, nil
}

// StartDialog makes the dialog of a channel and client with its
// responsible: ErrNotFound when the dialog already exists (the caller did
// not see it, so it is not theirs to write in).
func (s *Store) StartDialog(ctx context.Context, portalID, channelID, clientID, responsible int64, at time.Time) (int64, error) {
	var id int64
	err := s.get(ctx, &id, `
		INSERT INTO dialogs (portal_id, channel_id, client_id, responsible_user_id, last_message_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (channel_id, client_id) DO NOTHING
		RETURNING id`, portalID, channelID, clientID, responsible, at)
	if err != nil {
		return 0, fmt.Errorf("db: unable to start a dialog of client %d: %w", clientID, notFound(err))
	}
	return id, nil
}
