package emulator

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CRM owner type ids.
const (
	TypeLead    = 1
	TypeDeal    = 2
	TypeContact = 3
	TypeCompany = 4
)

// multiFields are the crm_multifield fields.
var multiFields = []string{"PHONE", "EMAIL", "WEB", "IM", "LINK"}

func isMultiField(f string) bool { return slices.Contains(multiFields, f) }

// entityFields are the scalar fields each classic entity answers, in order.
var entityFields = map[string][]string{
	"CONTACT": {"ID", "HONORIFIC", "NAME", "SECOND_NAME", "LAST_NAME", "PHOTO", "BIRTHDATE", "TYPE_ID",
		"SOURCE_ID", "SOURCE_DESCRIPTION", "POST", "ADDRESS", "COMMENTS", "OPENED", "EXPORT", "HAS_PHONE", "HAS_EMAIL",
		"HAS_IMOL", "ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID", "DATE_CREATE", "DATE_MODIFY", "COMPANY_ID",
		"LEAD_ID", "LAST_ACTIVITY_TIME", "ORIGINATOR_ID", "ORIGIN_ID", "ORIGIN_VERSION", "UTM_SOURCE", "UTM_MEDIUM",
		"UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM"},
	"LEAD": {"ID", "TITLE", "HONORIFIC", "NAME", "SECOND_NAME", "LAST_NAME", "COMPANY_TITLE", "COMPANY_ID",
		"CONTACT_ID", "IS_RETURN_CUSTOMER", "BIRTHDATE", "SOURCE_ID", "SOURCE_DESCRIPTION", "STATUS_ID",
		"STATUS_DESCRIPTION", "POST", "ADDRESS", "CURRENCY_ID", "OPPORTUNITY", "IS_MANUAL_OPPORTUNITY", "HAS_PHONE",
		"HAS_EMAIL", "HAS_IMOL", "ASSIGNED_BY_ID", "CREATED_BY_ID", "MODIFY_BY_ID", "DATE_CREATE", "DATE_MODIFY",
		"DATE_CLOSED", "STATUS_SEMANTIC_ID", "OPENED", "COMMENTS", "ORIGINATOR_ID", "ORIGIN_ID", "UTM_SOURCE",
		"UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM"},
	"DEAL": {"ID", "TITLE", "TYPE_ID", "CATEGORY_ID", "STAGE_ID", "STAGE_SEMANTIC_ID", "IS_NEW", "IS_RECURRING",
		"IS_RETURN_CUSTOMER", "PROBABILITY", "CURRENCY_ID", "OPPORTUNITY", "IS_MANUAL_OPPORTUNITY", "COMPANY_ID",
		"CONTACT_ID", "BEGINDATE", "CLOSEDATE", "OPENED", "CLOSED", "COMMENTS", "ASSIGNED_BY_ID", "CREATED_BY_ID",
		"MODIFY_BY_ID", "DATE_CREATE", "DATE_MODIFY", "LEAD_ID", "SOURCE_ID", "SOURCE_DESCRIPTION", "ORIGINATOR_ID",
		"ORIGIN_ID", "UTM_SOURCE", "UTM_MEDIUM", "UTM_CAMPAIGN", "UTM_CONTENT", "UTM_TERM"},
}

// readOnlyFields are computed by the portal and ignored on write.
var readOnlyFields = map[string]bool{"ID": true, "HAS_PHONE": true, "HAS_EMAIL": true, "HAS_IMOL": true,
	"CREATED_BY_ID": true, "MODIFY_BY_ID": true, "DATE_CREATE": true, "DATE_MODIFY": true, "STATUS_SEMANTIC_ID": true,
	"STAGE_SEMANTIC_ID": true, "CLOSED": true, "IS_NEW": true}

type multiValue struct {
	ID        int
	ValueType string
	Value     string
}

type entity struct {
	ID     int
	fields map[string]string
	multi  map[string][]multiValue
}

// entityStore holds one classic CRM entity type.
type entityStore struct {
	kind  string // CONTACT, LEAD, DEAL
	rows  map[int]*entity
	order []int
	next  int
}

func newEntityStore(kind string) *entityStore {
	return &entityStore{kind: kind, rows: map[int]*entity{}}
}

func (s *entityStore) typeID() int {
	switch s.kind {
	case "LEAD":
		return TypeLead
	case "DEAL":
		return TypeDeal
	}
	return TypeContact
}

func (s *entityStore) notFoundText() string {
	return map[string]string{"CONTACT": "Contact is not found", "LEAD": "Lead is not found", "DEAL": "Deal is not found"}[s.kind]
}

func (p *Portal) storeFor(kind string) *entityStore {
	switch strings.ToUpper(kind) {
	case "CONTACT", "C", "3":
		return p.contacts
	case "LEAD", "L", "1":
		return p.leads
	case "DEAL", "D", "2":
		return p.deals
	}
	return nil
}

func bxTime(t time.Time) string { return t.Format("2006-01-02T15:04:05-07:00") }

// create adds an entity from write fields; userID is the caller.
func (p *Portal) createEntity(s *entityStore, fields *obj, userID int) (*entity, error) {
	s.next++
	e := &entity{ID: s.next, fields: map[string]string{}, multi: map[string][]multiValue{}}
	now := bxTime(p.now())
	e.fields["ID"] = strconv.Itoa(e.ID)
	e.fields["OPENED"] = "Y"
	e.fields["ASSIGNED_BY_ID"] = strconv.Itoa(userID)
	e.fields["CREATED_BY_ID"] = strconv.Itoa(userID)
	e.fields["MODIFY_BY_ID"] = strconv.Itoa(userID)
	e.fields["DATE_CREATE"] = now
	e.fields["DATE_MODIFY"] = now
	switch s.kind {
	case "CONTACT":
		e.fields["EXPORT"] = "Y"
		e.fields["TYPE_ID"] = "CLIENT"
	case "LEAD":
		e.fields["STATUS_ID"] = "NEW"
		e.fields["CURRENCY_ID"] = "USD"
		e.fields["OPPORTUNITY"] = "0.00"
		e.fields["IS_RETURN_CUSTOMER"] = "N"
	case "DEAL":
		e.fields["CATEGORY_ID"] = "0"
		e.fields["CURRENCY_ID"] = "USD"
		e.fields["OPPORTUNITY"] = "0.00"
		e.fields["IS_NEW"] = "Y"
		e.fields["TYPE_ID"] = "SALE"
	}
	if err := p.applyFields(s, e, fields, false); err != nil {
		s.next--
		return nil, err
	}
	s.rows[e.ID] = e
	s.order = append(s.order, e.ID)
	return e, nil
}

var emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// applyFields writes fields into e with Bitrix's multifield semantics:
// on update, items without ID are added, ID+VALUE changes, ID+DELETE=Y or
// an empty VALUE removes, unmentioned items stay.
func (p *Portal) applyFields(s *entityStore, e *entity, fields *obj, update bool) error {
	known := entityFields[s.kind]
	before := maps.Clone(e.fields)
	for _, k := range fields.keysOrNil() {
		key := strings.ToUpper(k)
		v := fields.vals[k]
		if isMultiField(key) {
			if err := p.applyMulti(e, key, v, update); err != nil {
				return err
			}
			continue
		}
		if readOnlyFields[key] {
			continue
		}
		if key == "CONTACT_IDS" && s.kind == "DEAL" {
			p.setDealContacts(e.ID, list(v))
			continue
		}
		if !slices.Contains(known, key) && !strings.HasPrefix(key, "UF_") {
			continue // unknown fields are ignored
		}
		e.fields[key] = str(v)
	}
	if err := p.settleDirectories(s, e, before, update); err != nil {
		e.fields = before
		return err
	}
	p.recompute(s, e)
	return nil
}

func (p *Portal) applyMulti(e *entity, key string, v any, update bool) error {
	items := list(v)
	cur := e.multi[key]
	for _, it := range items {
		o := asObj(it)
		if o == nil {
			continue
		}
		value := strings.TrimSpace(o.str("VALUE", "value"))
		vtype := strings.ToUpper(o.str("VALUE_TYPE", "value_type"))
		id := num(o.str("ID", "id"))
		if key == "EMAIL" && value != "" && !emailRe.MatchString(value) {
			return badRequest("ERROR_CORE", "Invalid e-mail address: "+value)
		}
		if update && id > 0 {
			i := slices.IndexFunc(cur, func(m multiValue) bool { return m.ID == id })
			if i < 0 {
				continue
			}
			if truthy(o.str("DELETE", "delete")) || value == "" {
				cur = slices.Delete(cur, i, i+1)
				continue
			}
			cur[i].Value = value
			if vtype != "" {
				cur[i].ValueType = vtype
			}
			continue
		}
		if value == "" {
			continue
		}
		if vtype == "" {
			vtype = "WORK"
		}
		cur = append(cur, multiValue{ID: p.seq("multifield"), ValueType: vtype, Value: value})
	}
	e.multi[key] = cur
	return nil
}

// recompute refreshes derived flags.
func (p *Portal) recompute(s *entityStore, e *entity) {
	yn := func(b bool) string {
		if b {
			return "Y"
		}
		return "N"
	}
	if s.kind != "DEAL" {
		e.fields["HAS_PHONE"] = yn(len(e.multi["PHONE"]) > 0)
		e.fields["HAS_EMAIL"] = yn(len(e.multi["EMAIL"]) > 0)
		e.fields["HAS_IMOL"] = yn(slices.ContainsFunc(e.multi["IM"], func(m multiValue) bool { return m.ValueType == "OPENLINE" || m.ValueType == "IMOL" }))
	}
	switch s.kind {
	case "LEAD":
		sem := "P"
		if st := p.status("STATUS", e.fields["STATUS_ID"]); st != nil && st.Semantics != "" {
			sem = st.Semantics
		}
		e.fields["STATUS_SEMANTIC_ID"] = sem
	case "DEAL":
		sem, closed := "P", "N"
		if st := p.status(stageEntity(num(e.fields["CATEGORY_ID"])), e.fields["STAGE_ID"]); st != nil && st.Semantics != "" {
			sem, closed = st.Semantics, "Y"
		}
		e.fields["STAGE_SEMANTIC_ID"], e.fields["CLOSED"] = sem, closed
		if c := num(e.fields["CONTACT_ID"]); c > 0 && !slices.Contains(p.dealContacts[e.ID], c) {
			p.dealContacts[e.ID] = append([]int{c}, p.dealContacts[e.ID]...)
		}
	}
}

func (p *Portal) setDealContacts(dealID int, ids []any) {
	var out []int
	for _, v := range ids {
		if id := num(v); id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	p.dealContacts[dealID] = out
}

// view renders an entity: all scalar fields (null when unset), UF fields,
// and the multifields that have values (or those selected).
func (s *entityStore) view(e *entity, sel []string) *obj {
	o := newObj()
	all := len(sel) == 0 || slices.Contains(sel, "*")
	withUF := len(sel) == 0 || slices.Contains(sel, "UF_*")
	for _, f := range entityFields[s.kind] {
		if !all && f != "ID" && !slices.Contains(sel, f) {
			continue
		}
		if v, ok := e.fields[f]; ok {
			o.set(f, v)
		} else {
			o.set(f, nil)
		}
	}
	var ufs []string
	for k := range e.fields {
		if strings.HasPrefix(k, "UF_") && (withUF || slices.Contains(sel, k)) {
			ufs = append(ufs, k)
		}
	}
	slices.Sort(ufs)
	for _, k := range ufs {
		o.set(k, e.fields[k])
	}
	for _, mf := range multiFields {
		vals := e.multi[mf]
		if len(sel) == 0 && len(vals) == 0 {
			continue
		}
		if len(sel) > 0 && !slices.Contains(sel, mf) {
			continue
		}
		items := []*obj{}
		for _, m := range vals {
			items = append(items, newObj().set("ID", strconv.Itoa(m.ID)).set("VALUE_TYPE", m.ValueType).set("VALUE", m.Value).set("TYPE_ID", mf))
		}
		o.set(mf, items)
	}
	return o
}
