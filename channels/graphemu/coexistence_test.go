package graphemu

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"
)

func coexistence(_ *Config, n *Number) { n.Coexistence = true }

// changesOf returns the (field, value) of every WhatsApp change received.
func (rc *receiver) changes(field string) []map[string]any {
	var out []map[string]any
	for _, g := range rc.all() {
		var h waHook
		if json.Unmarshal(g.Body, &h) != nil || h.Object != "whatsapp_business_account" {
			continue
		}
		for _, e := range h.Entry {
			for _, c := range e.Changes {
				if c.Field == field {
					out = append(out, c.Value)
				}
			}
		}
	}
	return out
}

func TestBusinessEchoes(t *testing.T) {
	f := newFixture(t, coexistence)
	c := Client{ID: testClient, Name: "Anna"}
	_, _ = f.emu.SendText(testNumber, c, "hi")
	id, err := f.emu.BusinessSend(testNumber, testClient, Content{Text: "typed on the shop's phone"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.emu.BusinessEdit(testNumber, testClient, id, "typed on the shop's phone, fixed"); err != nil {
		t.Fatal(err)
	}
	if err := f.emu.BusinessRevoke(testNumber, testClient, id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "echoes", func() bool { return len(f.rc.changes("smb_message_echoes")) == 3 })
	echoes := f.rc.changes("smb_message_echoes")
	first := echoes[0]
	if md := first["metadata"].(map[string]any); md["phone_number_id"] != testNumber || first["messaging_product"] != "whatsapp" {
		t.Errorf("echo value %v", first)
	}
	e := first["message_echoes"].([]any)[0].(map[string]any)
	if e["from"] != testDisplay || e["to"] != testClient || e["id"] != id || e["type"] != "text" ||
		e["text"].(map[string]any)["body"] != "typed on the shop's phone" || e["timestamp"] == "" {
		t.Errorf("echo %v", e)
	}
	edit := echoes[1]["message_echoes"].([]any)[0].(map[string]any)
	em := edit["edit"].(map[string]any)
	if edit["type"] != "edit" || edit["id"] == id || em["original_message_id"] != id ||
		em["message"].(map[string]any)["text"].(map[string]any)["body"] != "typed on the shop's phone, fixed" {
		t.Errorf("edit %v", edit)
	}
	rv := echoes[2]["message_echoes"].([]any)[0].(map[string]any)
	if rv["type"] != "revoke" || rv["revoke"].(map[string]any)["original_message_id"] != id {
		t.Errorf("revoke %v", rv)
	}
	conv := f.emu.Conversation(testNumber, testClient)
	if last := conv[len(conv)-1]; last.Source != SourceApp || !last.Revoked || !last.Edited || last.Text != "" {
		t.Errorf("phone shows %+v", last)
	}

	// Business-app messages get no Cloud API statuses.
	f.emu.MarkRead(testNumber, testClient)
	time.Sleep(300 * time.Millisecond)
	if seq := f.rc.statusSeq(id); len(seq) != 0 {
		t.Errorf("statuses for an app message: %v", seq)
	}

	// Through the panel's HTTP API.
	resp, err := http.PostForm(f.srv.URL+"/phone/api/business/send", map[string][]string{
		"account": {testNumber}, "client": {testClient}, "text": {"from the panel"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("panel send %v %v", resp, err)
	}
	resp.Body.Close()
	waitFor(t, "panel echo", func() bool { return len(f.rc.changes("smb_message_echoes")) == 4 })
}

func TestBusinessPhoneNeedsCoexistence(t *testing.T) {
	f := newFixture(t)
	if _, err := f.emu.BusinessSend(testNumber, testClient, Content{Text: "x"}); !errors.Is(err, ErrNotCoexistence) {
		t.Errorf("err %v", err)
	}
	if err := f.emu.SendHistory(testNumber, nil); !errors.Is(err, ErrNotCoexistence) {
		t.Errorf("history err %v", err)
	}
}

func TestHistoryBackfill(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	threads := []HistoryThread{
		{Client: Client{ID: "79990001122", Name: "Anna"}, Messages: []HistoryMessage{
			{From: FromClient, Text: "old question", At: now.Add(-100 * 24 * time.Hour)},
			{From: FromBusiness, Text: "old answer", At: now.Add(-99 * 24 * time.Hour)},
			{From: FromClient, Text: "too old", At: now.Add(-200 * 24 * time.Hour)},
			{From: FromClient, Kind: KindImage, MIME: "image/jpeg", Text: "photo", At: now.Add(-2 * time.Hour)},
		}},
		{Client: Client{ID: "79990003333", Name: "Boris"}, Messages: []HistoryMessage{
			{From: FromClient, Text: "last week", At: now.Add(-7 * 24 * time.Hour)},
			{From: FromBusiness, Text: "sure", At: now.Add(-7*24*time.Hour + time.Minute), Status: "DELIVERED"},
			{From: FromClient, Text: "yesterday-ish", At: now.Add(-30 * time.Hour)},
		}},
	}
	f := newFixture(t, coexistence, func(c *Config, n *Number) { c.HistoryChunkSize = 2; n.History = threads })
	// 6 messages kept: phase 0 has 1, phase 1 has 3 (two chunks), phase 2 has 2.
	waitFor(t, "history", func() bool { return len(f.rc.changes("history")) == 4 })
	var phases, orders, progress []int
	var all []map[string]any
	for _, v := range f.rc.changes("history") {
		h := v["history"].([]any)[0].(map[string]any)
		md := h["metadata"].(map[string]any)
		phases = append(phases, int(md["phase"].(float64)))
		orders = append(orders, int(md["chunk_order"].(float64)))
		progress = append(progress, int(md["progress"].(float64)))
		for _, th := range h["threads"].([]any) {
			thread := th.(map[string]any)
			for _, m := range thread["messages"].([]any) {
				msg := m.(map[string]any)
				msg["thread"] = thread["id"]
				all = append(all, msg)
			}
		}
	}
	if want := []int{0, 1, 1, 2}; !slices.Equal(phases, want) {
		t.Errorf("phases %v", phases)
	}
	if want := []int{1, 1, 2, 1}; !slices.Equal(orders, want) {
		t.Errorf("chunk orders %v", orders)
	}
	if want := []int{16, 50, 66, 100}; !slices.Equal(progress, want) {
		t.Errorf("progress %v", progress)
	}
	if len(all) != 6 {
		t.Fatalf("%d history messages", len(all))
	}
	photo := all[0]
	img := photo["image"].(map[string]any)
	if photo["type"] != "image" || img["id"] != nil || img["mime_type"] != "image/jpeg" || photo["from"] != "79990001122" {
		t.Errorf("history photo %v", photo)
	}
	var sure map[string]any
	for _, m := range all {
		if m["type"] == "text" && m["text"].(map[string]any)["body"] == "sure" {
			sure = m
		}
	}
	if sure["from"] != testDisplay || sure["to"] != "79990003333" || sure["thread"] != "79990003333" ||
		sure["history_context"].(map[string]any)["status"] != "DELIVERED" {
		t.Errorf("business history message %v", sure)
	}
	conv := f.emu.Conversation(testNumber, "79990001122")
	if len(conv) != 3 || conv[0].Text != "old question" || conv[0].Source != SourceHistory {
		t.Errorf("phone history %+v", conv)
	}
	// History does not open the 24-hour window.
	if f.emu.windowOpen(testNumber, "79990001122", 24) {
		t.Error("history opened the window")
	}
}

func TestHistoryDeclined(t *testing.T) {
	f := newFixture(t, coexistence, func(_ *Config, n *Number) { n.HistoryDeclined = true })
	waitFor(t, "declined", func() bool { return len(f.rc.changes("history")) == 1 })
	h := f.rc.changes("history")[0]["history"].([]any)[0].(map[string]any)
	if h["errors"].([]any)[0].(map[string]any)["code"] != float64(2593109) || h["threads"] != nil {
		t.Errorf("declined body %v", h)
	}
}

func TestClientsList(t *testing.T) {
	f := newFixture(t)
	_, _ = f.emu.SendText(testNumber, Client{ID: "79990000002", Name: "Boris"}, "hi")
	_, _ = f.emu.SendText(testNumber, Client{ID: "79990000001", Name: "Anna"}, "hi")
	got := f.emu.Clients(testNumber)
	if len(got) != 2 || got[0] != (ClientInfo{ID: "79990000001", Name: "Anna"}) || got[1].Name != "Boris" {
		t.Errorf("clients %+v", got)
	}
	if len(f.emu.Clients(testIG)) != 0 {
		t.Error("IG account has clients")
	}
}
