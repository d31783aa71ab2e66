package emulator

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// crmStatus is one item of a CRM directory (b_crm_status): a source, a
// lead status or a deal stage.
type crmStatus struct {
	ID         int
	EntityID   string // SOURCE, STATUS, DEAL_STAGE, DEAL_STAGE_1…
	StatusID   string // SOURCE_ID / STATUS_ID / STAGE_ID value: CALL, NEW, C1:NEW…
	Name       string
	NameInit   string // the default name of system items; "" otherwise
	Sort       int
	System     bool
	CategoryID int    // deal pipeline of a DEAL_STAGE_n item; -1: none
	Color      string // stages only
	Semantics  string // "S" success, "F" failure, "" in progress
}

// dealCategory is a deal pipeline (crm.category.list, entityTypeId 2).
type dealCategory struct {
	ID        int
	Name      string
	Sort      int
	IsDefault bool
}

type seedStatus struct{ id, name, color, semantics string }

// standardSources are a new portal's SOURCE items, with their English
// names ([D] crm-lead-add.md).
var standardSources = []seedStatus{
	{"CALL", "Call", "", ""}, {"EMAIL", "E-mail", "", ""}, {"WEB", "Website", "", ""},
	{"ADVERTISING", "Advertising", "", ""}, {"PARTNER", "Existing client", "", ""},
	{"RECOMMENDATION", "By recommendation", "", ""}, {"TRADE_SHOW", "Trade show", "", ""},
	{"WEBFORM", "CRM form", "", ""}, {"CALLBACK", "Callback", "", ""}, {"RC_GENERATOR", "Sales generator", "", ""},
	{"STORE", "Online store", "", ""}, {"OTHER", "Other", "", ""},
}

// standardLeadStatuses are the STATUS items ([D] crm-lead-add.md).
var standardLeadStatuses = []seedStatus{
	{"NEW", "Unprocessed", "#39A8EF", ""}, {"IN_PROCESS", "In process", "#2FC6F6", ""},
	{"PROCESSED", "Processed", "#55D0E0", ""}, {"CONVERTED", "High-quality lead", "#7BD500", "S"},
	{"JUNK", "Low-quality lead", "#FF5752", "F"},
}

// standardDealStages are the default pipeline's stages ([D] crm-status-list.md sample).
var standardDealStages = []seedStatus{
	{"NEW", "New", "#39A8EF", ""}, {"PREPARATION", "Document preparation", "#2FC6F6", ""},
	{"PREPAYMENT_INVOICE", "Prepayment invoice", "#55D0E0", ""}, {"EXECUTING", "In progress", "#47E4C2", ""},
	{"FINAL_INVOICE", "Final invoice", "#FFA900", ""}, {"WON", "Deal successful", "#7BD500", "S"},
	{"LOSE", "Deal failed", "#FF5752", "F"}, {"APOLOGY", "Failure reason analysis", "#FF5752", "F"},
}

// systemStatuses have a NAME_INIT; the others answer "".
var systemStatuses = map[string]bool{"NEW": true, "WON": true, "LOSE": true, "CONVERTED": true, "JUNK": true}

// seedDirectories fills the directories a portal starts with, plus a
// second pipeline "Partners" (id 1) so that C1: stages exist; p.mu held or in New.
func (p *Portal) seedDirectories() {
	add := func(entity string, category int, items []seedStatus, prefix string, allSystem bool) {
		for i, it := range items {
			system := allSystem || systemStatuses[it.id]
			s := &crmStatus{ID: p.seq("status"), EntityID: entity, StatusID: prefix + it.id, Name: it.name,
				Sort: 10 * (i + 1), System: system, CategoryID: category, Color: it.color, Semantics: it.semantics}
			if system {
				s.NameInit = it.name
			}
			p.statuses = append(p.statuses, s)
		}
	}
	add("SOURCE", -1, standardSources, "", true)
	add("STATUS", -1, standardLeadStatuses, "", false)
	add("DEAL_STAGE", 0, standardDealStages, "", false)
	p.categories = []*dealCategory{{ID: 0, Name: "General", Sort: 300, IsDefault: true}}
	p.addCategoryLocked("Partners")
}

// addCategoryLocked adds a deal pipeline with the usual stages; p.mu held.
func (p *Portal) addCategoryLocked(name string) int {
	id := p.seq("category")
	p.categories = append(p.categories, &dealCategory{ID: id, Name: name, Sort: 100 * (id + 1)})
	stages := []seedStatus{{"NEW", "New", "#39A8EF", ""}, {"PREPARATION", "Preparation", "#2FC6F6", ""},
		{"EXECUTING", "In progress", "#47E4C2", ""}, {"WON", "Deal won", "#7BD500", "S"}, {"LOSE", "Deal lost", "#FF5752", "F"}}
	entity := fmt.Sprintf("DEAL_STAGE_%d", id)
	for i, it := range stages {
		system := systemStatuses[it.id]
		s := &crmStatus{ID: p.seq("status"), EntityID: entity, StatusID: fmt.Sprintf("C%d:%s", id, it.id), Name: it.name,
			Sort: 10 * (i + 1), System: system, CategoryID: id, Color: it.color, Semantics: it.semantics}
		if system {
			s.NameInit = it.name
		}
		p.statuses = append(p.statuses, s)
	}
	return id
}

// AddDealCategory adds a deal pipeline (with NEW, PREPARATION, EXECUTING,
// WON and LOSE stages prefixed C<id>:) and returns its id.
func (p *Portal) AddDealCategory(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addCategoryLocked(name)
}

// stageEntity is the directory holding a deal pipeline's stages.
func stageEntity(category int) string {
	if category == 0 {
		return "DEAL_STAGE"
	}
	return fmt.Sprintf("DEAL_STAGE_%d", category)
}

// directory lists a directory's items by SORT; p.mu held.
func (p *Portal) directory(entity string) []*crmStatus {
	var out []*crmStatus
	for _, s := range p.statuses {
		if s.EntityID == entity {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b *crmStatus) int { return a.Sort - b.Sort })
	return out
}

// status finds an item of a directory by its STATUS_ID; p.mu held.
func (p *Portal) status(entity, statusID string) *crmStatus {
	for _, s := range p.statuses {
		if s.EntityID == entity && s.StatusID == statusID {
			return s
		}
	}
	return nil
}

func (p *Portal) categoryExists(id int) bool {
	return slices.ContainsFunc(p.categories, func(c *dealCategory) bool { return c.ID == id })
}

// knownDirectories are the ENTITY_IDs crm.status.add accepts, besides DEAL_STAGE_n.
var knownDirectories = []string{"SOURCE", "STATUS", "DEAL_STAGE", "DEAL_TYPE", "CONTACT_TYPE", "COMPANY_TYPE",
	"INDUSTRY", "EMPLOYEES", "HONORIFIC", "QUOTE_STATUS", "EVENT_TYPE"}

var dealStageEntity = regexp.MustCompile(`^DEAL_STAGE_(\d+)$`)

// directoryKnown reports whether entity is a directory of this portal; p.mu held.
func (p *Portal) directoryKnown(entity string) bool {
	if m := dealStageEntity.FindStringSubmatch(entity); m != nil {
		id, _ := strconv.Atoi(m[1])
		return id > 0 && p.categoryExists(id)
	}
	return slices.Contains(knownDirectories, entity)
}

// statusFields are crm.status.list's fields, in answer order.
var statusFields = []string{"ID", "ENTITY_ID", "STATUS_ID", "NAME", "NAME_INIT", "SORT", "SYSTEM", "CATEGORY_ID", "COLOR", "SEMANTICS"}

// fields are an item's scalar fields as strings (null ones left out).
func (s *crmStatus) fields() map[string]string {
	f := map[string]string{"ID": strconv.Itoa(s.ID), "ENTITY_ID": s.EntityID, "STATUS_ID": s.StatusID,
		"NAME": s.Name, "NAME_INIT": s.NameInit, "SORT": strconv.Itoa(s.Sort), "SYSTEM": map[bool]string{true: "Y", false: "N"}[s.System]}
	if s.CategoryID > 0 {
		f["CATEGORY_ID"] = strconv.Itoa(s.CategoryID)
	}
	if s.Color != "" {
		f["COLOR"] = s.Color
	}
	if s.Semantics != "" {
		f["SEMANTICS"] = s.Semantics
	}
	return f
}

// view renders an item as crm.status.list does: strings, nulls for unset
// CATEGORY_ID/COLOR/SEMANTICS, and EXTRA{SEMANTICS, COLOR} on stages.
func (s *crmStatus) view() *obj {
	f := s.fields()
	o := newObj()
	for _, k := range statusFields {
		if v, ok := f[k]; ok {
			o.set(k, v)
		} else {
			o.set(k, nil)
		}
	}
	if strings.HasPrefix(s.EntityID, "DEAL_STAGE") || s.EntityID == "STATUS" {
		sem := map[string]string{"": "process", "S": "success", "F": "failure"}[s.Semantics]
		if s.Semantics == "F" && strings.HasSuffix(s.StatusID, "APOLOGY") {
			sem = "apology"
		}
		o.set("EXTRA", newObj().set("SEMANTICS", sem).set("COLOR", s.Color))
	}
	return o
}

// crmStatusList answers crm.status.list: filter (the CRM list operators)
// and order over every directory, 50 per page.
func (p *Portal) crmStatusList(c *call) (any, error) {
	filter := c.params.sub("filter", "FILTER")
	var rows []*crmStatus
	for _, s := range p.statuses {
		if matchFields(s.fields(), filter) {
			rows = append(rows, s)
		}
	}
	order := c.params.sub("order", "ORDER")
	if order.len() == 0 {
		order = newObj().set("SORT", "ASC")
	}
	slices.SortStableFunc(rows, func(a, b *crmStatus) int { return compareByOrder(a.fields(), b.fields(), order) })
	lr := paginate(c.params, rows)
	out := []*obj{}
	for _, s := range lr.items.([]*crmStatus) {
		out = append(out, s.view())
	}
	lr.items = out
	return lr, nil
}

var statusIDChars = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// crmStatusAdd answers crm.status.add with the errors of [D]
// crm-status-add.md; a stage of pipeline n gets the C<n>: prefix.
func (p *Portal) crmStatusAdd(c *call) (any, error) {
	if !c.user.Admin {
		return nil, crmErr("Access denied.")
	}
	fields, err := fieldsParam(c)
	if err != nil {
		return nil, err
	}
	entity := strings.ToUpper(strings.TrimSpace(fields.str("ENTITY_ID")))
	statusID := strings.TrimSpace(fields.str("STATUS_ID"))
	var missing []string
	if entity == "" {
		missing = append(missing, "The field ENTITY_ID is required.")
	}
	if statusID == "" {
		missing = append(missing, "The field STATUS_ID is required.")
	}
	if len(missing) > 0 {
		return nil, crmErr(strings.Join(missing, "<br>"))
	}
	if !p.directoryKnown(entity) {
		return nil, crmErr("Specified entity type is not supported.")
	}
	name := strings.TrimSpace(fields.str("NAME"))
	if name == "" {
		return nil, crmErr("The field Title is required.")
	}
	category := -1
	if entity == "DEAL_STAGE" {
		category = 0
	}
	if m := dealStageEntity.FindStringSubmatch(entity); m != nil {
		category, _ = strconv.Atoi(m[1])
		if prefix := fmt.Sprintf("C%d:", category); !strings.HasPrefix(statusID, prefix) {
			statusID = prefix + statusID
		}
	}
	if category >= 0 || entity == "STATUS" {
		limit := map[bool]int{true: 21, false: 22}[entity == "STATUS"]
		if category > 0 {
			limit += len(fmt.Sprintf("C%d:", category))
		}
		bare := statusID[strings.IndexByte(statusID, ':')+1:]
		if len(statusID) > limit || !statusIDChars.MatchString(bare) {
			return nil, crmErr("Error on creating status.")
		}
	} else if len(statusID) > 50 {
		return nil, crmErr("Error on creating status.")
	}
	if p.status(entity, statusID) != nil {
		return nil, badRequest("ERROR_CORE", "The specified status ID already exists.")
	}
	sort := num(fields.str("SORT"))
	if sort <= 0 {
		sort = 10
	}
	semantics := strings.ToUpper(fields.str("SEMANTICS"))
	if semantics != "S" && semantics != "F" {
		semantics = ""
	}
	if category >= 0 && semantics == "" {
		for _, s := range p.directory(entity) {
			if s.Semantics == "S" && sort > s.Sort {
				return nil, crmErr("Cannot create more stages after the final stage because the final successful stage already exists. Try using sort order values less than that of the final stage.")
			}
		}
	}
	color := fields.str("COLOR")
	if color != "" && !strings.HasPrefix(color, "#") {
		color = "#" + color
	}
	s := &crmStatus{ID: p.seq("status"), EntityID: entity, StatusID: statusID, Name: name, Sort: sort,
		CategoryID: category, Color: color, Semantics: semantics}
	p.statuses = append(p.statuses, s)
	return s.ID, nil
}

// crmCategoryList answers crm.category.list {entityTypeId}: deals have
// pipelines; contacts and companies only their default one; other classic
// types none ([D] crm-category-list.md).
func (p *Portal) crmCategoryList(c *call) (any, error) {
	raw, ok := c.params.first("entityTypeId", "ENTITYTYPEID")
	if !ok || strings.TrimSpace(str(raw)) == "" {
		return nil, missingParam("entityTypeId")
	}
	typeID := num(str(raw))
	view := func(id int, name string, sort int, isDefault bool) *obj {
		o := newObj().set("id", id).set("name", name).set("sort", sort).set("entityTypeId", typeID).
			set("isDefault", map[bool]string{true: "Y", false: "N"}[isDefault])
		if !isDefault {
			o.set("originId", "").set("originatorId", "")
		}
		return o
	}
	var out []*obj
	switch typeID {
	case TypeDeal:
		cats := slices.Clone(p.categories)
		slices.SortStableFunc(cats, func(a, b *dealCategory) int { return a.Sort - b.Sort })
		for _, cat := range cats {
			out = append(out, view(cat.ID, cat.Name, cat.Sort, cat.IsDefault))
		}
	case TypeContact:
		out = append(out, view(0, "Contacts", 500, true))
	case TypeCompany:
		out = append(out, view(0, "Companies", 500, true))
	case TypeLead, 7, 31:
		return nil, badRequest("ENTITY_TYPE_NOT_SUPPORTED", fmt.Sprintf("Entity type %s is not supported", map[int]string{TypeLead: "LEAD", 7: "QUOTE", 31: "SMART_INVOICE"}[typeID]))
	default:
		return nil, badRequest("NOT_FOUND", "Smart process not found")
	}
	return listResult{items: newObj().set("categories", out), total: len(out)}, nil
}

// settleDirectories checks and completes the directory fields of an item
// after a write (before: its fields until then):
//   - CATEGORY_ID is set on add only; crm.deal.update ignores it ([D]
//     crm-deal-update.md: move pipelines with crm.item.update).
//   - STAGE_ID defaults to the pipeline's first stage ([D] crm-deal-add.md)
//     and must be a stage of the deal's pipeline.
//   - STATUS_ID of a lead must be a STATUS item; SOURCE_ID a SOURCE item,
//     defaulting to the first source for contacts and deals ([D]
//     crm-contact-add.md, crm-deal-add.md: "the first available source type").
//
// The docs name no error for a bad value, and the crm module source quietly
// falls back (unknown pipeline → 0, unknown stage → the first stage). By
// default the emulator is stricter and refuses, so that an app never
// believes a deal sits where it does not; Config.LenientCRMStatuses makes it
// fall back as the source does. p.mu held.
func (p *Portal) settleDirectories(s *entityStore, e *entity, before map[string]string, update bool) error {
	lenient := p.cfg.LenientCRMStatuses
	changed := func(f string) bool { v, ok := before[f]; return !ok || v != e.fields[f] }
	if src := e.fields["SOURCE_ID"]; src != "" && changed("SOURCE_ID") && p.status("SOURCE", src) == nil && !lenient {
		return crmErr(`Invalid value for the "Source" field`)
	}
	if !update && e.fields["SOURCE_ID"] == "" && s.kind != "LEAD" {
		if first := p.directory("SOURCE"); len(first) > 0 {
			e.fields["SOURCE_ID"] = first[0].StatusID
		}
	}
	switch s.kind {
	case "LEAD":
		st := e.fields["STATUS_ID"]
		if st == "" || (changed("STATUS_ID") && p.status("STATUS", st) == nil) {
			if st != "" && !lenient {
				return crmErr(`Invalid value for the "Status" field`)
			}
			e.fields["STATUS_ID"] = orText(before["STATUS_ID"], "NEW")
		}
	case "DEAL":
		if update {
			e.fields["CATEGORY_ID"] = before["CATEGORY_ID"]
		}
		cat, err := strconv.Atoi(orText(e.fields["CATEGORY_ID"], "0"))
		if err != nil || cat < 0 || !p.categoryExists(cat) {
			if !lenient {
				return crmErr(`Invalid value for the "Pipeline" field`)
			}
			cat = 0
		}
		e.fields["CATEGORY_ID"] = strconv.Itoa(cat)
		stage := e.fields["STAGE_ID"]
		if stage != "" && !changed("STAGE_ID") {
			return nil
		}
		if stage != "" && p.status(stageEntity(cat), stage) != nil {
			return nil
		}
		if stage != "" && !lenient {
			return crmErr(`Invalid value for the "Stage" field`)
		}
		if update && before["STAGE_ID"] != "" {
			e.fields["STAGE_ID"] = before["STAGE_ID"]
			return nil
		}
		if stages := p.directory(stageEntity(cat)); len(stages) > 0 {
			e.fields["STAGE_ID"] = stages[0].StatusID
		}
	}
	return nil
}

// openLineSource is the SOURCE item of leads an open line creates, added on
// first use as a portal with Open Lines has one (its real STATUS_ID format is
// not verified); p.mu held.
func (p *Portal) openLineSource() string {
	const id = "OPENLINE"
	if p.status("SOURCE", id) == nil {
		sort := 10 * (len(p.directory("SOURCE")) + 1)
		p.statuses = append(p.statuses, &crmStatus{ID: p.seq("status"), EntityID: "SOURCE", StatusID: id, Name: "Open Channel",
			NameInit: "Open Channel", Sort: sort, System: true, CategoryID: -1})
	}
	return id
}
