package inbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"switchboard/channels"
	"switchboard/db"
)

// Webhooks that arrive together are stored together: each waits for the
// next shared transaction (group commit), so the store's cost per
// transaction (commit, the rows every webhook of a portal touches, the
// messages of a channel inserted in one pass) is paid once per batch, and
// the webhooks of one instance do not queue on each other's row locks.
// There is no timer: a batch is whatever arrived while the one before was
// committed, so an idle instance stores a lone webhook at once.
const (
	ingestCommitters = 2   // transactions in flight per instance
	ingestBatchHooks = 128 // webhooks per transaction at most
	ingestBatchItems = 512 // and items (messages, statuses, changes)
	ingestTimeout    = 30 * time.Second
)

// hookQueue is the webhooks waiting for a transaction; its zero value is
// empty.
type hookQueue struct {
	mu         sync.Mutex
	waiting    []*waitingHook
	committers int
}

// waitingHook is one webhook in the queue, and its outcome once stored.
type waitingHook struct {
	arrival
	res  IngestResult
	err  error
	done chan struct{}
}

// IngestShared is Ingest in a transaction shared with the webhooks that
// arrive with it. Should that transaction fail, each of its webhooks is
// stored again on its own (Ingest), so one bad webhook never costs the
// others. A caller who stops waiting (ctx) gets ctx's error; the webhook
// may still be stored, and its retry is then a duplicate.
func (in *Inbox) IngestShared(ctx context.Context, ch db.Channel, w *channels.Webhook) (IngestResult, error) {
	h := &waitingHook{arrival: arrival{ch: ch, w: w}, done: make(chan struct{})}
	q := &in.hooks
	q.mu.Lock()
	q.waiting = append(q.waiting, h)
	start := q.committers < ingestCommitters
	if start {
		q.committers++
	}
	q.mu.Unlock()
	if start {
		go in.commitHooks()
	}
	select {
	case <-h.done:
		return h.res, h.err
	case <-ctx.Done():
		return IngestResult{}, ctx.Err()
	}
}

// commitHooks stores batches of waiting webhooks until none waits.
func (in *Inbox) commitHooks() {
	q := &in.hooks
	for {
		q.mu.Lock()
		n, items := 0, 0
		for n < len(q.waiting) && n < ingestBatchHooks && (n == 0 || items < ingestBatchItems) {
			items += itemsOf(q.waiting[n].w)
			n++
		}
		if n == 0 {
			q.committers--
			q.mu.Unlock()
			return
		}
		batch := q.waiting[:n:n]
		q.waiting = append([]*waitingHook(nil), q.waiting[n:]...)
		q.mu.Unlock()
		in.storeBatch(batch)
		for _, h := range batch {
			close(h.done)
		}
	}
}

// itemsOf is how many things a webhook asks to store.
func itemsOf(w *channels.Webhook) int {
	return len(w.Messages) + len(w.Statuses) + len(w.Reactions) + len(w.Edits) + len(w.Deletes)
}

// storeBatch stores the batch in one transaction, or, should that fail,
// each webhook on its own.
func (in *Inbox) storeBatch(batch []*waitingHook) {
	ctx, cancel := context.WithTimeout(context.Background(), ingestTimeout)
	defer cancel()
	if len(batch) > 1 {
		hooks := make([]arrival, len(batch))
		for i, h := range batch {
			hooks[i] = h.arrival
		}
		var results []IngestResult
		err := in.live().InTx(ctx, func(tx *db.Store) error {
			var err error
			results, err = in.ingestTx(ctx, tx, hooks, false)
			return err
		})
		if err == nil {
			for i, h := range batch {
				h.res = results[i]
			}
			return
		}
		in.Log.Warn("a batch of webhooks failed as a whole; storing each on its own", "webhooks", len(batch), "err", err)
	}
	for _, h := range batch {
		h.res, h.err = in.Ingest(ctx, h.ch, h.w)
		if errors.Is(h.err, context.DeadlineExceeded) {
			h.err = fmt.Errorf("inbox: webhook of channel %d not stored within %s: %w", h.ch.ID, ingestTimeout, h.err)
		}
	}
}
