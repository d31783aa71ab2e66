package graphemu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestForcedFaults(t *testing.T) {
	f := newFixture(t)
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "hi")
	tests := []struct {
		name     string
		faults   Faults
		wantHTTP int
		wantCode float64
	}{
		{"undeliverable", Faults{FailNext: 1, Code: 131026}, 400, 131026},
		{"pair rate limit", Faults{FailNext: 1, Code: 131056}, 400, 131056},
		{"throughput", Faults{FailNext: 1, Code: 130429, HTTPStatus: 400}, 400, 130429},
		{"server error", Faults{FailNext: 1, Code: 2}, 500, 2},
		{"unknown error 500", Faults{FailNext: 1, Code: 1, HTTPStatus: 500}, 500, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.emu.SetFaults(tt.faults)
			code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, textBody(testClient, "x"))
			e := graphErr(t, out)
			if code != tt.wantHTTP || e["code"] != tt.wantCode {
				t.Fatalf("%d %v", code, e)
			}
			// Only the next N sends fail.
			if code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, textBody(testClient, "y")); code != 200 {
				t.Fatalf("fault outlived FailNext: %d %v", code, out)
			}
		})
	}

	// Async: accepted, then a failed status with the code.
	f.emu.SetFaults(Faults{FailNext: 1, Code: 131026, Async: true})
	id := f.sendText(t, testClient, "z")
	waitFor(t, "failed", func() bool { return len(f.rc.statusSeq(id)) == 1 })
	if f.rc.statusSeq(id)[0] != "failed" {
		t.Errorf("async fault statuses %v", f.rc.statusSeq(id))
	}

	// Over HTTP, with latency.
	body := `{"fail_next":2,"code":131047,"latency_ms":200}`
	resp, err := http.Post(f.srv.URL+"/admin/faults", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("admin faults: %v %v", resp, err)
	}
	resp.Body.Close()
	start := time.Now()
	code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, textBody(testClient, "x"))
	if code != 400 || graphErr(t, out)["code"] != float64(131047) || time.Since(start) < 200*time.Millisecond {
		t.Fatalf("admin-set fault: %d %v after %v", code, out, time.Since(start))
	}
	if got := f.emu.currentFaults().FailNext; got != 1 {
		t.Errorf("FailNext left %d", got)
	}
}

func TestThroughputLimit(t *testing.T) {
	f := newFixture(t, func(c *Config, _ *Number) { c.MessagesPerSecond = 3 })
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "hi")
	for i := range 3 {
		if code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, textBody(testClient, "x")); code != 200 {
			t.Fatalf("send %d: %d %v", i, code, out)
		}
	}
	code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, textBody(testClient, "x"))
	if e := graphErr(t, out); code != 400 || e["code"] != float64(130429) {
		t.Fatalf("4th send in a second: %d %v", code, e)
	}
	f.clock.Advance(time.Second)
	if code, _ := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, textBody(testClient, "x")); code != 200 {
		t.Fatalf("next second: %d", code)
	}
}

// Failed deliveries are retried with the configured backoff and logged per attempt.
func TestWebhookRetries(t *testing.T) {
	f := newFixture(t)
	f.rc.failNext(2)
	id, _ := f.emu.SendText(testNumber, Client{ID: testClient}, "retry me")
	// The receiver sees the body before the emulator records the attempt.
	waitFor(t, "delivery after retries", func() bool {
		ds := f.emu.Deliveries()
		return len(f.rc.all()) == 1 && len(ds) == 1 && ds[0].Done
	})
	ds := f.emu.Deliveries()
	if len(ds) != 1 {
		t.Fatalf("deliveries %d", len(ds))
	}
	d := ds[0]
	if len(d.Attempts) != 3 || d.Attempts[0].StatusCode != 500 || d.Attempts[1].StatusCode != 500 || d.Attempts[2].StatusCode != 200 ||
		!d.Delivered() || !d.Done || d.Field != "messages" || d.Account != testNumber {
		t.Fatalf("delivery %+v", d)
	}
	var h waHook
	_ = json.Unmarshal(d.Body, &h)
	if h.Entry[0].Changes[0].Value["messages"].([]any)[0].(map[string]any)["id"] != id || d.Signature != Sign(testSecret, d.Body) {
		t.Errorf("delivery body/signature")
	}

	// Bounded: after the last retry the emulator gives up.
	f.rc.failNext(10)
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "lost")
	waitFor(t, "give up", func() bool { ds := f.emu.Deliveries(); return len(ds) == 2 && ds[1].Done })
	if d := f.emu.Deliveries()[1]; len(d.Attempts) != 3 || d.Delivered() {
		t.Errorf("given-up delivery %+v", d)
	}
	f.rc.failNext(0)

	// An unreachable receiver counts as a failed attempt with status 0.
	f.emu.AddWhatsAppNumber(Number{PhoneNumberID: "999", DisplayPhone: "15550009999", AccessToken: "t9", AppSecret: "s9",
		WebhookURL: "http://127.0.0.1:1/hook"})
	_, _ = f.emu.SendText("999", Client{ID: testClient}, "nobody listens")
	waitFor(t, "network failure", func() bool { ds := f.emu.Deliveries(); return len(ds) == 3 && ds[2].Done })
	if a := f.emu.Deliveries()[2].Attempts[0]; a.StatusCode != 0 || a.Error == "" {
		t.Errorf("network attempt %+v", a)
	}
}

func TestReplay(t *testing.T) {
	f := newFixture(t)
	if err := f.emu.Replay(1); err == nil {
		t.Error("replay with nothing delivered")
	}
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "once")
	waitFor(t, "first", func() bool { return len(f.rc.all()) == 1 })
	if err := f.emu.Replay(2); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(f.srv.URL+"/admin/replay?n=1", "", nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("admin replay %v %v", resp, err)
	}
	resp.Body.Close()
	waitFor(t, "replays", func() bool { return len(f.rc.all()) == 4 })
	got := f.rc.all()
	for _, g := range got[1:] {
		if !bytes.Equal(g.Body, got[0].Body) || g.Signature != got[0].Signature {
			t.Error("replay differs from the original")
		}
	}
	resp, err = http.Get(f.srv.URL + "/admin/deliveries")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ds []Delivery
	if err := json.NewDecoder(resp.Body).Decode(&ds); err != nil || len(ds) != 4 || !ds[3].Replay {
		t.Fatalf("admin deliveries %v %+v", err, ds)
	}
}

// With ReorderStatuses, "sent" arrives after "delivered" and "read".
func TestReorderStatuses(t *testing.T) {
	f := newFixture(t)
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "hi")
	f.emu.SetFaults(Faults{ReorderStatuses: true})
	id := f.sendText(t, testClient, "out of order")
	f.emu.MarkRead(testNumber, testClient)
	waitFor(t, "three statuses", func() bool { return len(f.rc.statusSeq(id)) == 3 })
	if seq := f.rc.statusSeq(id); strings.Join(seq, ",") != "delivered,read,sent" {
		t.Errorf("statuses %v", seq)
	}
}

// Batched client messages arrive in one webhook with messages[] of several items.
func TestClientSendBatch(t *testing.T) {
	f := newFixture(t)
	ids, err := f.emu.ClientSendBatch(testNumber, Client{ID: testClient, Name: "Anna"},
		Content{Text: "one"}, Content{Text: "two"}, Content{Kind: KindLocation, Location: &Location{Latitude: 1, Longitude: 2}})
	if err != nil || len(ids) != 3 {
		t.Fatal(ids, err)
	}
	igIDs, err := f.emu.ClientSendBatch(testIG, Client{ID: igClient}, Content{Text: "a"}, Content{Text: "b"})
	if err != nil || len(igIDs) != 2 {
		t.Fatal(igIDs, err)
	}
	waitFor(t, "two webhooks", func() bool { return len(f.rc.all()) == 2 })
	msgs := f.rc.changes("messages")[0]["messages"].([]any)
	if len(msgs) != 3 || msgs[2].(map[string]any)["id"] != ids[2] {
		t.Errorf("batched messages %v", msgs)
	}
	if ev := f.rc.igEvents(); len(ev) != 2 || ev[1]["message"].(map[string]any)["mid"] != igIDs[1] {
		t.Errorf("batched ig events %v", ev)
	}
	if len(f.emu.Deliveries()) != 2 {
		t.Errorf("%d deliveries", len(f.emu.Deliveries()))
	}
}

func TestDuplicateWebhooks(t *testing.T) {
	f := newFixture(t)
	f.emu.SetFaults(Faults{DuplicateWebhooks: true})
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "twice")
	waitFor(t, "two copies", func() bool { return len(f.rc.all()) == 2 })
	got := f.rc.all()
	if !bytes.Equal(got[0].Body, got[1].Body) {
		t.Error("copies differ")
	}
	if ds := f.emu.Deliveries(); len(ds) != 2 || ds[0].Replay || !ds[1].Replay {
		t.Errorf("deliveries %+v", ds)
	}
}
