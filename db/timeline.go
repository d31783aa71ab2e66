package db

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// QueueTimeline puts messages in line to be mirrored into the CRM
// timeline; a message already in line stays where it is.
func (s *Store) QueueTimeline(ctx context.Context, portalID int64, messageIDs []int64, at time.Time) error {
	if len(messageIDs) == 0 {
		return nil
	}
	if s.tail != nil { // written at the commit (txTail)
		for _, id := range messageIDs {
			s.tail.timeline = append(s.tail.timeline, tailTimeline{portal: portalID, message: id, at: at})
		}
		return nil
	}
	_, err := s.exec(ctx, `INSERT INTO timeline_queue (portal_id, message_id, queued_at)
		SELECT $1, unnest($2::bigint[]), $3 ON CONFLICT DO NOTHING`, portalID, pq.Array(messageIDs), at)
	if err != nil {
		return fmt.Errorf("db: unable to queue %d messages for the timeline: %w", len(messageIDs), err)
	}
	return nil
}

// TimelineMessage is a queued message with what its comment says.
type TimelineMessage struct {
	Message
	ClientID     int64  `db:"client_id"`
	ClientName   string `db:"client_name"`
	ClientPhone  string `db:"client_phone"`
	ChannelName  string `db:"channel_name"`
	Transport    string `db:"transport"`
	AuthorBitrix *int64 `db:"author_bitrix_id"`
	Linked       bool   `db:"linked"`
}

// TimelineQueue reads up to limit queued messages of a portal in the order
// they happened. An outgoing message still queued or paused is not ready:
// it and what follows it in its dialog wait.
func (s *Store) TimelineQueue(ctx context.Context, portalID int64, limit int) ([]TimelineMessage, error) {
	var ms []TimelineMessage
	err := s.all(ctx, &ms, `SELECT m.portal_id, m.id, m.dialog_id, m.channel_id, m.direction, m.author_user_id,
			COALESCE(u.name, '') AS author_name, m.from_phone, m.kind, m.body, m.provider_id, m.status, m.error_code,
			m.error_text, m.reply_to, m.forwarded, m.created_at, m.edited_at, m.deleted_at,
			`+attachmentsJSON+`, '' AS reactions, '' AS quote_kind, '' AS quote_body, '' AS quote_direction, false AS pinned,
			cl.id AS client_id, cl.name AS client_name, cl.phone AS client_phone, ch.name AS channel_name, ch.transport,
			u.bitrix_user_id AS author_bitrix_id, cl.crm_state = 'linked' AS linked
		FROM timeline_queue q JOIN messages m ON m.id = q.message_id
		JOIN dialogs d ON d.id = m.dialog_id JOIN clients cl ON cl.id = d.client_id JOIN channels ch ON ch.id = m.channel_id
		LEFT JOIN users u ON u.id = m.author_user_id
		WHERE q.portal_id = $1 ORDER BY m.created_at, m.id LIMIT $2`, portalID, limit)
	if err != nil {
		return nil, fmt.Errorf("db: unable to read the timeline queue of portal %d: %w", portalID, err)
	}
	return ms, nil
}

// DequeueTimeline takes messages out of line: mirrored, or never to be.
func (s *Store) DequeueTimeline(ctx context.Context, portalID int64, messageIDs []int64) error {
	_, err := s.exec(ctx, `DELETE FROM timeline_queue WHERE portal_id = $1 AND message_id = ANY($2)`,
		portalID, pq.Array(messageIDs))
	if err != nil {
		return fmt.Errorf("db: unable to dequeue timeline messages: %w", err)
	}
	return nil
}

// TimelineComment is one message's comment on one entity.
type TimelineComment struct {
	MessageID   int64      `db:"message_id"`
	EntityType  string     `db:"entity_type"`
	EntityID    int64      `db:"entity_id"`
	CommentID   *int64     `db:"comment_id"`
	AttemptedAt *time.Time `db:"attempted_at"`
}

// PlanComments records that each message goes to each of its targets (a
// comment row per pair, kept when it exists) and returns the rows of these
// messages still to do, in message order.
func (s *Store) PlanComments(ctx context.Context, portalID int64, plan []TimelineComment) ([]TimelineComment, error) {
	if len(plan) == 0 {
		return nil, nil
	}
	msgs, types, ids := commentKeys(plan)
	_, err := s.exec(ctx, `INSERT INTO timeline_comments (portal_id, message_id, entity_type, entity_id)
		SELECT $1, m, t, e FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS v(m, t, e) ON CONFLICT DO NOTHING`,
		portalID, pq.Array(msgs), pq.Array(types), pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("db: unable to plan %d timeline comments: %w", len(plan), err)
	}
	var open []TimelineComment
	err = s.all(ctx, &open, `SELECT c.message_id, c.entity_type, c.entity_id, c.comment_id, c.attempted_at
		FROM timeline_comments c JOIN messages m ON m.id = c.message_id
		WHERE c.portal_id = $1 AND c.message_id = ANY($2) AND c.done_at IS NULL
		ORDER BY m.created_at, m.id, c.entity_type, c.entity_id`, portalID, pq.Array(msgs))
	if err != nil {
		return nil, fmt.Errorf("db: unable to read planned timeline comments: %w", err)
	}
	return open, nil
}

// AttemptComments marks comments as about to be added: from now on their
// outcome is unknown until recorded.
func (s *Store) AttemptComments(ctx context.Context, portalID int64, cs []TimelineComment, at time.Time) error {
	msgs, types, ids := commentKeys(cs)
	_, err := s.exec(ctx, `UPDATE timeline_comments c SET attempted_at = $5
		FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS v(m, t, e)
		WHERE c.portal_id = $1 AND c.message_id = v.m AND c.entity_type = v.t AND c.entity_id = v.e`,
		portalID, pq.Array(msgs), pq.Array(types), pq.Array(ids), at)
	if err != nil {
		return fmt.Errorf("db: unable to mark %d timeline comments attempted: %w", len(cs), err)
	}
	return nil
}

// UnattemptComments clears the mark of comments known not to have been
// added (a batch that stopped before them).
func (s *Store) UnattemptComments(ctx context.Context, portalID int64, cs []TimelineComment) error {
	msgs, types, ids := commentKeys(cs)
	_, err := s.exec(ctx, `UPDATE timeline_comments c SET attempted_at = NULL
		FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS v(m, t, e)
		WHERE c.portal_id = $1 AND c.message_id = v.m AND c.entity_type = v.t AND c.entity_id = v.e AND c.comment_id IS NULL`,
		portalID, pq.Array(msgs), pq.Array(types), pq.Array(ids))
	if err != nil {
		return fmt.Errorf("db: unable to clear %d timeline attempts: %w", len(cs), err)
	}
	return nil
}

// FinishComment records a comment's outcome: its id, or why it will never
// be added (skipped).
func (s *Store) FinishComment(ctx context.Context, portalID int64, c TimelineComment, commentID int64, skipped string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE timeline_comments SET comment_id = NULLIF($5, 0), skipped = $6, done_at = $7
		WHERE portal_id = $1 AND message_id = $2 AND entity_type = $3 AND entity_id = $4`,
		portalID, c.MessageID, c.EntityType, c.EntityID, commentID, skipped, at)
	if err != nil {
		return fmt.Errorf("db: unable to record the timeline comment of message %d: %w", c.MessageID, err)
	}
	return nil
}

// CommentsOfMessage lists the comments a message was mirrored as.
func (s *Store) CommentsOfMessage(ctx context.Context, portalID, messageID int64) ([]TimelineComment, error) {
	var cs []TimelineComment
	err := s.all(ctx, &cs, `SELECT message_id, entity_type, entity_id, comment_id, attempted_at FROM timeline_comments
		WHERE portal_id = $1 AND message_id = $2 AND comment_id IS NOT NULL ORDER BY entity_type, entity_id`, portalID, messageID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list the comments of message %d: %w", messageID, err)
	}
	return cs, nil
}

func commentKeys(cs []TimelineComment) ([]int64, []string, []int64) {
	msgs, types, ids := make([]int64, len(cs)), make([]string, len(cs)), make([]int64, len(cs))
	for i, c := range cs {
		msgs[i], types[i], ids[i] = c.MessageID, c.EntityType, c.EntityID
	}
	return msgs, types, ids
}

// PinnedOn counts the comments pinned from our chat on an entity.
func (s *Store) PinnedOn(ctx context.Context, portalID int64, entityType string, entityID int64) (int, error) {
	var n int
	err := s.get(ctx, &n, `SELECT count(*) FROM timeline_comments WHERE portal_id = $1 AND entity_type = $2 AND entity_id = $3 AND pinned`,
		portalID, entityType, entityID)
	if err != nil {
		return 0, fmt.Errorf("db: unable to count pinned comments of %s %d: %w", entityType, entityID, err)
	}
	return n, nil
}

// SetPinned records whether a message's comment on an entity is pinned.
func (s *Store) SetPinned(ctx context.Context, portalID int64, c TimelineComment, pinned bool) error {
	_, err := s.exec(ctx, `UPDATE timeline_comments SET pinned = $5
		WHERE portal_id = $1 AND message_id = $2 AND entity_type = $3 AND entity_id = $4`,
		portalID, c.MessageID, c.EntityType, c.EntityID, pinned)
	if err != nil {
		return fmt.Errorf("db: unable to pin the comment of message %d: %w", c.MessageID, err)
	}
	return nil
}

// CRMBacklog is what waits for a portal's CRM sync.
type CRMBacklog struct {
	Messages   int        `db:"messages"`    // messages waiting for the timeline
	Oldest     *time.Time `db:"oldest"`      // since when the oldest waits
	NewClients int        `db:"new_clients"` // clients not linked yet
}

// CRMBacklog reads what waits for the portal's CRM sync, in one query.
func (s *Store) CRMBacklog(ctx context.Context, portalID int64) (CRMBacklog, error) {
	var b CRMBacklog
	err := s.get(ctx, &b, `SELECT
			(SELECT count(*) FROM timeline_queue WHERE portal_id = $1) AS messages,
			(SELECT min(queued_at) FROM timeline_queue WHERE portal_id = $1) AS oldest,
			(SELECT count(*) FROM clients WHERE portal_id = $1 AND crm_state = 'new') AS new_clients`, portalID)
	if err != nil {
		return b, fmt.Errorf("db: unable to read the CRM backlog of portal %d: %w", portalID, err)
	}
	return b, nil
}
