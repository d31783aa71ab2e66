package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// waBatch is a WhatsApp webhook of the given messages, one contact each.
func waBatch(t testing.TB, msgs ...map[string]any) []byte {
	t.Helper()
	var contacts []map[string]any
	for _, m := range msgs {
		name, _ := m["_name"].(string)
		delete(m, "_name")
		contacts = append(contacts, map[string]any{"profile": map[string]any{"name": name}, "wa_id": m["from"]})
	}
	body, err := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": "1", "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp",
			"metadata":          map[string]any{"display_phone_number": "15550001001", "phone_number_id": "100200300"},
			"contacts":          contacts, "messages": msgs,
		}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func waText(from, id, ts, text string) map[string]any {
	return map[string]any{"from": from, "id": id, "timestamp": ts, "type": "text", "text": map[string]any{"body": text}}
}

// A batch of ten where one message holds NUL characters (text and profile
// name) and one an absurd timestamp: all ten are stored, the answer is 200,
// and Meta's retry stores nothing twice.
func TestPoisonBatchIsStoredWhole(t *testing.T) {
	a := newApp(t)
	var msgs []map[string]any
	for i := range 10 {
		msgs = append(msgs, waText(fmt.Sprintf("7999000%04d", i), fmt.Sprintf("wamid.P%d", i), "1764000000", fmt.Sprintf("hello %d", i)))
	}
	msgs[3]["text"] = map[string]any{"body": "nul\u0000inside"}
	msgs[3]["_name"] = "Iv\u0000an"
	msgs[7]["timestamp"] = "99999999999999999"
	before := time.Now().Add(-time.Minute)
	body := waBatch(t, msgs...)
	for try := range 3 {
		if status := a.post(t, body, sign(body)); status != http.StatusOK {
			t.Fatalf("delivery %d: status %d, want 200\n%s", try, status, a.logs)
		}
		if n := a.count(t, "messages"); n != 10 {
			t.Fatalf("delivery %d: %d messages stored, want 10", try, n)
		}
	}
	var text, name string
	if err := a.store.DB.Get(&text, `SELECT body FROM messages WHERE provider_id = 'wamid.P3'`); err != nil {
		t.Fatal(err)
	}
	if err := a.store.DB.Get(&name, `SELECT name FROM clients WHERE external_id = '79990000003'`); err != nil {
		t.Fatal(err)
	}
	if text != "nulinside" || name != "Ivan" {
		t.Errorf("NUL not cleaned: text %q, name %q", text, name)
	}
	var at time.Time
	if err := a.store.DB.Get(&at, `SELECT created_at FROM messages WHERE provider_id = 'wamid.P7'`); err != nil {
		t.Fatal(err)
	}
	if at.Before(before) || at.After(time.Now().Add(time.Minute)) {
		t.Errorf("absurd timestamp stored as %v, want the receive time", at)
	}
	var unread int
	if err := a.store.DB.Get(&unread, `SELECT sum(unread_count) FROM dialogs`); err != nil {
		t.Fatal(err)
	}
	if unread != 10 {
		t.Errorf("unread %d over the dialogs, want 10 (retries count nothing)", unread)
	}
}

// Items that cannot key a row (no id, an id of a megabyte, no sender) are
// kept raw and skipped with a log line; their neighbours are stored and the
// answer is 200. Negative and unreadable times become the receive time.
func TestUnstorableItemsAreKeptRaw(t *testing.T) {
	a := newApp(t)
	body := waBatch(t,
		waText("79990000001", "", "1764000000", "no id"),
		waText("79990000002", "wamid."+strings.Repeat("x", 1<<20), "1764000000", "huge id"),
		waText("79990000003", "wamid.OK1", "-5", "negative time"),
		waText("79990000004", "wamid.OK2", "soon", "unreadable time"),
		waText("79990000005", "wamid.OK3", "1764000000", "fine"),
	)
	for try := range 2 {
		if status := a.post(t, body, sign(body)); status != http.StatusOK {
			t.Fatalf("delivery %d: status %d, want 200\n%s", try, status, a.logs)
		}
	}
	if n := a.count(t, "messages"); n != 3 {
		t.Fatalf("%d messages stored, want 3", n)
	}
	var reasons []string
	if err := a.store.DB.Select(&reasons, `SELECT reason FROM webhook_rejects ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(reasons) != 4 || !strings.Contains(reasons[0], "without a provider id") || !strings.Contains(reasons[1], "bytes") {
		t.Fatalf("rejects kept: %q, want the id-less and the huge-id message, once per delivery", reasons)
	}
	var n int
	if err := a.store.DB.Get(&n, `SELECT count(*) FROM messages WHERE created_at < '2020-01-01' OR created_at > now() + interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d messages kept a negative or unreadable time", n)
	}
	if !strings.Contains(a.logs.String(), "kept raw and skipped") {
		t.Errorf("rejects not logged:\n%s", a.logs)
	}
}

// BenchmarkWebhookBatch5000 answers one signed webhook of 5,000 messages
// from 5,000 clients (each op a new batch): stored in one pass.
func BenchmarkWebhookBatch5000(b *testing.B) {
	a := newApp(b)
	for op := 0; b.Loop(); op++ {
		b.StopTimer()
		msgs := make([]map[string]any, 5000)
		for i := range msgs {
			msgs[i] = waText(fmt.Sprintf("7%03d%07d", op, i), fmt.Sprintf("wamid.B%d.%d", op, i), "1764000000", "hello")
		}
		body := waBatch(b, msgs...)
		b.StartTimer()
		if status := a.post(b, body, sign(body)); status != http.StatusOK {
			b.Fatalf("status %d", status)
		}
	}
}
