package emulator

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// Contact is seed data for a CRM contact.
type Contact struct {
	Name, LastName string
	Phones, Emails []string
	AssignedByID   int               // default: the installing admin
	Fields         map[string]string // any other field, e.g. SOURCE_ID, UF_CRM_X
}

// Lead is seed data for a CRM lead.
type Lead struct {
	Title, Name, LastName string
	Phones, Emails        []string
	StatusID              string // default NEW
	ContactID             int
	AssignedByID          int
	Fields                map[string]string
}

// Deal is seed data for a CRM deal.
type Deal struct {
	Title        string
	ContactIDs   []int // the first is the primary contact
	StageID      string
	Opportunity  string
	AssignedByID int
	Fields       map[string]string
}

func seedFields(fields map[string]string, name, last string, phones, emails []string) *obj {
	o := newObj()
	if name != "" {
		o.set("NAME", name)
	}
	if last != "" {
		o.set("LAST_NAME", last)
	}
	for _, pair := range []struct {
		key  string
		vals []string
	}{{"PHONE", phones}, {"EMAIL", emails}} {
		if len(pair.vals) == 0 {
			continue
		}
		items := newObj()
		for i, v := range pair.vals {
			vt := "WORK"
			if pair.key == "PHONE" {
				vt = "MOBILE"
			}
			items.set(strconv.Itoa(i), newObj().set("VALUE", v).set("VALUE_TYPE", vt))
		}
		o.set(pair.key, items)
	}
	for k, v := range fields {
		o.set(k, v)
	}
	return o
}

func (p *Portal) seedOwner(assigned int) int {
	if assigned > 0 {
		return assigned
	}
	if a := p.adminLocked(); a != nil {
		return a.ID
	}
	return 1
}

// SeedContact adds a contact without firing events and returns its id.
func (p *Portal) SeedContact(c Contact) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, err := p.createEntity(p.contacts, seedFields(c.Fields, c.Name, c.LastName, c.Phones, c.Emails), p.seedOwner(c.AssignedByID))
	if err != nil {
		panic(err)
	}
	return e.ID
}

// SeedLead adds a lead without firing events and returns its id.
func (p *Portal) SeedLead(l Lead) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := seedFields(l.Fields, l.Name, l.LastName, l.Phones, l.Emails)
	if l.Title != "" {
		f.set("TITLE", l.Title)
	}
	if l.StatusID != "" {
		f.set("STATUS_ID", l.StatusID)
	}
	if l.ContactID > 0 {
		f.set("CONTACT_ID", strconv.Itoa(l.ContactID))
	}
	e, err := p.createEntity(p.leads, f, p.seedOwner(l.AssignedByID))
	if err != nil {
		panic(err)
	}
	return e.ID
}

// SeedDeal adds a deal without firing events and returns its id.
func (p *Portal) SeedDeal(d Deal) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := seedFields(d.Fields, "", "", nil, nil)
	if d.Title != "" {
		f.set("TITLE", d.Title)
	}
	if d.StageID != "" {
		f.set("STAGE_ID", d.StageID)
	}
	if d.Opportunity != "" {
		f.set("OPPORTUNITY", d.Opportunity)
	}
	if len(d.ContactIDs) > 0 {
		f.set("CONTACT_ID", strconv.Itoa(d.ContactIDs[0]))
		ids := newObj()
		for i, id := range d.ContactIDs {
			ids.set(strconv.Itoa(i), strconv.Itoa(id))
		}
		f.set("CONTACT_IDS", ids)
	}
	e, err := p.createEntity(p.deals, f, p.seedOwner(d.AssignedByID))
	if err != nil {
		panic(err)
	}
	return e.ID
}

// Entity returns a CRM item ("CONTACT", "LEAD", "DEAL") as crm.*.get
// answers it, decoded into plain Go values; ok is false when missing.
func (p *Portal) Entity(kind string, id int) (map[string]any, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.storeFor(kind)
	if s == nil {
		return nil, false
	}
	e, ok := s.rows[id]
	if !ok {
		return nil, false
	}
	m, _ := plain(s.view(e, nil)).(map[string]any)
	return m, true
}

// EntityIDs lists the ids of a CRM type in creation order.
func (p *Portal) EntityIDs(kind string) []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.storeFor(kind)
	if s == nil {
		return nil
	}
	return append([]int(nil), s.order...)
}

// UpdateEntityAs changes a CRM item as userID would in the portal's card
// (Bitrix multifield semantics apply) and sends ONCRM<KIND>UPDATE to the
// bound handlers. ErrNoHandler and ErrNotInstalled are not errors here.
func (p *Portal) UpdateEntityAs(ctx context.Context, userID int, kind string, id int, fields map[string]any) error {
	p.mu.Lock()
	s := p.storeFor(kind)
	if s == nil {
		p.mu.Unlock()
		return fmt.Errorf("emulator: unknown CRM type %q", kind)
	}
	e, ok := s.rows[id]
	if !ok {
		p.mu.Unlock()
		return fmt.Errorf("emulator: %s %d not found", s.kind, id)
	}
	f, _ := toObjDeep(fields).(*obj)
	if err := p.applyFields(s, e, f, true); err != nil {
		p.mu.Unlock()
		return err
	}
	e.fields["DATE_MODIFY"] = bxTime(p.now())
	e.fields["MODIFY_BY_ID"] = strconv.Itoa(userID)
	p.mu.Unlock()
	err := p.sendEvent(ctx, "ONCRM"+s.kind+"UPDATE", newObj().set("FIELDS", newObj().set("ID", strconv.Itoa(id))), userID)
	if errors.Is(err, ErrNoHandler) || errors.Is(err, ErrNotInstalled) {
		return nil
	}
	return err
}
