package handlers

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"testing"

	"switchboard/channels/whatsapp"
)

// historyBody is a coexistence history chunk: two old messages with the
// client of the test dialog, one of them sent by the business.
const historyBody = `{"object":"whatsapp_business_account","entry":[{"id":"1100200300","changes":[{"field":"history","value":{
	"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"100200300"},
	"history":[{"metadata":{"phase":1,"chunk_order":1,"progress":100},"threads":[{"id":"79990001122","messages":[
		{"from":"79990001122","id":"wamid.OLD1","timestamp":"1690000000","type":"text","text":{"body":"Old question"},"history_context":{"status":"READ"}},
		{"from":"15550001111","to":"79990001122","id":"wamid.OLD2","timestamp":"1690000060","type":"text","text":{"body":"Old answer"},"history_context":{"status":"READ"}}
	]}]}]}}]}]}`

func (a *mediaApp) hook(t *testing.T, body []byte, secret string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/hooks/whatsapp/"+strconv.FormatInt(a.channel, 10), bytes.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", whatsapp.Sign(secret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestAHistoryWebhookIsKeptFirstAndAbsorbedLater(t *testing.T) {
	a := newMediaApp(t)
	ctx := context.Background()
	count := func(q string) int {
		var n int
		if err := a.store.DB.Get(&n, q); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if status := a.hook(t, []byte(historyBody), "wrong-secret"); status != http.StatusUnauthorized || count(`SELECT count(*) FROM webhook_backlog`) != 0 {
		t.Fatalf("badly signed history: %d, want 401 and nothing kept", status)
	}
	if status := a.hook(t, []byte(historyBody), mediaSecret); status != http.StatusOK {
		t.Fatalf("history webhook: %d, want 200", status)
	}
	if kept, msgs := count(`SELECT count(*) FROM webhook_backlog WHERE processed_at IS NULL`), count(`SELECT count(*) FROM messages`); kept != 1 || msgs != 1 {
		t.Fatalf("after the answer: %d kept bodies, %d messages; want the body kept and nothing absorbed yet", kept, msgs)
	}
	if _, err := a.in.RunDueJobs(ctx); err != nil {
		t.Fatal(err)
	}
	if msgs, unread := count(`SELECT count(*) FROM messages`), count(`SELECT unread_count FROM dialogs`); msgs != 3 || unread != 1 {
		t.Fatalf("after the job: %d messages, unread %d; want 3 messages and the live unread count unchanged", msgs, unread)
	}
	// Meta retries the same chunk: nothing new.
	a.hook(t, []byte(historyBody), mediaSecret)
	if _, err := a.in.RunDueJobs(ctx); err != nil {
		t.Fatal(err)
	}
	if msgs := count(`SELECT count(*) FROM messages`); msgs != 3 {
		t.Fatalf("after a retried chunk: %d messages, want 3", msgs)
	}
}
