package emulator

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// entityID reads and validates the id parameter of get/update.
func entityID(c *call) (int, error) {
	id := num(c.params.str("id", "ID"))
	if id <= 0 {
		return 0, crmErr("ID is not defined or invalid.")
	}
	return id, nil
}

func fieldsParam(c *call) (*obj, error) {
	v, ok := c.params.first("fields", "FIELDS")
	f := asObjStrict(v)
	if !ok || f == nil {
		return nil, crmErr("Parameter 'fields' must be array.")
	}
	return f, nil
}

func (p *Portal) crmAdd(s *entityStore) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		fields, err := fieldsParam(c)
		if err != nil {
			return nil, err
		}
		e, err := p.createEntity(s, fields, c.user.ID)
		if err != nil {
			return nil, err
		}
		c.queue(p, "ONCRM"+s.kind+"ADD", newObj().set("FIELDS", newObj().set("ID", strconv.Itoa(e.ID))))
		return e.ID, nil
	}
}

func (p *Portal) crmGet(s *entityStore) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		id, err := entityID(c)
		if err != nil {
			return nil, err
		}
		e, ok := s.rows[id]
		if !ok {
			return nil, crmErr("Not found.")
		}
		if !c.mayAccess(e) {
			return nil, crmErr("Access denied.")
		}
		return s.view(e, nil), nil
	}
}

func (p *Portal) crmUpdate(s *entityStore) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		id, err := entityID(c)
		if err != nil {
			return nil, err
		}
		e, ok := s.rows[id]
		if !ok {
			return nil, crmErr(s.notFoundText())
		}
		if !c.mayAccess(e) {
			return nil, crmErr("Access denied.")
		}
		fields, err := fieldsParam(c)
		if err != nil {
			return nil, err
		}
		if err := p.applyFields(s, e, fields, true); err != nil {
			return nil, err
		}
		e.fields["DATE_MODIFY"] = bxTime(p.now())
		e.fields["MODIFY_BY_ID"] = strconv.Itoa(c.user.ID)
		c.queue(p, "ONCRM"+s.kind+"UPDATE", newObj().set("FIELDS", newObj().set("ID", strconv.Itoa(e.ID))))
		return true, nil
	}
}

func (p *Portal) crmDelete(s *entityStore) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		id, err := entityID(c)
		if err != nil {
			return nil, err
		}
		e, ok := s.rows[id]
		if !ok {
			return nil, crmErr(s.notFoundText())
		}
		if !c.mayAccess(e) {
			return nil, crmErr("Access denied.")
		}
		delete(s.rows, id)
		s.order = slices.DeleteFunc(s.order, func(x int) bool { return x == id })
		c.queue(p, "ONCRM"+s.kind+"DELETE", newObj().set("FIELDS", newObj().set("ID", strconv.Itoa(id))))
		return true, nil
	}
}

// crmList answers crm.*.list: filter with prefix operators, select (no
// multifields unless named), order, 50 per page.
func (p *Portal) crmList(s *entityStore) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		var sel []string
		for _, v := range list(c.params.sub("select", "SELECT")) {
			sel = append(sel, strings.ToUpper(str(v)))
		}
		filter := c.params.sub("filter", "FILTER")
		var rows []*entity
		for _, id := range s.order {
			if e := s.rows[id]; c.mayAccess(e) && s.matches(e, filter) {
				rows = append(rows, e)
			}
		}
		sortEntities(rows, c.params.sub("order", "ORDER"))
		lr := paginate(c.params, rows)
		page := lr.items.([]*entity)
		out := make([]*obj, 0, len(page))
		for _, e := range page {
			out = append(out, s.view(e, orDefault(sel)))
		}
		lr.items = out
		return lr, nil
	}
}

// mayAccess applies the user's CRM role: OwnCRMOnly users reach only the
// items assigned to them.
func (c *call) mayAccess(e *entity) bool {
	return !c.user.OwnCRMOnly || c.user.Admin || num(e.fields["ASSIGNED_BY_ID"]) == c.user.ID
}

// orDefault is the list select: "*" when nothing was asked for.
func orDefault(sel []string) []string {
	if len(sel) == 0 {
		return []string{"*", "UF_*"}
	}
	return sel
}

func sortEntities(rows []*entity, order *obj) {
	if order.len() == 0 {
		return
	}
	slices.SortStableFunc(rows, func(a, b *entity) int { return compareByOrder(a.fields, b.fields, order) })
}

// compareByOrder compares two rows by an order object {FIELD: ASC|DESC, …}.
func compareByOrder(a, b map[string]string, order *obj) int {
	for _, k := range order.keysOrNil() {
		f := strings.ToUpper(k)
		r := compareField(f, a[f], b[f])
		if strings.EqualFold(str(order.vals[k]), "DESC") {
			r = -r
		}
		if r != 0 {
			return r
		}
	}
	return 0
}

func compareValues(a, b string) int {
	fa, ea := strconv.ParseFloat(a, 64)
	fb, eb := strconv.ParseFloat(b, 64)
	if ea == nil && eb == nil {
		return cmp.Compare(fa, fb)
	}
	return strings.Compare(a, b)
}

// dateFields hold dates or date-times; filters compare them as instants.
var dateFields = map[string]bool{"DATE_CREATE": true, "DATE_MODIFY": true, "DATE_CLOSED": true, "BEGINDATE": true,
	"CLOSEDATE": true, "BIRTHDATE": true, "LAST_ACTIVITY_TIME": true, "CREATED": true}

// dateLayouts are the forms a filter value may take: ISO 8601 (what the
// portal answers) and the site format of an English portal.
var dateLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02",
	"02.01.2006 15:04:05", "02.01.2006", "01/02/2006 03:04:05 pm", "01/02/2006"}

// parseDate reads a date filter value; ok is false when no layout fits.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// compareField compares two values of a field: dates as instants (a value
// that is not a date sorts first), the rest as numbers or text.
func compareField(field, a, b string) int {
	if dateFields[field] {
		ta, oka := parseDate(a)
		tb, okb := parseDate(b)
		switch {
		case oka && okb:
			return ta.Compare(tb)
		case oka != okb:
			if oka {
				return 1
			}
			return -1
		}
	}
	return compareValues(a, b)
}

var filterOps = []string{">=", "<=", "!=", "=%", "%=", "!@", ">", "<", "@", "%", "=", "!"}

// splitFilterKey splits ">=DATE_MODIFY" into its operator and field.
func splitFilterKey(k string) (op, field string) {
	field = strings.ToUpper(strings.TrimSpace(k))
	for _, candidate := range filterOps {
		if strings.HasPrefix(field, candidate) {
			return candidate, field[len(candidate):]
		}
	}
	return "=", field
}

func (s *entityStore) matches(e *entity, filter *obj) bool {
	for _, k := range filter.keysOrNil() {
		op, field := splitFilterKey(k)
		want := filter.vals[k]
		if isMultiField(field) {
			found := slices.ContainsFunc(e.multi[field], func(m multiValue) bool { return m.Value == str(want) })
			if found == (op == "!" || op == "!=") {
				return false
			}
			continue
		}
		if !matchOp(op, field, e.fields[field], want) {
			return false
		}
	}
	return true
}

// matchFields applies a list filter to a row of scalar fields.
func matchFields(fields map[string]string, filter *obj) bool {
	for _, k := range filter.keysOrNil() {
		op, field := splitFilterKey(k)
		if !matchOp(op, field, fields[field], filter.vals[k]) {
			return false
		}
	}
	return true
}

// matchOp applies one filter operator. An empty value matches an unset
// field for = and !; ordering operators never match an unset field, nor a
// date field against a value that is not a date.
func matchOp(op, field, have string, want any) bool {
	w := str(want)
	isList := asObjStrict(want) != nil || func() bool { _, ok := want.([]any); return ok }()
	switch op {
	case "=":
		if isList {
			return matchOp("@", field, have, want)
		}
		return compareField(field, have, w) == 0
	case "!", "!=":
		if isList {
			return matchOp("!@", field, have, want)
		}
		return compareField(field, have, w) != 0
	case ">", ">=", "<", "<=":
		if have == "" {
			return false
		}
		if dateFields[field] {
			if _, ok := parseDate(w); !ok {
				return false
			}
		}
		r := compareField(field, have, w)
		return map[string]bool{">": r > 0, ">=": r >= 0, "<": r < 0, "<=": r <= 0}[op]
	case "@", "!@":
		in := slices.ContainsFunc(list(want), func(v any) bool { return compareField(field, have, str(v)) == 0 })
		return in == (op == "@")
	case "%":
		return strings.Contains(strings.ToLower(have), strings.ToLower(w))
	case "=%":
		return strings.HasPrefix(strings.ToLower(have), strings.ToLower(w))
	case "%=":
		return strings.HasSuffix(strings.ToLower(have), strings.ToLower(w))
	}
	return false
}
