package inbox

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"switchboard/channels"
	"switchboard/db"
)

// JobHistory is the outbox job that absorbs a kept history webhook.
const JobHistory = "history"

// HistoryPayload is a JobHistory job's payload.
type HistoryPayload struct {
	BacklogID int64 `json:"backlog_id"`
}

// KeepWebhook stores a verified webhook body raw, with its signature, and
// queues its processing, in one transaction: a coexistence history backfill
// is saved first and absorbed in the background, so Meta gets its 200 at
// once however large the chunk.
func (in *Inbox) KeepWebhook(ctx context.Context, ch db.Channel, signature string, body []byte) (int64, error) {
	var id int64
	err := in.Store.InTx(ctx, func(tx *db.Store) error {
		var err error
		id, err = tx.InsertBacklog(ctx, db.BacklogItem{PortalID: ch.PortalID, ChannelID: ch.ID, Signature: signature, Body: body})
		if err != nil {
			return err
		}
		return tx.Enqueue(ctx, ch.PortalID, JobHistory, HistoryPayload{BacklogID: id}, in.Now())
	})
	if err != nil {
		return 0, fmt.Errorf("inbox: unable to keep a webhook of channel %d: %w", ch.ID, err)
	}
	return id, nil
}

// runHistory absorbs one kept history webhook in one transaction: only the
// last three conversations come in (limitHistory), their messages take
// their place in time (a dialog's last activity never moves
// back, new dialogs start at their own last message), raise no unread count
// and no notification, and a message a live webhook already brought is not
// stored twice (provider ids are unique per channel). Streams get one reset
// at the end so open pages show what arrived.
func (in *Inbox) runHistory(ctx context.Context, j db.Job) error {
	var p HistoryPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("inbox: bad %s payload: %w", j.Kind, err)
	}
	b, err := in.Store.Backlog(ctx, j.PortalID, p.BacklogID)
	if err != nil || b.Processed {
		return err
	}
	ch, t, err := in.channelOf(ctx, b.PortalID, b.ChannelID)
	if err != nil {
		return err
	}
	hook, err := t.ParseWebhook(Account(ch), b.Signature, b.Body)
	if errors.Is(err, channels.ErrBadSignature) || errors.Is(err, channels.ErrMalformed) {
		// Nothing a retry can fix (the channel's secret changed since): keep
		// the body and say why.
		in.Log.Error("a kept webhook cannot be read", "backlog", b.ID, "err", err)
		return in.Store.FinishBacklog(ctx, b.PortalID, b.ID, "unreadable: "+err.Error())
	}
	if err != nil {
		return err
	}
	hook.History = true
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		known, err := tx.ChannelPeers(ctx, ch.PortalID, ch.ID)
		if err != nil {
			return err
		}
		limit := cmp.Or(in.HistoryDialogs, historyDialogs)
		skipped := limitHistory(hook, known, limit)
		results, err := in.ingestTx(ctx, tx, []arrival{{ch: ch, w: hook}}, true)
		if err != nil {
			return err
		}
		res := results[0]
		summary := fmt.Sprintf("stored %d, duplicates %d, changes %d, beyond the last %d dialogs %d",
			res.Stored, res.Duplicates, res.Changes, limit, skipped)
		if err := tx.FinishBacklog(ctx, b.PortalID, b.ID, summary); err != nil {
			return err
		}
		if res.Stored == 0 {
			return nil
		}
		return tx.LogEvents(ctx, in.Now(), Event{Portal: b.PortalID, Kind: EventReset})
	})
}
