package inbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"switchboard/channels"
	"switchboard/inbox"
)

// Webhooks that arrive together share a transaction. One whose item the
// database refuses fails it as a whole; each webhook is then stored on its
// own: the others are stored, the bad item kept raw, and every webhook
// keeps its own counts (a retried webhook arriving with its first is that
// one's duplicate).
func TestWebhooksArrivingTogetherEachKeepTheirOwn(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.refuseBadMessages(t)
	const n, bad, retry = 40, 7, 20 // webhook retry repeats webhook retry-1
	id := func(i int) string {
		switch i {
		case bad:
			return "wamid.BAD"
		case retry:
			return id0(retry - 1)
		}
		return id0(i)
	}
	results := make([]inbox.IngestResult, n)
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			peer := fmt.Sprintf("7999%07d", i) // the retry comes from its first's client
			if i == retry {
				peer = fmt.Sprintf("7999%07d", retry-1)
			}
			results[i], errs[i] = r.in.IngestShared(ctx, r.channel, &channels.Webhook{Messages: []channels.Message{{
				ProviderID: id(i), Direction: channels.Inbound, Peer: channels.Peer{ID: peer},
				Kind: channels.KindText, Text: "message " + id(i), SentAt: r.clock.Now()}}})
		}()
	}
	start.Done()
	done.Wait()
	stored, dups := 0, 0
	for i, res := range results {
		if errs[i] != nil {
			t.Fatalf("webhook %d: %v", i, errs[i])
		}
		switch {
		case i == bad:
			if res.Stored != 0 || res.Rejected != 1 {
				t.Errorf("the bad webhook: %+v, want its item kept raw", res)
			}
		case i == retry || i == retry-1:
			stored += res.Stored
			dups += res.Duplicates
			if res.Stored+res.Duplicates != 1 {
				t.Errorf("webhook %d (a retry pair): %+v, want one stored or one duplicate", i, res)
			}
		case res.Stored != 1 || res.Duplicates != 0 || res.Rejected != 0:
			t.Errorf("webhook %d: %+v, want its one message stored", i, res)
		}
	}
	if stored != 1 || dups != 1 {
		t.Errorf("the retry pair: %d stored, %d duplicates; want 1 and 1", stored, dups)
	}
	if got := r.count(t, `SELECT count(*) FROM messages`); got != n-2 {
		t.Errorf("%d messages stored, want %d", got, n-2)
	}
	if got := r.count(t, `SELECT count(*) FROM webhook_rejects WHERE reason LIKE '%refused by the test%'`); got != 1 {
		t.Errorf("%d items kept raw, want 1", got)
	}
	if got := r.count(t, `SELECT count(DISTINCT message_id) FROM live_events WHERE kind = 'message'`); got != n-2 {
		t.Errorf("%d messages in the live log, want %d: one event each", got, n-2)
	}
}

func id0(i int) string { return fmt.Sprintf("wamid.T%d", i) }
