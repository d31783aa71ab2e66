package emulator

// dealContactItems answers crm.deal.contact.items.get: integers, the
// primary contact first.
func (p *Portal) dealContactItems(c *call) (any, error) {
	id := num(c.params.str("id", "ID"))
	if id <= 0 {
		return nil, crmErr("The parameter ownerEntityID is invalid or not defined.")
	}
	if _, ok := p.deals.rows[id]; !ok {
		return nil, crmErr("Not found.")
	}
	out := []*obj{}
	for i, cid := range p.dealContacts[id] {
		primary := "N"
		if i == 0 {
			primary = "Y"
		}
		out = append(out, newObj().set("CONTACT_ID", cid).set("SORT", 10*(i+1)).set("ROLE_ID", 0).set("IS_PRIMARY", primary))
	}
	return out, nil
}
