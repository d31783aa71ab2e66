package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

type listView struct {
	Kind, Path, Title string
	Rows              []listRow
}

type listRow struct {
	ID                        int
	Title, Phone, Responsible string
	Created                   string
}

type cardView struct {
	Kind, Path, Title string
	ID                int
	Assigned          int
	Stage             string      // STATUS_ID of leads, STAGE_ID of deals
	Stages            []formField // choices for Stage: id, name
	Responsible       string      // ASSIGNED_BY_ID's name
	Source            string      // SOURCE_ID's name (the id when it is not a SOURCE item)
	SourceDescription string
	People            []User
	Fields            []formField
	Contacts          []listRow
	Tabs              []menuItem
	Toolbar           []menuItem
	ActiveTab         int // -1: General
	Timeline          []timelineView
	OpenLines         []olChatView
}

// olChatView is an open line chat linked to the card (IM OPENLINE field).
type olChatView struct {
	ChatID int
	Title  string
	Member bool
}

type timelineView struct {
	ID      int
	Author  string
	Created time.Time
	Comment string
	Pinned  bool
	Files   []formField // name, URL
}

// stageChoices are the statuses (leads) or the pipeline's stages (deals)
// a card offers; p.mu held.
func (p *Portal) stageChoices(kind string, e *entity) []formField {
	entity := "STATUS"
	switch kind {
	case "DEAL":
		entity = stageEntity(num(e.fields["CATEGORY_ID"]))
	case "CONTACT":
		return nil
	}
	var out []formField
	for _, st := range p.directory(entity) {
		out = append(out, formField{st.StatusID, st.Name})
	}
	return out
}

var crmPaths = map[string]string{"lead": "LEAD", "contact": "CONTACT", "deal": "DEAL"}

func (p *Portal) userName(id int) string {
	if u := p.users[id]; u != nil {
		return strings.TrimSpace(u.Name + " " + u.LastName)
	}
	return ""
}

// entityTitle is how lists and cards name an item.
func entityTitle(kind string, e *entity) string {
	if kind == "CONTACT" {
		return orText(strings.TrimSpace(e.fields["NAME"]+" "+e.fields["LAST_NAME"]), "#"+e.fields["ID"])
	}
	return orText(e.fields["TITLE"], "#"+e.fields["ID"])
}

func (p *Portal) rowOf(kind string, e *entity) listRow {
	r := listRow{ID: e.ID, Title: entityTitle(kind, e), Responsible: p.userName(num(e.fields["ASSIGNED_BY_ID"])), Created: e.fields["DATE_CREATE"]}
	if ph := e.multi["PHONE"]; len(ph) > 0 {
		r.Phone = ph[0].Value
	}
	return r
}

func (p *Portal) serveList(w http.ResponseWriter, r *http.Request) {
	u := p.requireUser(w, r)
	if u == nil {
		return
	}
	path := chi.URLParam(r, "type")
	kind, ok := crmPaths[path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	d := pageData{User: u, Section: path}
	lv := &listView{Kind: kind, Path: path, Title: map[string]string{"LEAD": "Leads", "CONTACT": "Contacts", "DEAL": "Deals"}[kind]}
	p.mu.Lock()
	s := p.storeFor(kind)
	for i := len(s.order) - 1; i >= 0; i-- {
		lv.Rows = append(lv.Rows, p.rowOf(kind, s.rows[s.order[i]]))
	}
	p.mu.Unlock()
	d.List = lv
	p.render(w, r, "list", d)
}

// cardFields are the fields a card shows, in order.
var cardFields = map[string][]string{
	"LEAD":    {"TITLE", "NAME", "LAST_NAME", "OPPORTUNITY", "COMMENTS"},
	"CONTACT": {"NAME", "LAST_NAME", "POST", "TYPE_ID", "COMMENTS"},
	"DEAL":    {"TITLE", "CATEGORY_ID", "OPPORTUNITY", "CURRENCY_ID", "COMMENTS"},
}

func (p *Portal) serveCard(w http.ResponseWriter, r *http.Request) {
	u := p.requireUser(w, r)
	if u == nil {
		return
	}
	path := chi.URLParam(r, "type")
	kind, ok := crmPaths[path]
	id, _ := strconv.Atoi(chi.URLParam(r, "id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	d := pageData{User: u, Section: path}
	p.mu.Lock()
	s := p.storeFor(kind)
	e, ok := s.rows[id]
	if !ok {
		p.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	cv := &cardView{Kind: kind, Path: path, ID: id, Title: entityTitle(kind, e), ActiveTab: -1,
		Assigned: num(e.fields["ASSIGNED_BY_ID"]), Stages: p.stageChoices(kind, e),
		Responsible: p.userName(num(e.fields["ASSIGNED_BY_ID"])), SourceDescription: e.fields["SOURCE_DESCRIPTION"]}
	if src := e.fields["SOURCE_ID"]; src != "" {
		cv.Source = src
		if st := p.status("SOURCE", src); st != nil {
			cv.Source = st.Name
		}
	}
	cv.Stage = e.fields["STATUS_ID"]
	if kind == "DEAL" {
		cv.Stage = e.fields["STAGE_ID"]
	}
	for _, uid := range p.userIDs {
		if u := p.users[uid]; !u.bot && !u.external && !u.Inactive {
			cv.People = append(cv.People, *u)
		}
	}
	for _, f := range cardFields[kind] {
		if v := e.fields[f]; v != "" {
			cv.Fields = append(cv.Fields, formField{f, v})
		}
	}
	for _, mf := range []string{"PHONE", "EMAIL", "IM", "WEB"} {
		for _, m := range e.multi[mf] {
			cv.Fields = append(cv.Fields, formField{mf + " (" + m.ValueType + ")", m.Value})
		}
	}
	var ufs []string
	for k, v := range e.fields {
		if strings.HasPrefix(k, "UF_") && v != "" {
			ufs = append(ufs, k)
		}
	}
	slices.Sort(ufs)
	for _, k := range ufs {
		cv.Fields = append(cv.Fields, formField{k, e.fields[k]})
	}
	for _, im := range e.multi["IM"] {
		if im.ValueType != "OPENLINE" && im.ValueType != "IMOL" {
			continue
		}
		for _, ch := range p.chats {
			if ch.Line != nil && "imol|"+ch.EntityID == im.Value {
				cv.OpenLines = append(cv.OpenLines, olChatView{ChatID: ch.ID, Title: ch.Title, Member: slices.Contains(ch.Users, u.ID)})
			}
		}
	}
	if kind == "DEAL" {
		for _, cid := range p.dealContacts[id] {
			if c := p.contacts.rows[cid]; c != nil {
				cv.Contacts = append(cv.Contacts, p.rowOf("CONTACT", c))
			}
		}
	}
	var tabs, toolbar []*placement
	if p.installed && p.canUseAppLocked(u) {
		tabs = p.boundLocked("CRM_" + kind + "_DETAIL_TAB")
		toolbar = p.boundLocked("CRM_" + kind + "_DETAIL_TOOLBAR")
	}
	base := "/crm/" + path + "/details/" + strconv.Itoa(id) + "/"
	for i, pl := range tabs {
		cv.Tabs = append(cv.Tabs, menuItem{Title: orText(pl.Title, d.T("Application")), Href: base + "?tab=" + strconv.Itoa(i)})
	}
	for i, pl := range toolbar {
		cv.Toolbar = append(cv.Toolbar, menuItem{Title: orText(pl.Title, d.T("Application")), Href: base + "?toolbar=" + strconv.Itoa(i)})
	}
	for _, tc := range p.timelineOf(s.typeID(), id) {
		tv := timelineView{ID: tc.ID, Author: p.userName(tc.AuthorID), Created: tc.Created, Comment: tc.Comment, Pinned: tc.Pinned}
		for _, f := range tc.Files {
			tv.Files = append(tv.Files, formField{f.Name, "/disk/timeline/" + strconv.Itoa(f.ID) + "/" + url.PathEscape(f.Name)})
		}
		cv.Timeline = append(cv.Timeline, tv)
	}
	p.mu.Unlock()

	opts := map[string]any{"ID": strconv.Itoa(id)}
	q := r.URL.Query()
	if n, err := strconv.Atoi(q.Get("tab")); err == nil && n >= 0 && n < len(tabs) {
		cv.ActiveTab = n
		f, err := p.frame(r, u, tabs[n].Code, tabs[n].Handler, tabs[n].Title, opts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		d.Frame = f
	}
	if n, err := strconv.Atoi(q.Get("toolbar")); err == nil && n >= 0 && n < len(toolbar) {
		f, err := p.frame(r, u, toolbar[n].Code, toolbar[n].Handler, toolbar[n].Title, opts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		d.Slider = f
	}
	d.Card = cv
	p.render(w, r, "card", d)
}

// serveCardSave edits a card (responsible, status/stage) as the signed-in
// user: the app gets ONCRM<KIND>UPDATE, as from a real portal.
func (p *Portal) serveCardSave(w http.ResponseWriter, r *http.Request) {
	u := p.requireUser(w, r)
	if u == nil {
		return
	}
	path := chi.URLParam(r, "type")
	kind, ok := crmPaths[path]
	id, _ := strconv.Atoi(chi.URLParam(r, "id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	fields := map[string]any{}
	if a := r.FormValue("ASSIGNED_BY_ID"); a != "" {
		fields["ASSIGNED_BY_ID"] = a
	}
	if st := r.FormValue("STAGE"); st != "" {
		key := "STATUS_ID"
		if kind == "DEAL" {
			key = "STAGE_ID"
		}
		fields[key] = st
	}
	back := "/crm/" + path + "/details/" + strconv.Itoa(id) + "/"
	if err := p.UpdateEntityAs(r.Context(), u.ID, kind, id, fields); err != nil {
		p.log.Warn("card save failed", "kind", kind, "id", id, "err", err)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
