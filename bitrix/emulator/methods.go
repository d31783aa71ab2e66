package emulator

// methodTable lists every REST method the portal answers, with its scope.
func (p *Portal) methodTable() map[string]method {
	m := map[string]method{
		"batch": {fn: p.batch},

		"app.info":     {fn: p.appInfo},
		"profile":      {fn: p.profile},
		"user.admin":   {fn: p.userAdmin},
		"user.current": {scope: "user", fn: p.userCurrent},
		"user.get":     {scope: "user", fn: p.userGet},

		"placement.bind":   {scope: "placement", appOnly: true, fn: p.placementBind},
		"placement.unbind": {scope: "placement", appOnly: true, fn: p.placementUnbind},
		"placement.get":    {scope: "placement", appOnly: true, fn: p.placementGet},
		"placement.list":   {scope: "placement", appOnly: true, fn: p.placementList},

		"event.bind":   {appOnly: true, fn: p.eventBind},
		"event.get":    {appOnly: true, fn: p.eventGet},
		"event.unbind": {appOnly: true, fn: p.eventUnbind},
		"events":       {appOnly: true, fn: p.eventList},

		"crm.deal.contact.items.get": {scope: "crm", fn: p.dealContactItems},
		"crm.duplicate.findbycomm":   {scope: "crm", fn: p.findByComm},
	}
	for _, s := range []*entityStore{p.contacts, p.leads, p.deals} {
		prefix := "crm." + map[string]string{"CONTACT": "contact", "LEAD": "lead", "DEAL": "deal"}[s.kind] + "."
		m[prefix+"add"] = method{scope: "crm", fn: p.crmAdd(s)}
		m[prefix+"get"] = method{scope: "crm", fn: p.crmGet(s)}
		m[prefix+"list"] = method{scope: "crm", fn: p.crmList(s)}
		m[prefix+"update"] = method{scope: "crm", fn: p.crmUpdate(s)}
		m[prefix+"delete"] = method{scope: "crm", fn: p.crmDelete(s)}
	}
	for name, fn := range p.moreMethods() {
		m[name] = fn
	}
	return m
}
