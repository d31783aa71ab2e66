package inbox

import (
	"context"
	"errors"
	"time"

	"switchboard/channels"
	"switchboard/db"
)

// applyChanges applies what a webhook changed on messages already stored:
// reactions, edits and deletes (unsent, revoked), each with a live event
// re-rendering the message. A reaction is kept even before its message
// arrives; an edit or delete of a message we never had is counted and
// logged, not stored.
func (in *Inbox) applyChanges(ctx context.Context, tx *db.Store, ch db.Channel, w *channels.Webhook, res *IngestResult) error {
	for _, r := range w.Reactions {
		if r.TargetID == "" {
			continue
		}
		dir := r.Direction
		if dir == "" {
			dir = channels.Inbound
		}
		err := tx.SetReaction(ctx, db.Reaction{PortalID: ch.PortalID, ChannelID: ch.ID, TargetID: r.TargetID,
			Direction: string(dir), Emoji: r.Emoji, At: in.timeOf(r.At)})
		if err != nil {
			return err
		}
		res.Changes++
		ref, err := tx.MessageByProviderID(ctx, ch.PortalID, ch.ID, r.TargetID)
		if err := in.notifyChange(ctx, tx, ch, ref, err, w.History); err != nil {
			return err
		}
	}
	for _, e := range w.Edits {
		ref, err := tx.EditMessage(ctx, ch.PortalID, ch.ID, e.TargetID, e.Text, in.timeOf(e.At))
		if err := in.countChange(ctx, tx, ch, ref, err, w.History, res); err != nil {
			return err
		}
	}
	for _, d := range w.Deletes {
		ref, err := tx.DeleteMessage(ctx, ch.PortalID, ch.ID, d.TargetID, in.timeOf(d.At))
		if err := in.countChange(ctx, tx, ch, ref, err, w.History, res); err != nil {
			return err
		}
	}
	return nil
}

func (in *Inbox) countChange(ctx context.Context, tx *db.Store, ch db.Channel, ref db.MessageRef, err error, history bool, res *IngestResult) error {
	if errors.Is(err, db.ErrNotFound) {
		in.Log.Warn("a change to a message we do not have", "channel", ch.ID, "err", err)
		res.Orphans++
		return nil
	}
	if err != nil {
		return err
	}
	res.Changes++
	return in.notifyChange(ctx, tx, ch, ref, nil, history)
}

// notifyChange re-renders a changed message live; a change to a message we
// do not have yet has nothing to show.
func (in *Inbox) notifyChange(ctx context.Context, tx *db.Store, ch db.Channel, ref db.MessageRef, err error, history bool) error {
	if errors.Is(err, db.ErrNotFound) || history {
		return nil
	}
	if err != nil {
		return err
	}
	return tx.Notify(ctx, Event{Portal: ch.PortalID, Dialog: ref.DialogID, Message: ref.ID, Kind: EventStatus})
}

// timeOf is when something happened: the provider's time, else now.
func (in *Inbox) timeOf(at time.Time) time.Time {
	if at.IsZero() {
		return in.Now()
	}
	return at
}
