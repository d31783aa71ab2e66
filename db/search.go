package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Marks around the matched words of a search snippet: control characters,
// so views can split on them and escape everything else.
const (
	MatchStart = "\x01"
	MatchEnd   = "\x02"
)

// SearchHit is one search result: a client whose name or phone matches (no
// message), or a message whose text does, with its dialog's row either way.
type SearchHit struct {
	DialogRow
	MessageID *int64    `db:"message_id"`
	Snippet   string    `db:"snippet"` // the message's matching words between MatchStart and MatchEnd
	At        time.Time `db:"at"`
}

// SearchQuery is what the search box asked: the words, and the digits of
// them when they may be a phone number.
type SearchQuery struct {
	Text   string
	Digits string // "" unless the query has at least three digits
	Limit  int    // per kind (clients, messages); 0 means 30
}

// searchRow is a hit's dialog row columns.
const searchRow = `d.portal_id, d.id, d.channel_id, ch.name AS channel_name, ch.transport,
	d.client_id, cl.external_id AS client_external_id, cl.name AS client_name, cl.phone AS client_phone,
	d.responsible_user_id, d.unread_count, d.last_message_at, d.last_preview, d.last_direction, d.last_inbound_at`

// Search finds, among the dialogs v may see, the clients whose name (any
// part, any case) or phone (any digits of it) matches, each once at its
// newest dialog, and the messages whose text matches the words in Russian
// or English (full text, 'russian' configuration: Russian and English
// stemming), newest first.
//
// A search is planned for its own words (its transaction sets
// plan_cache_mode=force_custom_plan; the Store's connections otherwise keep
// one generic plan per statement). Its messages are looked for first among
// the portal's newest searchSample; a word that does not fill the page
// there is looked up in the full-text index when it is rare, and walked to
// newest first when it is not.
func (s *Store) Search(ctx context.Context, v Visibility, q SearchQuery) (clients, messages []SearchHit, err error) {
	err = s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
			return fmt.Errorf("db: unable to plan a search for its words: %w", err)
		}
		clients, messages, err = tx.search(ctx, v, q)
		return err
	})
	return clients, messages, err
}

func (s *Store) search(ctx context.Context, v Visibility, q SearchQuery) (clients, messages []SearchHit, err error) {
	if q.Limit <= 0 {
		q.Limit = 30
	}
	like := "%" + likeEscape(strings.TrimSpace(q.Text)) + "%"
	digits := ""
	if q.Digits != "" {
		digits = "%" + q.Digits + "%"
	}
	err = s.all(ctx, &clients, `SELECT `+searchRow+`, NULL::bigint AS message_id, '' AS snippet, d.last_message_at AS at
		FROM dialogs d JOIN channels ch ON ch.id = d.channel_id JOIN clients cl ON cl.id = d.client_id
		WHERE `+visible+` AND cl.portal_id = $1
		AND (cl.name ILIKE $5 OR (cl.transport = 'instagram' AND cl.external_id ILIKE $5)
			OR ($6 <> '' AND (cl.phone LIKE $6 OR (cl.transport = 'whatsapp' AND cl.external_id LIKE $6))))
		AND NOT EXISTS (SELECT 1 FROM dialogs n WHERE n.client_id = d.client_id AND `+visibleAs("n")+`
			AND (n.last_message_at, n.id) > (d.last_message_at, d.id))
		ORDER BY d.last_message_at DESC, d.id DESC LIMIT $7`, append(v.args(), like, digits, q.Limit)...)
	if err != nil {
		return nil, nil, fmt.Errorf("db: unable to search clients of portal %d: %w", v.PortalID, err)
	}
	// The messages: first among the portal's newest searchSample messages
	// (messages_portal_recent), where a common word fills the page at once,
	// and a full page there is the newest there is. Otherwise rareWords
	// tells how common the word is: a rarer word is looked up in the full-text
	// index and its hits sorted, a word in more messages (common in older
	// ones only) found by walking all of them newest first, as sorting two
	// million hits took seconds (measured). The planner cannot choose
	// between these: it takes the hits as spread evenly over time.
	args := append(v.args(), q.Text, q.Limit)
	err = s.all(ctx, &messages, messageSearch(`(SELECT * FROM messages WHERE portal_id = $1 AND deleted_at IS NULL
		ORDER BY created_at DESC, id DESC LIMIT `+strconv.Itoa(searchSample)+`) m`, ""), args...)
	if err != nil || len(messages) == q.Limit {
		return clients, messages, err
	}
	rare, err := s.rareWords(ctx, v.PortalID, q.Text)
	if err != nil {
		return nil, nil, fmt.Errorf("db: unable to search messages of portal %d: %w", v.PortalID, err)
	}
	onlyHits := ""
	if rare {
		onlyHits = `AND m.id IN (SELECT m.id FROM messages m WHERE m.portal_id = $1 AND m.deleted_at IS NULL
			AND to_tsvector('russian', m.body) @@ q.q OFFSET 0)` // OFFSET 0: the index's hits first, then the rest
	}
	messages = nil
	err = s.all(ctx, &messages, messageSearch("messages m", onlyHits), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("db: unable to search messages of portal %d: %w", v.PortalID, err)
	}
	return clients, messages, nil
}

// rareWords reports whether fewer than searchFew of the portal's messages
// hold the words. A word the planner's statistics put in ten times as many
// (100,000) is taken for common at once, without reading a row: counting
// its hits through the full-text index cost 30-50 ms for a word in every
// message (make bench), a lossy bitmap of two million rows rechecked one by
// one. Any other word's hits are counted, up to searchFew (a few ms for a
// rare word): the statistics know only the most common words, and take
// every other for half as common as the least common of those.
func (s *Store) rareWords(ctx context.Context, portalID int64, words string) (bool, error) {
	var plan string
	err := s.get(ctx, &plan, `EXPLAIN (FORMAT JSON) `+wordHits, portalID, words, nil)
	if err != nil {
		return false, err
	}
	var top []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal([]byte(plan), &top); err != nil || len(top) == 0 {
		return false, fmt.Errorf("db: unable to read the planner's estimate from %q (%v)", plan, err)
	}
	if top[0].Plan.Rows >= 10*searchFew {
		return false, nil
	}
	var hits int
	if err := s.get(ctx, &hits, `SELECT count(*) FROM (`+wordHits+`) hits`, portalID, words, searchFew); err != nil {
		return false, err
	}
	return hits < searchFew, nil
}

// wordHits is the portal's messages that hold the words ($2), up to $3
// (NULL: all).
const wordHits = `SELECT 1 FROM messages m WHERE m.portal_id = $1 AND m.deleted_at IS NULL
	AND to_tsvector('russian', m.body) @@ websearch_to_tsquery('russian', $2) LIMIT $3`

// messageSearch is the search of the messages in from (named m) that v may
// see and that meet the extra condition and, newest first; its arguments
// are v.args(), the words, the limit.
func messageSearch(from, and string) string {
	return `SELECT ` + searchRow + `, m.id AS message_id,
		ts_headline('russian', m.body, q.q, 'StartSel=` + MatchStart + `, StopSel=` + MatchEnd + `, MaxWords=30, MinWords=12') AS snippet,
		m.created_at AS at
		FROM websearch_to_tsquery('russian', $5) q (q), ` + from + `
		JOIN dialogs d ON d.id = m.dialog_id JOIN channels ch ON ch.id = d.channel_id JOIN clients cl ON cl.id = d.client_id
		WHERE ` + visible + ` AND m.portal_id = $1 AND m.deleted_at IS NULL AND to_tsvector('russian', m.body) @@ q.q ` + and + `
		ORDER BY m.created_at DESC, m.id DESC LIMIT $6`
}

// searchFew is where a word stops being rare for the search: its hits are
// sorted below it (milliseconds), walked to above it.
const searchFew = 10_000

// searchSample is how many of a portal's newest messages a search reads
// first: a word in more than one in seventy of them fills a page there
// (each costs a to_tsvector, ~6 µs: 12 ms for the sample).
const searchSample = 2000

// likeEscape makes s match itself in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
