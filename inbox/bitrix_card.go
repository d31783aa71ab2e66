package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"switchboard/bitrix"
	"switchboard/db"
)

// Card is a CRM card the app was opened from.
type Card struct {
	EntityType string // lead, contact, deal
	EntityID   int64
	Title      string
	Phones     []string // digits
	Instagram  []string // Instagram ids of its IM field (VALUE_TYPE INSTAGRAM)
}

// OpenCard reads a lead, contact or deal and the phones on it (a deal's
// from its contacts) through REST with the viewing user's own token, so
// Bitrix24's own permissions apply, and links those clients to the card.
func (in *Inbox) OpenCard(ctx context.Context, v Viewer, pl *bitrix.Placement) (Card, error) {
	c, err := in.readCard(ctx, v, pl)
	if errors.Is(err, bitrix.ErrNotFound) {
		err = fmt.Errorf("%w: %v", ErrCardGone, err)
	}
	if err != nil {
		return c, err
	}
	err = in.Store.LinkClients(ctx, v.PortalID, c.Phones, db.CRMLink{EntityType: c.EntityType, EntityID: c.EntityID, Title: c.Title})
	return c, err
}

// ErrCardGone is a card the placement names that does not exist (deleted,
// or a placement without a valid entity id).
var ErrCardGone = errors.New("inbox: the CRM card does not exist")

func (in *Inbox) readCard(ctx context.Context, v Viewer, pl *bitrix.Placement) (Card, error) {
	pc := in.Portal.Client.AsUser(v.memberID, v.PortalURL, pl.AuthID)
	id := pl.EntityID()
	c := Card{EntityID: id}
	if id <= 0 {
		return c, fmt.Errorf("%w: placement %s names no entity", ErrCardGone, pl.Placement)
	}
	var multifields, ims []bitrix.Multifield
	switch pl.EntityType() {
	case bitrix.EntityLead:
		l, err := pc.Lead(ctx, id)
		if err != nil {
			return c, fmt.Errorf("inbox: unable to read lead %d: %w", id, err)
		}
		c.EntityType, c.Title, multifields, ims = "lead", l.Title, l.Phone, l.IM
	case bitrix.EntityContact:
		ct, err := pc.Contact(ctx, id)
		if err != nil {
			return c, fmt.Errorf("inbox: unable to read contact %d: %w", id, err)
		}
		c.EntityType, c.Title, multifields, ims = "contact", fullName(ct.Name, ct.LastName), ct.Phone, ct.IM
	case bitrix.EntityDeal:
		d, err := pc.Deal(ctx, id)
		if err != nil {
			return c, fmt.Errorf("inbox: unable to read deal %d: %w", id, err)
		}
		c.EntityType, c.Title = "deal", d.Title
		contacts, err := pc.DealContacts(ctx, id)
		if err != nil {
			return c, fmt.Errorf("inbox: unable to read the contacts of deal %d: %w", id, err)
		}
		for _, dc := range contacts {
			ct, err := pc.Contact(ctx, int64(dc.ContactID))
			if err != nil {
				return c, fmt.Errorf("inbox: unable to read contact %d: %w", int64(dc.ContactID), err)
			}
			multifields, ims = append(multifields, ct.Phone...), append(ims, ct.IM...)
		}
	default:
		return c, fmt.Errorf("inbox: placement %s is not a lead, contact or deal card", pl.Placement)
	}
	for _, m := range multifields {
		if d := Digits(m.Value); d != "" && !slices.Contains(c.Phones, d) {
			c.Phones = append(c.Phones, d)
		}
	}
	for _, m := range ims {
		if strings.EqualFold(m.ValueType, "INSTAGRAM") && m.Value != "" && !slices.Contains(c.Instagram, m.Value) {
			c.Instagram = append(c.Instagram, m.Value)
		}
	}
	return c, nil
}

// CardDialogs lists the conversations of a card's clients that v may see:
// one row per client, newest activity first.
func (in *Inbox) CardDialogs(ctx context.Context, v Viewer, c Card) ([]db.DialogRow, error) {
	if len(c.Phones) == 0 {
		return nil, nil
	}
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return nil, err
	}
	ds, err := in.Store.DialogsOfPhones(ctx, vis, c.Phones)
	if err != nil {
		return nil, err
	}
	var order []int64
	byClient := map[int64][]db.DialogRow{}
	for _, d := range ds {
		if byClient[d.ClientID] == nil {
			order = append(order, d.ClientID)
		}
		byClient[d.ClientID] = append(byClient[d.ClientID], d)
	}
	rows := make([]db.DialogRow, 0, len(order))
	for _, id := range order {
		rows = append(rows, *conversationOf(vis, byClient[id]))
	}
	return rows, nil
}

// Digits keeps a phone number's digits: "+7 999 123-45-67" is "79991234567".
func Digits(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Channels lists the portal's channels (writing first picks one).
func (in *Inbox) Channels(ctx context.Context, v Viewer) ([]db.Channel, error) {
	return in.Store.Channels(ctx, v.PortalID)
}
