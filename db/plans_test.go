package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"switchboard/db"
	"switchboard/db/pgtest"
)

// seedLargePortal fills a portal with dialogs × perDialog messages (plus a
// second portal of the same size, so portal scoping matters to the planner)
// and analyzes the tables.
func seedLargePortal(tb testing.TB, conn *sqlx.DB, dialogs, perDialog int) world {
	tb.Helper()
	store := db.New(conn)
	w := newWorld(tb, store, "big")
	newWorld(tb, store, "other")
	seedDialogs(tb, conn, dialogs, perDialog)
	if _, err := conn.Exec(`ANALYZE`); err != nil {
		tb.Fatal(err)
	}
	return w
}

// seedDialogs gives every portal dialogs clients, each with a dialog of
// perDialog messages on each of the portal's channels.
func seedDialogs(tb testing.TB, conn *sqlx.DB, dialogs, perDialog int) {
	tb.Helper()
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
	} {
		if _, err := conn.Exec(step.sql, step.args...); err != nil {
			tb.Fatal(err)
		}
	}
}

// openSeedConn is a plain connection to dsn, for seeding and checking
// what the Store under test wrote.
func openSeedConn(t *testing.T, dsn string) *sqlx.DB {
	t.Helper()
	conn, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// planCatcher opens a connection on which auto_explain sends every plan
// back as a NOTICE. It asks for what the Store's connections do, so its
// plans are the generic ones the Store runs.
func planCatcher(t *testing.T, dsn string) (*db.Store, func() string) {
	t.Helper()
	base, err := pq.NewConnector(db.WithStoreParams(dsn))
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
	seedConn := openSeedConn(t, dsn)
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

	// The live hub's reads of what events name: probes by id, never a
	// filter over the portal's 10,000 dialogs.
	ids := []int64{convs[0].ID, convs[1].ID}
	if rs, err := store.ClientsDialogRows(ctx, w.portal, ids); err != nil || len(rs) != 2 {
		t.Fatalf("the dialogs of dialogs' clients: %d, %v", len(rs), err)
	}
	if p := plans(); !strings.Contains(p, "dialogs_pkey") || !strings.Contains(p, "dialogs_client_activity") || filteredByArray(p) {
		t.Fatalf("the hub's read of dialogs does not probe dialogs_pkey, then dialogs_client_activity:\n%s", p)
	}
	if ms, err := store.MessagesByID(ctx, w.portal, []int64{msgs[0].ID}); err != nil || len(ms) != 1 {
		t.Fatalf("messages by id: %d, %v", len(ms), err)
	}
	if p := plans(); !strings.Contains(p, "messages_pkey") || filteredByArray(p) {
		t.Fatalf("the hub's read of messages does not probe messages_pkey:\n%s", p)
	}

	// An ingest's look-up of the clients it has: one probe per client.
	var ext string
	if err := seedConn.Get(&ext, `SELECT external_id FROM clients WHERE id = $1`, convs[0].ClientID); err != nil {
		t.Fatal(err)
	}
	stored, err := store.StoreInbound(ctx, w.portal, convs[0].ChannelID, "whatsapp", []db.Inbound{{ClientExternalID: ext,
		Message: db.Message{PortalID: w.portal, ChannelID: convs[0].ChannelID, Direction: "in", Kind: "text", Body: "hi",
			ProviderID: ptr("wamid.plan"), Status: "received", CreatedAt: time.Now()}}})
	if err != nil || len(stored) != 1 || stored[0].DialogID != convs[0].ID {
		t.Fatalf("store inbound: %+v, %v", stored, err)
	}
	if p := plans(); !strings.Contains(p, "clients_portal_id_transport_external_id_key") || filteredByArray(p) ||
		strings.Contains(p, "INSERT INTO clients") || strings.Contains(p, "INSERT INTO dialogs") {
		t.Fatalf("an ingest does not probe its known client and dialog (or writes them again):\n%s", p)
	}
}

// TestWritesByIDProbeBeforeTheFirstAnalyze checks the plans of what an
// ingest writes by id on tables never analyzed yet, as a new install's are:
// the planner then takes "portal_id = $1" for a rare value, and the update
// of a few dialogs read the portal's 2,000 instead of probing five (bench).
func TestWritesByIDProbeBeforeTheFirstAnalyze(t *testing.T) {
	dsn := pgtest.DSN(t)
	seedConn := openSeedConn(t, dsn)
	w := newWorld(t, db.New(seedConn), "fresh")
	seedDialogs(t, seedConn, 2000, 1)
	var analyzed int
	if err := seedConn.Get(&analyzed, `SELECT count(*) FROM pg_stats WHERE tablename = 'dialogs'`); err != nil || analyzed != 0 {
		t.Fatalf("dialogs analyzed already (%d columns, %v): the test needs a table without statistics", analyzed, err)
	}
	var clients []struct {
		ID         int64  `db:"id"`
		ExternalID string `db:"external_id"`
	}
	if err := seedConn.Select(&clients, `SELECT id, external_id FROM clients WHERE portal_id = $1 ORDER BY id LIMIT 5`, w.portal); err != nil {
		t.Fatal(err)
	}
	store, plans := planCatcher(t, dsn)
	var items []db.Inbound
	for i, c := range clients {
		items = append(items, db.Inbound{ClientExternalID: c.ExternalID, Unread: true, Preview: "hi",
			Message: db.Message{PortalID: w.portal, ChannelID: w.channel, Direction: "in", Kind: "text", Body: "hi",
				ProviderID: ptr(fmt.Sprintf("wamid.fresh.%d", i)), Status: "received", CreatedAt: time.Now()}})
	}
	stored, err := store.StoreInbound(context.Background(), w.portal, w.channel, "whatsapp", items)
	if err != nil || len(stored) != len(items) {
		t.Fatalf("store inbound: %d of %d, %v", len(stored), len(items), err)
	}
	p := plans()
	update := p[strings.Index(p, "UPDATE dialogs"):]
	if !strings.Contains(update, "Index Scan using dialogs_pkey on dialogs") ||
		strings.Contains(update, "Seq Scan on dialogs") || strings.Contains(update, "Bitmap Heap Scan on dialogs") {
		t.Fatalf("the update of %d dialogs by id does not probe dialogs_pkey:\n%s", len(items), update)
	}
	var updated int
	if err := seedConn.Get(&updated, `SELECT count(*) FROM dialogs WHERE portal_id = $1 AND last_preview = 'hi'`, w.portal); err != nil || updated != len(items) {
		t.Fatalf("%d dialogs show the new message, want %d (%v)", updated, len(items), err)
	}
}

// TestLookupsProbeTheirKeysOnYoungStatistics: with statistics from when the
// portal had a few clients and messages, as a new install's are once
// autovacuum first analyzed them, the lookups by id and by provider id
// probe their keys: the live hub's read of messages, their quoted
// messages, a delivery status, the notification line's client. With such
// statistics their generic plans walked the portal's rows instead: ~0.6 ms
// a message with 2,000 of them, 1 ms a client (make bench, auto_explain).
func TestLookupsProbeTheirKeysOnYoungStatistics(t *testing.T) {
	dsn := pgtest.DSN(t)
	seedConn := openSeedConn(t, dsn)
	w := newWorld(t, db.New(seedConn), "stale")
	if _, err := seedConn.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	if _, err := seedConn.Exec(`INSERT INTO messages (portal_id, dialog_id, channel_id, direction, kind, body, provider_id, status, created_at)
		SELECT d.portal_id, d.id, d.channel_id, 'in', 'text', 'more ' || g, 'wamid.more.' || d.id || '.' || g, 'received', now()
		FROM dialogs d, generate_series(1, 200) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := seedConn.Exec(`INSERT INTO clients (portal_id, transport, external_id, phone, name)
		SELECT $1, 'whatsapp', 'young-' || g, '7998' || g, 'Young ' || g FROM generate_series(1, 2000) g`, w.portal); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := seedConn.Select(&ids, `UPDATE messages SET provider_id = 'wamid.stale.' || id, direction = 'out', status = 'sent'
		WHERE id IN (SELECT id FROM messages WHERE portal_id = $1 ORDER BY id DESC LIMIT 2) RETURNING id`, w.portal); err != nil || len(ids) != 2 {
		t.Fatalf("two sent messages: %v, %v", ids, err)
	}
	store, plans := planCatcher(t, dsn)
	ctx := context.Background()
	ms, err := store.MessagesByID(ctx, w.portal, ids)
	if err != nil || len(ms) != 2 {
		t.Fatalf("messages by id: %d, %v", len(ms), err)
	}
	if p := plans(); strings.Contains(p, "Seq Scan on messages") || strings.Contains(p, "messages_portal_recent") ||
		!strings.Contains(p, "messages_pkey on messages m") || !strings.Contains(p, "messages_provider_id on messages q") {
		t.Fatalf("the hub's read of messages does not probe each by id, its quoted message by provider id:\n%s", p)
	}
	if _, _, found, _, err := store.ApplyStatus(ctx, db.StatusUpdate{PortalID: w.portal, ChannelID: ms[0].ChannelID,
		ProviderID: *ms[0].ProviderID, Status: "read", At: time.Now()}); err != nil || !found {
		t.Fatalf("a status: found %v, %v", found, err)
	}
	if p := plans(); strings.Contains(p, "Seq Scan on messages") || strings.Contains(p, "messages_portal_recent") || !strings.Contains(p, "messages_provider_id") {
		t.Fatalf("a status does not probe its message by provider id:\n%s", p)
	}
	if _, err := store.ClientWaiting(ctx, w.portal, w.client); err != nil {
		t.Fatal(err)
	}
	if p := plans(); !strings.Contains(p, "clients_pkey") || strings.Contains(p, "clients_portal_id_transport_external_id_key") {
		t.Fatalf("the notification line's client is not probed by id:\n%s", p)
	}
}

// filteredByArray reports a plan that filters rows by "= ANY(array)"
// rather than probing an index with it: every row of the scan is tested.
func filteredByArray(plan string) bool {
	for _, line := range strings.Split(plan, "\n") {
		if strings.Contains(line, "Filter:") && strings.Contains(line, "ANY (") {
			return true
		}
	}
	return false
}
