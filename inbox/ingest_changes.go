package inbox

import (
	"context"
	"errors"
	"time"

	"switchboard/channels"
	"switchboard/db"
)

// Reactions, edits and deletes (unsent, revoked) change messages already
// stored, each with a live event re-rendering the message. A reaction is
// kept even before its message arrives; an edit or delete of a message we
// never had is counted and logged, not stored.

func (g *ingest) reactions(ctx context.Context, w *channels.Webhook) error {
	var rs []channels.Reaction
	for _, r := range w.Reactions {
		r.TargetID, r.Emoji = clean(r.TargetID), clean(r.Emoji)
		if r.TargetID == "" {
			continue
		}
		if reason := checkID("reaction target", r.TargetID); reason != "" {
			if err := g.reject(ctx, r, reason); err != nil {
				return err
			}
			continue
		}
		if r.Direction == "" {
			r.Direction = channels.Inbound
		}
		r.At = g.timeOf(r.At)
		rs = append(rs, r)
	}
	return g.tryAll(ctx, len(rs), func(lo, hi int) error {
		for _, r := range rs[lo:hi] {
			err := g.tx.SetReaction(ctx, db.Reaction{PortalID: g.ch.PortalID, ChannelID: g.ch.ID, TargetID: r.TargetID,
				Direction: string(r.Direction), Emoji: r.Emoji, At: r.At})
			if err != nil {
				return err
			}
			g.res.Changes++
			ref, err := g.tx.MessageByProviderID(ctx, g.ch.PortalID, g.ch.ID, r.TargetID)
			if err := g.changed(ref, err, w.History); err != nil {
				return err
			}
		}
		return nil
	}, func(i int) any { return rs[i] })
}

func (g *ingest) edits(ctx context.Context, w *channels.Webhook) error {
	es := make([]channels.Edit, 0, len(w.Edits))
	for _, e := range w.Edits {
		e.TargetID, e.Text, e.At = clean(e.TargetID), clean(e.Text), g.timeOf(e.At)
		es = append(es, e)
	}
	return g.tryAll(ctx, len(es), func(lo, hi int) error {
		for _, e := range es[lo:hi] {
			ref, err := g.tx.EditMessage(ctx, g.ch.PortalID, g.ch.ID, e.TargetID, e.Text, e.At)
			if err := g.counted(ref, err, w.History); err != nil {
				return err
			}
		}
		return nil
	}, func(i int) any { return es[i] })
}

func (g *ingest) deletes(ctx context.Context, w *channels.Webhook) error {
	ds := make([]channels.Delete, 0, len(w.Deletes))
	for _, d := range w.Deletes {
		d.TargetID, d.At = clean(d.TargetID), g.timeOf(d.At)
		ds = append(ds, d)
	}
	return g.tryAll(ctx, len(ds), func(lo, hi int) error {
		for _, d := range ds[lo:hi] {
			ref, err := g.tx.DeleteMessage(ctx, g.ch.PortalID, g.ch.ID, d.TargetID, d.At)
			if err := g.counted(ref, err, w.History); err != nil {
				return err
			}
		}
		return nil
	}, func(i int) any { return ds[i] })
}

// counted counts an edit or delete: applied, or an orphan when we do not
// have its message.
func (g *ingest) counted(ref db.MessageRef, err error, history bool) error {
	if errors.Is(err, db.ErrNotFound) {
		g.in.Log.Warn("a change to a message we do not have", "channel", g.ch.ID, "err", err)
		g.res.Orphans++
		return nil
	}
	if err != nil {
		return err
	}
	g.res.Changes++
	return g.changed(ref, nil, history)
}

// changed re-renders a changed message live; a change to a message we do
// not have yet has nothing to show.
func (g *ingest) changed(ref db.MessageRef, err error, history bool) error {
	if errors.Is(err, db.ErrNotFound) || history {
		return nil
	}
	if err != nil {
		return err
	}
	g.events = append(g.events, Event{Portal: g.ch.PortalID, Dialog: ref.DialogID, Message: ref.ID, Kind: EventStatus})
	return nil
}

// timeOf is when something happened: the provider's time when sane, else
// the receive time.
func (g *ingest) timeOf(at time.Time) time.Time { return saneTime(at, g.now) }
