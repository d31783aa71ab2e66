package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"switchboard/channels"
	"switchboard/db"
)

// JobClientProfile is the outbox job that reads a new client's profile
// where the webhooks do not name them (Instagram's user profile API): the
// name shows in their dialogs instead of a bare id.
const JobClientProfile = "client_profile"

// EventClient is a live event of a client's profile read: their rows are
// redrawn in place.
const EventClient = "client"

// ClientProfilePayload is a JobClientProfile job's payload.
type ClientProfilePayload struct {
	ClientID int64 `json:"client_id"`
}

// requestProfiles queues a profile read for each client of the webhooks
// never asked about, on a transport whose webhooks do not name clients:
// once per new client.
func (in *Inbox) requestProfiles(ctx context.Context, tx *db.Store, ch db.Channel, ws ...*channels.Webhook) error {
	t, ok := in.Transports[ch.Transport]
	if !ok || !t.Capabilities().Profiles {
		return nil
	}
	var peers []string
	for _, w := range ws {
		for _, m := range w.Messages {
			if m.Direction == channels.Inbound && m.Peer.ID != "" {
				peers = append(peers, m.Peer.ID)
			}
		}
	}
	if len(peers) == 0 {
		return nil
	}
	ids, err := tx.RequestProfiles(ctx, ch.PortalID, ch.Transport, peers, in.Now())
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.Enqueue(ctx, ch.PortalID, JobClientProfile, ClientProfilePayload{ClientID: id}, in.Now()); err != nil {
			return err
		}
	}
	return nil
}

// runClientProfile reads one client's profile and stores it. A refusal
// (the user blocked the account, or has no profile to show) is final: the
// dialog keeps showing their id.
func (in *Inbox) runClientProfile(ctx context.Context, j db.Job) error {
	var p ClientProfilePayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return errPermanent{fmt.Errorf("inbox: bad %s payload: %w", j.Kind, err)}
	}
	target, err := in.Store.ProfileTargetOf(ctx, j.PortalID, p.ClientID)
	if err != nil {
		return err
	}
	ch, t, err := in.channelOf(ctx, j.PortalID, target.ChannelID)
	if err != nil {
		return err
	}
	prof, err := t.Profile(ctx, Account(ch), target.ExternalID)
	var sendErr *channels.SendError
	switch {
	case errors.Is(err, channels.ErrUnsupported):
		return nil
	case errors.As(err, &sendErr) && !sendErr.Transient:
		return errPermanent{fmt.Errorf("inbox: profile of client %d: %w", p.ClientID, err)}
	case err != nil:
		return err
	}
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		dialogs, err := tx.SaveProfile(ctx, j.PortalID, p.ClientID, prof.Name, prof.Username, prof.PictureURL)
		if err != nil {
			return err
		}
		events := make([]Event, len(dialogs))
		for i, d := range dialogs {
			events[i] = Event{Portal: j.PortalID, Dialog: d, Kind: EventClient}
		}
		return tx.LogEvents(ctx, in.Now(), events...)
	})
}
