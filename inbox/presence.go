package inbox

import (
	"context"
	"time"

	"switchboard/db"
)

// Presence: a tab of our chat (shared inbox or card) that shows a client's
// dialog is watching that client, as long as its live stream lives. The
// rows are in PostgreSQL, so every instance sees every watcher; a stream
// renews its tab on every ping, and a tab whose stream is gone counts as
// closed after PresenceGrace (a reconnect within it changes nothing).
const (
	presenceTTL = 45 * time.Second // three of the stream's pings
	// PresenceGrace is how long a dropped stream's tab still watches.
	PresenceGrace = 20 * time.Second
	// presenceKept is how long a gone tab's row is kept before the sweep.
	presenceKept = time.Hour
)

// EventWaiting is a live event: a dialog stopped (or started) waiting for
// a reply without a message ("No reply needed").
const EventWaiting = "waiting"

// validTab reports whether tab can name a page's tab: what handlers make
// (and what a forged request may send) is stored only when it looks so.
func validTab(tab string) bool {
	if len(tab) < 16 || len(tab) > 64 {
		return false
	}
	for _, r := range tab {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Watch records that the viewer's tab shows dialogID (0: no dialog). The
// client the tab showed before has lost a watcher: their line is looked at
// again at once. A tab without a valid name watches nothing.
func (in *Inbox) Watch(ctx context.Context, v Viewer, tab string, dialogID int64) error {
	if !validTab(tab) {
		return nil
	}
	var client *int64
	if dialogID != 0 {
		vis, err := in.visibility(ctx, v)
		if err != nil {
			return err
		}
		d, err := in.Store.Dialog(ctx, vis, dialogID)
		if err != nil {
			return err
		}
		client = &d.ClientID
	}
	now := in.Now()
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		before, err := tx.Watch(ctx, v.PortalID, tab, v.UserID, client, now.Add(presenceTTL))
		if err != nil || before == nil || (client != nil && *before == *client) {
			return err
		}
		return in.askNotify(ctx, tx, v.PortalID, now, NotifyPayload{ClientID: *before})
	})
}

// KeepWatching renews the viewer's tab: its stream is open.
func (in *Inbox) KeepWatching(ctx context.Context, v Viewer, tab string) error {
	if !validTab(tab) {
		return nil
	}
	return in.Store.KeepAlive(ctx, v.PortalID, tab, v.UserID, in.Now().Add(presenceTTL))
}

// StopWatching is the end of the viewer's tab's stream: the tab counts as
// closed after PresenceGrace, when the client it showed is looked at again.
func (in *Inbox) StopWatching(ctx context.Context, v Viewer, tab string) error {
	if !validTab(tab) {
		return nil
	}
	at := in.Now().Add(PresenceGrace)
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		client, err := tx.Leave(ctx, v.PortalID, tab, v.UserID, at)
		if err != nil || client == nil {
			return err
		}
		return in.askNotify(ctx, tx, v.PortalID, at, NotifyPayload{ClientID: *client})
	})
}

// sweepPresence forgets tabs long gone.
func (in *Inbox) sweepPresence(ctx context.Context) {
	if n, err := in.Store.SweepPresence(ctx, in.Now().Add(-presenceKept)); err != nil {
		in.Log.Warn("sweep of presence failed", "err", err)
	} else if n > 0 {
		in.Log.Debug("gone tabs forgotten", "count", n)
	}
}
