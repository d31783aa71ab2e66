package db_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"switchboard/db"
	"switchboard/db/pgtest"
)

// seedLargePortal fills a portal with dialogs × perDialog messages (plus a
// second portal of the same size, so portal scoping matters to the planner).
func seedLargePortal(tb testing.TB, conn *sqlx.DB, dialogs, perDialog int) world {
	tb.Helper()
	store := db.New(conn)
	w := newWorld(tb, store, "big")
	newWorld(tb, store, "other")
	for _, step := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO clients (portal_id, transport, external_id, phone, name)
			SELECT p.id, 'whatsapp', p.member_id || '-' || g, '7999' || lpad(g::text, 7, '0'), 'Client ' || g
			FROM portals p, generate_series(1, $1) g`, []any{dialogs}},
		{`INSERT INTO dialogs (portal_id, channel_id, client_id, unread_count, last_message_at, last_preview)
			SELECT c.portal_id, ch.id, c.id, CASE WHEN c.id % 20 = 0 THEN 2 ELSE 0 END, now() - (c.id || ' seconds')::interval, 'hello'
			FROM clients c JOIN channels ch ON ch.portal_id = c.portal_id
			ON CONFLICT DO NOTHING`, nil},
		{`INSERT INTO messages (portal_id, dialog_id, channel_id, direction, kind, body, provider_id, status, created_at)
			SELECT d.portal_id, d.id, d.channel_id, 'in', 'text', 'message ' || g, 'wamid.' || d.id || '.' || g, 'received',
				d.last_message_at - (g || ' minutes')::interval
			FROM dialogs d, generate_series(1, $1) g`, []any{perDialog}},
		{`ANALYZE`, nil},
	} {
		if _, err := conn.Exec(step.sql, step.args...); err != nil {
			tb.Fatal(err)
		}
	}
	return w
}

// planCatcher opens a connection on which auto_explain sends every plan
// back as a NOTICE.
func planCatcher(t *testing.T, dsn string) (*db.Store, func() string) {
	t.Helper()
	base, err := pq.NewConnector(dsn)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var plans strings.Builder
	conn := sqlx.NewDb(sql.OpenDB(pq.ConnectorWithNoticeHandler(base, func(n *pq.Error) {
		mu.Lock()
		plans.WriteString(n.Message + "\n")
		mu.Unlock()
	})), "postgres")
	conn.SetMaxOpenConns(1)
	t.Cleanup(func() { conn.Close() })
	for _, set := range []string{`LOAD 'auto_explain'`, `SET auto_explain.log_min_duration = 0`,
		`SET auto_explain.log_level = notice`, `SET client_min_messages = notice`} {
		if _, err := conn.Exec(set); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
	}
	return db.New(conn), func() string {
		mu.Lock()
		defer mu.Unlock()
		s := plans.String()
		plans.Reset()
		return s
	}
}

// TestHotPathsUseTheirIndexes checks, on a large seeded portal, the plans
// PostgreSQL picks for the inbox list and a dialog's messages: the
// (portal, last activity) and (dialog, created_at) indexes, never a
// sequential scan of messages.
func TestHotPathsUseTheirIndexes(t *testing.T) {
	dsn := pgtest.DSN(t)
	seedConn, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer seedConn.Close()
	w := seedLargePortal(t, seedConn, 10000, 5)
	store, plans := planCatcher(t, dsn)
	ctx := context.Background()

	rows, err := store.Dialogs(ctx, w.viewAll, db.DialogFilter{})
	if err != nil || len(rows) != 100 {
		t.Fatalf("dialogs: %d, %v", len(rows), err)
	}
	if p := plans(); !strings.Contains(p, "dialogs_portal_activity") || strings.Contains(p, "Seq Scan on messages") {
		t.Fatalf("the inbox list does not use dialogs_portal_activity:\n%s", p)
	}
	msgs, err := store.Messages(ctx, w.portal, rows[0].ID, 200)
	if err != nil || len(msgs) != 5 {
		t.Fatalf("messages: %d, %v", len(msgs), err)
	}
	if p := plans(); !strings.Contains(p, "messages_dialog_created") || strings.Contains(p, "Seq Scan on messages") {
		t.Fatalf("a dialog's messages do not use messages_dialog_created:\n%s", p)
	}
	if _, err := store.Counts(ctx, w.viewAll); err != nil {
		t.Fatal(err)
	}
	if p := plans(); !strings.Contains(p, "dialogs_portal_unread") {
		t.Fatalf("the unread counter does not use dialogs_portal_unread:\n%s", p)
	}

	// One row per client: the activity index walked, each candidate probed
	// on its client's dialogs.
	convs, err := store.Conversations(ctx, w.viewAll, db.ListFilter{})
	if err != nil || len(convs) != 100 {
		t.Fatalf("conversations: %d, %v", len(convs), err)
	}
	if p := plans(); !strings.Contains(p, "dialogs_portal_activity") || !strings.Contains(p, "dialogs_client_activity") || strings.Contains(p, "Seq Scan on dialogs") {
		t.Fatalf("the conversation list does not use its indexes:\n%s", p)
	}
	if _, err := store.ClientMessages(ctx, w.viewAll, convs[0].ClientID, 200); err != nil {
		t.Fatal(err)
	}
	if p := plans(); !strings.Contains(p, "messages_dialog_created") || strings.Contains(p, "Seq Scan on messages") {
		t.Fatalf("a conversation's messages do not use messages_dialog_created:\n%s", p)
	}
	if _, err := seedConn.Exec(`INSERT INTO messages (portal_id, dialog_id, channel_id, direction, kind, body)
		VALUES ($1, $2, $3, 'in', 'text', 'Где мои заказы?')`, w.portal, convs[0].ID, convs[0].ChannelID); err != nil {
		t.Fatal(err)
	}
	if _, found, err := store.Search(ctx, w.viewAll, db.SearchQuery{Text: "заказ"}); err != nil || len(found) != 1 {
		t.Fatalf("search: %d found, %v", len(found), err)
	}
	if p := plans(); !strings.Contains(p, "messages_text_search") || strings.Contains(p, "Seq Scan on messages") {
		t.Fatalf("the message search does not use messages_text_search:\n%s", p)
	}
}
