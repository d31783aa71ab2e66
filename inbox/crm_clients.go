package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"switchboard/bitrix"
	"switchboard/channels"
	"switchboard/db"
)

// crmEntity is a lead, contact or deal of a client as the CRM has it.
type crmEntity struct {
	Type     string // lead, contact, deal
	ID       int64
	Title    string
	Closed   bool
	Assigned int64 // ASSIGNED_BY_ID (Bitrix24 user id)
	Ours     bool  // we created it (our ORIGINATOR_ID / ORIGIN_ID)
}

func (e crmEntity) link() db.CRMLink {
	return db.CRMLink{EntityType: e.Type, EntityID: e.ID, Title: e.Title, Closed: e.Closed}
}

// clientsPerPass is how many new clients one pass links: their lookups
// (up to five commands each) fit one batch request.
const clientsPerPass = 10

// linkClients links every new client of the portal to the CRM, while the
// run has time, clientsPerPass at a time: one batch looks them all up, one
// reads what was found, one creates what is missing, one notifies.
func (c *crmSync) linkClients(ctx context.Context) error {
	for {
		clients, err := c.in.Store.NewClients(ctx, c.p.ID, clientsPerPass)
		if err != nil || len(clients) == 0 {
			return err
		}
		found, err := c.lookup(ctx, clients)
		if err != nil {
			return err
		}
		if err := c.createMissing(ctx, clients, found); err != nil {
			return err
		}
		var notes []bitrix.BatchCommand
		for i, cl := range clients {
			note, err := c.linkClient(ctx, cl, found[i])
			if err != nil {
				return fmt.Errorf("inbox: CRM link of client %d: %w", cl.ID, err)
			}
			if note != nil {
				notes = append(notes, *note)
			}
		}
		if err := c.notify(ctx, notes); err != nil {
			return err
		}
		if more, err := c.more(ctx); !more || err != nil {
			return err
		}
	}
}

// linkClient records a client's entities (every match, or what was created
// for them) and their responsible, the primary entity's ASSIGNED_BY_ID,
// who becomes the responsible of the client's dialogs. What it returns is
// the notification to send the responsible of an entity we created.
func (c *crmSync) linkClient(ctx context.Context, cl db.NewClient, found []crmEntity) (*bitrix.BatchCommand, error) {
	created := slices.ContainsFunc(found, func(e crmEntity) bool { return e.Ours })
	links := make([]db.CRMLink, len(found))
	for i, e := range found {
		links[i] = e.link()
	}
	var responsible db.User
	if assigned := primary(found).Assigned; assigned != 0 {
		u, err := c.user(ctx, assigned)
		if err != nil {
			return nil, err
		}
		responsible = u
	}
	changed, err := c.in.Store.LinkClient(ctx, c.p.ID, cl.ID, links, created, responsible.ID)
	if err != nil {
		return nil, err
	}
	if err := c.assigned(ctx, changed); err != nil {
		return nil, err
	}
	if !created || responsible.BitrixUserID == 0 {
		return nil, nil
	}
	note := c.notification(cl, primary(found), responsible)
	return &note, nil
}

// createMissing creates what the settings say for each client nobody knows
// (and the deal a cut-short contact + deal still lacks): a contact or a lead
// for all of them in one batch; a contact + deal one client at a time, the
// deal naming its contact.
func (c *crmSync) createMissing(ctx context.Context, clients []db.NewClient, found [][]crmEntity) error {
	var cmds []bitrix.BatchCommand
	var who []int
	for i, cl := range clients {
		if len(found[i]) > 0 && !c.missingDeal(found[i]) {
			continue
		}
		if c.s.Create == CreateContactDeal {
			made, err := c.createContactDeal(ctx, cl, found[i])
			if err != nil {
				return err
			}
			found[i] = append(found[i], made...)
			continue
		}
		e, fields, err := c.newEntity(ctx, cl)
		if err != nil {
			return err
		}
		cmds = append(cmds, bitrix.BatchCommand{Method: "crm." + e.Type + ".add", Params: bitrix.Params{"fields": fields}})
		who = append(who, i)
		found[i] = []crmEntity{e}
	}
	if len(cmds) == 0 {
		return nil
	}
	res, err := c.batch(ctx, false, cmds...)
	if err != nil {
		return err // outcome unknown: the next pass finds what was made by its origin
	}
	for k, r := range res {
		var id bitrix.FlexInt
		if err := r.Decode(&id); err != nil {
			return fmt.Errorf("inbox: creating the CRM entity of client %d: %w", clients[who[k]].ID, err)
		}
		found[who[k]][0].ID = int64(id)
	}
	return nil
}

// missingDeal: the contact + deal we create was cut short after the
// contact (a crash, an unknown outcome); the deal is still to make.
func (c *crmSync) missingDeal(found []crmEntity) bool {
	if c.s.Create != CreateContactDeal {
		return false
	}
	ours := func(t string) bool {
		return slices.ContainsFunc(found, func(e crmEntity) bool { return e.Ours && e.Type == t })
	}
	return ours("contact") && !ours("deal")
}

// primary is the entity whose responsible the client's dialogs take: an
// open contact first, then an open deal, then an open lead, then any.
func primary(es []crmEntity) crmEntity {
	for _, t := range []string{"contact", "deal", "lead"} {
		for _, e := range es {
			if e.Type == t && !e.Closed {
				return e
			}
		}
	}
	if len(es) > 0 {
		return es[0]
	}
	return crmEntity{}
}

// displayName is how the CRM names a client: their profile name, else
// their phone, else their messenger id.
func displayName(cl db.NewClient) string {
	switch {
	case cl.Name != "":
		return cl.Name
	case clientPhone(cl) != "":
		return "+" + clientPhone(cl)
	}
	return cl.ExternalID
}

// clientPhone is the digits of a client's phone, when they have one.
func clientPhone(cl db.NewClient) string {
	if cl.Phone != "" {
		return Digits(cl.Phone)
	}
	if cl.Transport == channels.WhatsApp {
		return Digits(cl.ExternalID)
	}
	return ""
}

// newEntity is the contact or lead to create for a client nobody knows,
// marked as ours for them, with the responsible the distribution rule picks.
func (c *crmSync) newEntity(ctx context.Context, cl db.NewClient) (crmEntity, bitrix.Fields, error) {
	fields, name, err := c.newFields(ctx, cl)
	if err != nil {
		return crmEntity{}, nil, err
	}
	assigned, _ := fields["ASSIGNED_BY_ID"].(int64)
	if c.s.Create == CreateLead {
		fields["TITLE"] = c.titleOf(cl, name)
		return crmEntity{Type: "lead", Title: c.titleOf(cl, name), Assigned: assigned, Ours: true}, fields, nil
	}
	return crmEntity{Type: "contact", Title: name, Assigned: assigned, Ours: true}, fields, nil
}

// createContactDeal creates a contact (unless an earlier, cut-short run
// did) and a deal in the chosen pipeline and stage naming it.
func (c *crmSync) createContactDeal(ctx context.Context, cl db.NewClient, found []crmEntity) ([]crmEntity, error) {
	fields, name, err := c.newFields(ctx, cl)
	if err != nil {
		return nil, err
	}
	assigned, _ := fields["ASSIGNED_BY_ID"].(int64)
	var made []crmEntity
	contact := primary(found)
	if contact.Type != "contact" || !contact.Ours {
		id, err := c.create(ctx, "crm.contact.add", fields)
		if err != nil {
			return nil, err
		}
		contact = crmEntity{Type: "contact", ID: id, Title: name, Assigned: assigned, Ours: true}
		made = append(made, contact)
	}
	title := c.titleOf(cl, name)
	deal := bitrix.Fields{"TITLE": title, "CONTACT_IDS": []int64{contact.ID}, "CATEGORY_ID": c.s.DealCategory,
		"OPENED": "Y", "ORIGINATOR_ID": originator, "ORIGIN_ID": originOf(cl.ID)}
	for _, k := range []string{"ASSIGNED_BY_ID", "SOURCE_ID", "SOURCE_DESCRIPTION"} {
		if v, ok := fields[k]; ok {
			deal[k] = v
		}
	}
	if c.s.DealStage != "" {
		deal["STAGE_ID"] = c.s.DealStage
	}
	id, err := c.create(ctx, "crm.deal.add", deal)
	if err != nil {
		return nil, err
	}
	return append(made, crmEntity{Type: "deal", ID: id, Title: title, Assigned: assigned, Ours: true}), nil
}

// newFields are the fields of an entity made for a client: name, phone or
// Instagram id, source, responsible, and our origin marker.
func (c *crmSync) newFields(ctx context.Context, cl db.NewClient) (bitrix.Fields, string, error) {
	assigned, err := c.distribute(ctx)
	if err != nil {
		return nil, "", err
	}
	name := displayName(cl)
	fields := bitrix.Fields{"NAME": name, "OPENED": "Y", "ORIGINATOR_ID": originator, "ORIGIN_ID": originOf(cl.ID)}
	if assigned != 0 {
		fields["ASSIGNED_BY_ID"] = assigned
	}
	if phone := clientPhone(cl); phone != "" {
		fields["PHONE"] = []bitrix.Multifield{{Value: "+" + phone, ValueType: "MOBILE"}}
	}
	if cl.Transport == channels.Instagram {
		fields["IM"] = []bitrix.Multifield{{Value: cl.ExternalID, ValueType: "INSTAGRAM"}}
	}
	if c.s.SourceLabel {
		if err := c.source(ctx, cl, fields); err != nil {
			return nil, "", err
		}
	}
	return fields, name, nil
}

// source writes the client's channel as the entity's source, in WZ mode
// only: the channel's SOURCE_ID when the admin chose one, and "WhatsApp —
// Sales".
func (c *crmSync) source(ctx context.Context, cl db.NewClient, fields bitrix.Fields) error {
	if cl.ChannelID == 0 {
		return nil
	}
	ch, err := c.in.Store.Channel(ctx, c.p.ID, cl.ChannelID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if ch.Mode == "ol" { // an Open Lines channel's source is the Open Line's (product.md)
		return nil
	}
	if ch.SourceID == "" {
		ch.SourceID = c.ownSource(ctx, ch)
	}
	if ch.SourceID != "" {
		fields["SOURCE_ID"] = ch.SourceID
	}
	fields["SOURCE_DESCRIPTION"] = c.in.transportTitle(ch.Transport) + " — " + ch.Name
	return nil
}

// titleOf names a lead or deal made for a client: "WhatsApp: Ivan".
func (c *crmSync) titleOf(cl db.NewClient, name string) string {
	return c.in.transportTitle(cl.Transport) + ": " + name
}

// transportTitle is a transport's name as people read it.
func (in *Inbox) transportTitle(name string) string {
	if t, ok := in.Transports[name]; ok {
		return t.Capabilities().Title
	}
	return name
}

// user is our row of a Bitrix24 user, recorded (without access) when they
// never signed in.
func (c *crmSync) user(ctx context.Context, bitrixID int64) (db.User, error) {
	u, err := c.in.Store.UserByBitrixID(ctx, c.p.ID, bitrixID)
	if !errors.Is(err, db.ErrNotFound) {
		return u, err
	}
	var name string
	if us, err := c.pc.Users(ctx, map[string]any{"ID": bitrixID}); err == nil && len(us) > 0 {
		name = fullName(us[0].Name, us[0].LastName)
	}
	return c.in.Store.MeetUser(ctx, c.p.ID, bitrixID, name)
}

// ownSource is the CRM source of a channel whose admin chose none: our own
// entry for its transport ("WhatsApp", "Instagram"), found in the portal's
// SOURCE directory or added to it, and kept as the channel's source so the
// admin may change it. Without the right to add it, no source is written
// (Bitrix24 then shows its first, "Call", which would be wrong).
func (c *crmSync) ownSource(ctx context.Context, ch db.Channel) string {
	id := "SB_" + strings.ToUpper(ch.Transport)
	err := c.rest(ctx, func(ctx context.Context) error {
		sources, err := c.pc.Statuses(ctx, bitrix.DirectorySource)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(sources, func(s bitrix.Status) bool { return string(s.StatusID) == id }) {
			return nil
		}
		_, err = c.pc.AddStatus(ctx, bitrix.NewStatus{EntityID: bitrix.DirectorySource, StatusID: id, Name: c.in.transportTitle(ch.Transport)})
		return err
	})
	if err != nil {
		c.in.Log.Warn("no CRM source of our own for the channel", "portal", c.p.ID, "channel", ch.ID, "err", err)
		return ""
	}
	if err := c.in.Store.SetChannelSource(ctx, c.p.ID, ch.ID, id); err != nil {
		c.in.Log.Warn("the channel's CRM source not kept", "channel", ch.ID, "err", err)
	}
	return id
}
