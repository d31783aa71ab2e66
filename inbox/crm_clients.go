package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
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

// linkClients links every new client of the portal to the CRM, while the
// run has time.
func (c *crmSync) linkClients(ctx context.Context) error {
	for {
		clients, err := c.in.Store.NewClients(ctx, c.p.ID, 20)
		if err != nil || len(clients) == 0 {
			return err
		}
		for _, cl := range clients {
			if err := c.linkClient(ctx, cl); err != nil {
				return fmt.Errorf("inbox: CRM link of client %d: %w", cl.ID, err)
			}
		}
		if more, err := c.more(ctx); !more || err != nil {
			return err
		}
	}
}

// linkClient finds the client in the CRM (every match is linked) or
// creates what the settings say, with the responsible the distribution
// rule picks, who is then notified. The responsible of the client's
// dialogs is the entity's ASSIGNED_BY_ID.
func (c *crmSync) linkClient(ctx context.Context, cl db.NewClient) error {
	found, err := c.lookup(ctx, cl)
	if err != nil {
		return err
	}
	created := slices.ContainsFunc(found, func(e crmEntity) bool { return e.Ours })
	if len(found) == 0 || c.missingDeal(found) {
		made, err := c.create(ctx, cl, found)
		if err != nil {
			return err
		}
		found, created = append(found, made...), true
	}
	links := make([]db.CRMLink, len(found))
	for i, e := range found {
		links[i] = e.link()
	}
	var responsible db.User
	if assigned := primary(found).Assigned; assigned != 0 {
		if responsible, err = c.user(ctx, assigned); err != nil {
			return err
		}
	}
	if err := c.in.Store.LinkClient(ctx, c.p.ID, cl.ID, links, created, responsible.ID); err != nil {
		return err
	}
	if created && responsible.BitrixUserID != 0 {
		return c.notifyResponsible(ctx, cl, primary(found), responsible)
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

// lookup finds the client's entities before anything is created: by phone
// (crm.duplicate.findbycomm, one type per command, so the "20 of one type
// hide the others" quirk cannot bite), by Instagram id in the IM field
// (findbycomm cannot search it), and by our own origin marker; then the
// deals of the contacts found, and the details of everything.
func (c *crmSync) lookup(ctx context.Context, cl db.NewClient) ([]crmEntity, error) {
	origin := map[string]any{"ORIGINATOR_ID": originator, "ORIGIN_ID": originOf(cl.ID)}
	cmds := []bitrix.BatchCommand{
		{Key: "oc", Method: "crm.contact.list", Params: bitrix.Params{"filter": origin, "select": []string{"ID"}}},
		{Key: "ol", Method: "crm.lead.list", Params: bitrix.Params{"filter": origin, "select": []string{"ID"}}},
		{Key: "od", Method: "crm.deal.list", Params: bitrix.Params{"filter": origin, "select": []string{"ID"}}},
	}
	if phone := clientPhone(cl); phone != "" {
		for _, t := range []string{"CONTACT", "LEAD"} {
			cmds = append(cmds, bitrix.BatchCommand{Key: "p" + t, Method: "crm.duplicate.findbycomm",
				Params: bitrix.Params{"type": "PHONE", "values": []string{"+" + phone}, "entity_type": t}})
		}
	}
	if cl.Transport == channels.Instagram {
		im := map[string]any{"IM": cl.ExternalID}
		cmds = append(cmds,
			bitrix.BatchCommand{Key: "ic", Method: "crm.contact.list", Params: bitrix.Params{"filter": im, "select": []string{"ID"}}},
			bitrix.BatchCommand{Key: "il", Method: "crm.lead.list", Params: bitrix.Params{"filter": im, "select": []string{"ID"}}})
	}
	res, err := c.pc.Batch(ctx, false, cmds...)
	if err != nil {
		return nil, err
	}
	ids := map[string][]int64{}
	for _, r := range res {
		got, err := matchIDs(r)
		if err != nil {
			return nil, err
		}
		t := map[byte]string{'c': "contact", 'l': "lead", 'd': "deal", 'C': "contact", 'L': "lead"}[r.Key[len(r.Key)-1]]
		if strings.HasPrefix(r.Key, "p") {
			t = strings.ToLower(strings.TrimPrefix(r.Key, "p"))
		}
		ids[t] = append(ids[t], got...)
	}
	return c.details(ctx, ids, originOf(cl.ID))
}

// matchIDs reads the ids a lookup command found.
func matchIDs(r bitrix.BatchResult) ([]int64, error) {
	if r.Method == "crm.duplicate.findbycomm" {
		var d bitrix.Duplicates
		if err := r.Decode(&d); err != nil {
			return nil, err
		}
		return slices.Concat(d.Contacts, d.Leads), nil
	}
	var rows []struct {
		ID bitrix.FlexInt `json:"ID"`
	}
	if err := r.Decode(&rows); err != nil {
		return nil, err
	}
	out := make([]int64, len(rows))
	for i, row := range rows {
		out[i] = int64(row.ID)
	}
	return out, nil
}

// details reads the entities found (and the deals of the contacts found)
// in one batch: titles, responsibles, whether closed, whether ours.
func (c *crmSync) details(ctx context.Context, ids map[string][]int64, origin string) ([]crmEntity, error) {
	for t := range ids {
		slices.Sort(ids[t])
		ids[t] = slices.Compact(ids[t])
	}
	if len(ids["contact"])+len(ids["lead"])+len(ids["deal"]) == 0 {
		return nil, nil
	}
	var cmds []bitrix.BatchCommand
	if len(ids["contact"]) > 0 {
		cmds = append(cmds,
			bitrix.BatchCommand{Key: "contact", Method: "crm.contact.list", Params: bitrix.Params{"filter": map[string]any{"@ID": ids["contact"]},
				"select": []string{"ID", "NAME", "LAST_NAME", "ASSIGNED_BY_ID", "ORIGINATOR_ID", "ORIGIN_ID"}}},
			bitrix.BatchCommand{Key: "contact_deals", Method: "crm.deal.list", Params: bitrix.Params{"filter": map[string]any{"@CONTACT_ID": ids["contact"]},
				"select": dealFields}})
	}
	if len(ids["lead"]) > 0 {
		cmds = append(cmds, bitrix.BatchCommand{Key: "lead", Method: "crm.lead.list", Params: bitrix.Params{"filter": map[string]any{"@ID": ids["lead"]},
			"select": []string{"ID", "TITLE", "STATUS_SEMANTIC_ID", "ASSIGNED_BY_ID", "ORIGINATOR_ID", "ORIGIN_ID"}}})
	}
	if len(ids["deal"]) > 0 {
		cmds = append(cmds, bitrix.BatchCommand{Key: "deal", Method: "crm.deal.list", Params: bitrix.Params{"filter": map[string]any{"@ID": ids["deal"]},
			"select": dealFields}})
	}
	res, err := c.pc.Batch(ctx, false, cmds...)
	if err != nil {
		return nil, err
	}
	var out []crmEntity
	seen := map[string]bool{}
	add := func(e crmEntity) {
		if k := e.Type + strconv.FormatInt(e.ID, 10); !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	for _, r := range res {
		switch r.Key {
		case "contact":
			var rows []bitrix.Contact
			if err := r.Decode(&rows); err != nil {
				return nil, err
			}
			for _, ct := range rows {
				add(crmEntity{Type: "contact", ID: int64(ct.ID), Title: fullName(ct.Name, ct.LastName), Assigned: int64(ct.AssignedByID),
					Ours: string(ct.OriginatorID) == originator && string(ct.OriginID) == origin})
			}
		case "lead":
			var rows []bitrix.Lead
			if err := r.Decode(&rows); err != nil {
				return nil, err
			}
			for _, l := range rows {
				add(crmEntity{Type: "lead", ID: int64(l.ID), Title: l.Title, Assigned: int64(l.AssignedByID),
					Closed: l.StatusSemanticID == "S" || l.StatusSemanticID == "F",
					Ours:   string(l.OriginatorID) == originator && string(l.OriginID) == origin})
			}
		case "deal", "contact_deals":
			var rows []bitrix.Deal
			if err := r.Decode(&rows); err != nil {
				return nil, err
			}
			for _, d := range rows {
				add(crmEntity{Type: "deal", ID: int64(d.ID), Title: d.Title, Assigned: int64(d.AssignedByID),
					Closed: bool(d.Closed) || d.StageSemanticID == "S" || d.StageSemanticID == "F",
					Ours:   string(d.OriginatorID) == originator && string(d.OriginID) == origin})
			}
		}
	}
	return out, nil
}

var dealFields = []string{"ID", "TITLE", "CLOSED", "STAGE_SEMANTIC_ID", "ASSIGNED_BY_ID", "ORIGINATOR_ID", "ORIGIN_ID"}

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

// create makes what the settings say for a client nobody knows (or the
// deal a cut-short contact + deal still lacks), marked as ours for them.
func (c *crmSync) create(ctx context.Context, cl db.NewClient, found []crmEntity) ([]crmEntity, error) {
	assigned, err := c.distribute(ctx)
	if err != nil {
		return nil, err
	}
	name := cl.Name
	if name == "" {
		name = "+" + clientPhone(cl)
		if clientPhone(cl) == "" {
			name = cl.ExternalID
		}
	}
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
			return nil, err
		}
	}
	title := c.titleOf(ctx, cl, name)
	switch c.s.Create {
	case CreateLead:
		fields["TITLE"] = title
		id, err := c.pc.AddLead(ctx, fields)
		if err != nil {
			return nil, err
		}
		return []crmEntity{{Type: "lead", ID: id, Title: title, Assigned: assigned, Ours: true}}, nil
	case CreateContactDeal:
		var made []crmEntity
		contact := primary(found)
		if contact.Type != "contact" || !contact.Ours {
			id, err := c.pc.AddContact(ctx, fields)
			if err != nil {
				return nil, err
			}
			contact = crmEntity{Type: "contact", ID: id, Title: name, Assigned: assigned, Ours: true}
			made = append(made, contact)
		}
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
		id, err := c.pc.AddDeal(ctx, deal)
		if err != nil {
			return nil, err
		}
		return append(made, crmEntity{Type: "deal", ID: id, Title: title, Assigned: assigned, Ours: true}), nil
	default:
		id, err := c.pc.AddContact(ctx, fields)
		if err != nil {
			return nil, err
		}
		return []crmEntity{{Type: "contact", ID: id, Title: name, Assigned: assigned, Ours: true}}, nil
	}
}

// source writes the client's channel as the entity's source: the
// channel's SOURCE_ID when the admin chose one, and "WhatsApp — Sales".
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
	if ch.SourceID != "" {
		fields["SOURCE_ID"] = ch.SourceID
	}
	fields["SOURCE_DESCRIPTION"] = c.in.transportTitle(ch.Transport) + " — " + ch.Name
	return nil
}

// titleOf names a lead or deal made for a client: "WhatsApp: Ivan".
func (c *crmSync) titleOf(ctx context.Context, cl db.NewClient, name string) string {
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
