package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"switchboard/db"
)

// ErrBadRecipient is a number or Instagram id to write to that cannot be
// one (empty, or not digits where the transport wants them).
var ErrBadRecipient = errors.New("inbox: not a number or id a channel can write to")

// recipient is whom a draft without a dialog goes to: a known client, or a
// number (an Instagram id) from a CRM card, on a channel.
type recipient struct {
	channel  int64
	clientID int64  // a client the viewer sees a dialog of; or
	address  string // a WhatsApp number (digits) or an Instagram id
}

// NewClientDraft starts a message to a client the viewer sees a dialog of,
// on any channel of the client's transport: on Send the client's dialog on
// that channel is used, or started. ErrNotFound when the viewer sees no
// dialog of the client or the channel cannot reach them.
func (in *Inbox) NewClientDraft(ctx context.Context, v Viewer, clientID, channelID int64) (*Draft, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return nil, err
	}
	ds, err := in.Store.ClientDialogs(ctx, vis, clientID)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, fmt.Errorf("inbox: client %d: %w", clientID, ErrNotFound)
	}
	ch, err := in.Store.Channel(ctx, v.PortalID, channelID)
	if err != nil {
		return nil, err
	}
	if ch.Transport != ds[0].Transport {
		return nil, fmt.Errorf("inbox: channel %d cannot reach client %d: %w", channelID, clientID, ErrNotFound)
	}
	return &Draft{in: in, v: v, client: clientID, to: &recipient{channel: channelID, clientID: clientID}}, nil
}

// NewFirstDraft starts the first message to a number (or an Instagram id)
// on a channel: writing first, from a CRM card. The client and the dialog
// are made on Send, the viewer responsible for a dialog nobody had. A
// client who already has a dialog on the channel that the viewer may not see
// is ErrNotFound; a malformed address ErrBadRecipient.
func (in *Inbox) NewFirstDraft(ctx context.Context, v Viewer, channelID int64, address string) (*Draft, error) {
	ch, err := in.Store.Channel(ctx, v.PortalID, channelID)
	if err != nil {
		return nil, err
	}
	address = strings.TrimSpace(address)
	if d := Digits(address); d == "" || len(d) < 5 || len(d) > 20 || ch.Transport == "whatsapp" && strings.Trim(address, "+0123456789 ()-") != "" {
		return nil, fmt.Errorf("%w: %q", ErrBadRecipient, address)
	}
	if ch.Transport == "whatsapp" {
		address = Digits(address)
	}
	return &Draft{in: in, v: v, to: &recipient{channel: channelID, address: address}}, nil
}

// startDialog finds or starts the dialog of a draft made without one, in
// its own transaction (the send that follows has its own). Nothing is
// started for a message that will be refused as empty.
func (d *Draft) startDialog(ctx context.Context, text string) error {
	if d.to == nil {
		return nil
	}
	if strings.TrimSpace(text) == "" && len(d.files) == 0 {
		return ErrEmpty
	}
	in, v := d.in, d.v
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return err
	}
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		ch, err := tx.Channel(ctx, v.PortalID, d.to.channel)
		if err != nil {
			return err
		}
		clientID := d.to.clientID
		if clientID == 0 {
			c := db.Client{PortalID: v.PortalID, Transport: ch.Transport, ExternalID: d.to.address}
			if ch.Transport == "whatsapp" {
				c.Phone = d.to.address
			}
			if clientID, err = tx.UpsertClient(ctx, c); err != nil {
				return err
			}
		}
		ds, err := tx.ClientDialogs(ctx, vis, clientID)
		if err != nil {
			return err
		}
		for _, dl := range ds {
			if dl.ChannelID == ch.ID {
				d.dialog, d.client = dl.ID, clientID
				return nil
			}
		}
		if d.to.clientID != 0 && len(ds) == 0 {
			return fmt.Errorf("inbox: client %d: %w", clientID, ErrNotFound)
		}
		responsible := v.UserID // who writes first answers for it, until the CRM says otherwise
		if len(ds) > 0 && ds[0].ResponsibleUserID != nil {
			responsible = *ds[0].ResponsibleUserID
		}
		id, err := tx.StartDialog(ctx, v.PortalID, ch.ID, clientID, responsible, in.Now())
		if err != nil {
			return err
		}
		d.dialog, d.client = id, clientID
		return in.requestCRMSync(ctx, tx, v.PortalID)
	})
}

// ClientID is the draft's client: 0 for a first message to someone new
// until it is sent.
func (d *Draft) ClientID() int64 { return d.client }

// DialogID is the draft's dialog: 0 for a draft without one until Send
// found or started it (kept even when the send was then refused).
func (d *Draft) DialogID() int64 { return d.dialog }
