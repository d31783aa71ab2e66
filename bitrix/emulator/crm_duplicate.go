package emulator

import (
	"fmt"
	"slices"
	"strings"
)

// maxDuplicateValues is how many values findbycomm looks at.
const maxDuplicateValues = 20

// normalizePhone keeps digits only, drops an extension (#… or "ext"), and
// reads a Russian trunk 8 as 7, so "+7 (999) 123-45-67 #12" matches
// "89991234567".
func normalizePhone(s string) string {
	if i := strings.IndexAny(s, "#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(strings.ToLower(s), "ext"); i >= 0 {
		s = s[:i]
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 11 && d[0] == '8' {
		d = "7" + d[1:]
	}
	return d
}

// findByComm answers crm.duplicate.findbycomm: integer ids per type, and
// [] (not {}) when nothing matches.
func (p *Portal) findByComm(c *call) (any, error) {
	typ := strings.ToUpper(strings.TrimSpace(c.params.str("type", "TYPE")))
	if typ == "" {
		return nil, crmErr("Communication type is not defined.")
	}
	if typ != "PHONE" && typ != "EMAIL" {
		return nil, crmErr(fmt.Sprintf("Communication type '%s' is not supported in current context.", typ))
	}
	var values []string
	for _, v := range list(c.params.sub("values", "VALUES")) {
		s := strings.TrimSpace(str(v))
		if typ == "PHONE" {
			s = normalizePhone(s)
		} else {
			s = strings.ToLower(s)
		}
		if s != "" && !slices.Contains(values, s) {
			values = append(values, s)
		}
	}
	if len(values) == 0 {
		return nil, crmErr("Communication values is not defined.")
	}
	values = values[:min(len(values), maxDuplicateValues)]
	kinds := []string{"LEAD", "CONTACT", "COMPANY"}
	if et := strings.ToUpper(strings.TrimSpace(c.params.str("entity_type", "ENTITY_TYPE"))); et != "" {
		switch et {
		case "LEAD", "CONTACT", "COMPANY":
			kinds = []string{et}
		case "DEAL":
			return nil, crmErr("Deal is not supported in current context.")
		default:
			return nil, crmErr(fmt.Sprintf("Entity type '%s' is not supported in current context.", et))
		}
	}
	out := newObj()
	for _, kind := range kinds {
		s := p.storeFor(kind)
		if s == nil {
			continue
		}
		var ids []int
		for _, id := range s.order {
			e := s.rows[id]
			if slices.ContainsFunc(e.multi[typ], func(m multiValue) bool {
				have := strings.ToLower(m.Value)
				if typ == "PHONE" {
					have = normalizePhone(m.Value)
				}
				return slices.Contains(values, have)
			}) {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			out.set(kind, ids[:min(len(ids), maxDuplicateValues)])
		}
		if len(ids) >= maxDuplicateValues {
			// [D]: "If 20 or more duplicates are found for one object, the
			// other types are not returned" (searched LEAD, CONTACT, COMPANY).
			break
		}
	}
	return out, nil
}
