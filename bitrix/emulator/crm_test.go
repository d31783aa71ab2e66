package emulator

import (
	"fmt"
	"net/url"
	"testing"
)

func TestContactCRUD(t *testing.T) {
	tp := newTestPortal(t)
	add := tp.json("crm.contact.add", `{"fields":{"NAME":"Olga","LAST_NAME":"Ivanova","SOURCE_ID":"WEB","UNKNOWN_X":"ignored",
		"PHONE":[{"VALUE":"+79990001122","VALUE_TYPE":"MOBILE"},{"VALUE":"+74950001122","VALUE_TYPE":"WORK"}],
		"EMAIL":[{"VALUE":"olga@example.com"}],"UF_CRM_SOURCE":"WhatsApp — Sales"}}`)
	expectOK(t, add)
	id, ok := add.result().(float64)
	if !ok || id <= 0 {
		t.Fatalf("add result must be an int: %s", add.raw)
	}
	get := tp.form("crm.contact.get", url.Values{"id": {fmt.Sprint(id)}})
	expectOK(t, get)
	c := get.resultMap()
	if c["ID"] != fmt.Sprint(id) || c["NAME"] != "Olga" || c["HAS_PHONE"] != "Y" || c["HAS_EMAIL"] != "Y" || c["ASSIGNED_BY_ID"] != "1" || c["OPENED"] != "Y" {
		t.Fatalf("contact %v", c)
	}
	if _, ok := c["UNKNOWN_X"]; ok {
		t.Fatal("unknown field stored")
	}
	if c["UF_CRM_SOURCE"] != "WhatsApp — Sales" {
		t.Fatal("UF field lost")
	}
	if c["COMMENTS"] != nil {
		t.Fatalf("unset fields are null: %v", c["COMMENTS"])
	}
	phones := c["PHONE"].([]any)
	first := phones[0].(map[string]any)
	if first["TYPE_ID"] != "PHONE" || first["VALUE_TYPE"] != "MOBILE" || len(phones) != 2 {
		t.Fatalf("phones %v", phones)
	}
	second := phones[1].(map[string]any)["ID"].(string)

	// Multifield update: add one, change one, delete one, leave the rest.
	upd := tp.json("crm.contact.update", fmt.Sprintf(`{"id":%v,"fields":{"NAME":"Olga P.","PHONE":[
		{"VALUE":"+15550001111","VALUE_TYPE":"HOME"},
		{"ID":%q,"DELETE":"Y"}],
		"EMAIL":[{"ID":%q,"VALUE":"olga@new.example.com"}]}}`, id, second, c["EMAIL"].([]any)[0].(map[string]any)["ID"]))
	expectOK(t, upd)
	if upd.result() != true {
		t.Fatal(upd.raw)
	}
	c = tp.form("crm.contact.get", url.Values{"id": {fmt.Sprint(id)}}).resultMap()
	var values []string
	for _, ph := range c["PHONE"].([]any) {
		values = append(values, ph.(map[string]any)["VALUE"].(string))
	}
	if fmt.Sprint(values) != "[+79990001122 +15550001111]" || c["NAME"] != "Olga P." {
		t.Fatalf("after update: %v %v", values, c["NAME"])
	}
	if c["EMAIL"].([]any)[0].(map[string]any)["VALUE"] != "olga@new.example.com" {
		t.Fatal(c["EMAIL"])
	}
	// An empty VALUE with ID removes too.
	eid := c["EMAIL"].([]any)[0].(map[string]any)["ID"]
	expectOK(t, tp.json("crm.contact.update", fmt.Sprintf(`{"id":%v,"fields":{"EMAIL":[{"ID":%q,"VALUE":""}]}}`, id, eid)))
	c = tp.form("crm.contact.get", url.Values{"id": {fmt.Sprint(id)}}).resultMap()
	if _, ok := c["EMAIL"]; ok || c["HAS_EMAIL"] != "N" {
		t.Fatalf("email should be gone: %v", c)
	}
}

func TestClassicCRMErrors(t *testing.T) {
	tp := newTestPortal(t)
	for _, kind := range []string{"contact", "lead", "deal"} {
		expectError(t, tp.form("crm."+kind+".get", url.Values{"id": {"999"}}), 400, "", "Not found.")
		expectError(t, tp.form("crm."+kind+".get", url.Values{"id": {"abc"}}), 400, "", "ID is not defined or invalid.")
		expectError(t, tp.form("crm."+kind+".add", nil), 400, "", "Parameter 'fields' must be array.")
	}
	expectError(t, tp.form("crm.contact.update", url.Values{"id": {"999"}, "fields[NAME]": {"x"}}), 400, "", "Contact is not found")
	expectError(t, tp.form("crm.lead.update", url.Values{"id": {"999"}, "fields[NAME]": {"x"}}), 400, "", "Lead is not found")
	expectError(t, tp.json("crm.contact.add", `{"fields":{"EMAIL":[{"VALUE":"not-an-email"}]}}`), 400, "ERROR_CORE", "")
}

func TestListPaginationAndSelect(t *testing.T) {
	tp := newTestPortal(t)
	for i := range 120 {
		tp.SeedContact(Contact{Name: fmt.Sprint("C", i), Phones: []string{fmt.Sprint("+100000", i)}})
	}
	a := tp.form("crm.contact.list", nil)
	expectOK(t, a)
	if len(a.resultList()) != 50 || a.body["next"] != float64(50) || a.body["total"] != float64(120) {
		t.Fatalf("page 1: %d next %v total %v", len(a.resultList()), a.body["next"], a.body["total"])
	}
	if _, ok := a.resultList()[0].(map[string]any)["PHONE"]; ok {
		t.Fatal("PHONE must not be in the default select")
	}
	// start is floored to a page: 30 answers rows 0–49.
	a = tp.form("crm.contact.list", url.Values{"start": {"30"}})
	if a.resultList()[0].(map[string]any)["NAME"] != "C0" || a.body["next"] != float64(50) {
		t.Fatalf("start=30: %v", a.resultList()[0])
	}
	a = tp.form("crm.contact.list", url.Values{"start": {"100"}})
	if len(a.resultList()) != 20 {
		t.Fatal(len(a.resultList()))
	}
	if _, ok := a.body["next"]; ok {
		t.Fatal("no next on the last page")
	}
	a = tp.form("crm.contact.list", url.Values{"start": {"-1"}})
	if _, ok := a.body["total"]; ok || len(a.resultList()) != 50 {
		t.Fatal("start=-1 has no total")
	}
	sel := tp.json("crm.contact.list", `{"select":["ID","NAME","PHONE"],"filter":{">ID":115},"order":{"ID":"DESC"}}`)
	rows := sel.resultList()
	if len(rows) != 5 || sel.body["total"] != float64(5) {
		t.Fatal(sel.raw)
	}
	row := rows[0].(map[string]any)
	if row["ID"] != "120" || row["PHONE"] == nil || row["LAST_NAME"] != nil || len(row) != 3 {
		t.Fatalf("select row %v", row)
	}
	byPhone := tp.json("crm.contact.list", `{"filter":{"PHONE":"+1000007"}}`)
	if len(byPhone.resultList()) != 1 {
		t.Fatalf("multifield filter is exact: %s", byPhone.raw)
	}
}

func TestLeadFields(t *testing.T) {
	tp := newTestPortal(t)
	id := tp.form("crm.lead.add", url.Values{"fields[TITLE]": {"WhatsApp +7999"}, "fields[PHONE][0][VALUE]": {"+7999"}}).result()
	l := tp.form("crm.lead.get", url.Values{"id": {fmt.Sprint(id)}}).resultMap()
	if l["STATUS_ID"] != "NEW" || l["STATUS_SEMANTIC_ID"] != "P" || l["TITLE"] != "WhatsApp +7999" || l["PHONE"].([]any)[0].(map[string]any)["VALUE_TYPE"] != "WORK" {
		t.Fatal(l)
	}
	expectOK(t, tp.form("crm.lead.update", url.Values{"id": {fmt.Sprint(id)}, "fields[STATUS_ID]": {"JUNK"}}))
	if tp.form("crm.lead.get", url.Values{"id": {fmt.Sprint(id)}}).resultMap()["STATUS_SEMANTIC_ID"] != "F" {
		t.Fatal("JUNK is failed")
	}
	list := tp.json("crm.lead.list", `{"filter":{"STATUS_ID":"JUNK"}}`)
	if len(list.resultList()) != 1 {
		t.Fatal(list.raw)
	}
}

func TestDealsAndContacts(t *testing.T) {
	tp := newTestPortal(t)
	c1 := tp.SeedContact(Contact{Name: "A"})
	c2 := tp.SeedContact(Contact{Name: "B"})
	id := tp.json("crm.deal.add", fmt.Sprintf(`{"fields":{"TITLE":"Order","CONTACT_ID":%d,"CONTACT_IDS":[%d,%d],"STAGE_ID":"WON"}}`, c1, c1, c2)).result()
	d := tp.form("crm.deal.get", url.Values{"id": {fmt.Sprint(id)}}).resultMap()
	if d["CONTACT_ID"] != fmt.Sprint(c1) || d["CLOSED"] != "Y" || d["STAGE_SEMANTIC_ID"] != "S" || d["CATEGORY_ID"] != "0" {
		t.Fatal(d)
	}
	items := tp.form("crm.deal.contact.items.get", url.Values{"id": {fmt.Sprint(id)}})
	expectOK(t, items)
	l := items.resultList()
	if len(l) != 2 {
		t.Fatal(items.raw)
	}
	first := l[0].(map[string]any)
	if first["CONTACT_ID"] != float64(c1) || first["IS_PRIMARY"] != "Y" || first["ROLE_ID"] != float64(0) {
		t.Fatalf("ints and primary: %v", first)
	}
	expectError(t, tp.form("crm.deal.contact.items.get", url.Values{"id": {"0"}}), 400, "", "The parameter ownerEntityID is invalid or not defined.")
	expectError(t, tp.form("crm.deal.contact.items.get", url.Values{"id": {"77"}}), 400, "", "Not found.")
	list := tp.json("crm.deal.list", fmt.Sprintf(`{"filter":{"CONTACT_ID":%d}}`, c1))
	if len(list.resultList()) != 1 {
		t.Fatal(list.raw)
	}
}

func TestFindByComm(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.SeedContact(Contact{Name: "Ivan", Phones: []string{"+7 (999) 123-45-67"}, Emails: []string{"Ivan@Example.com"}})
	l := tp.SeedLead(Lead{Title: "L", Phones: []string{"89991234567"}})
	a := tp.json("crm.duplicate.findbycomm", `{"type":"PHONE","values":["+79991234567 #12"]}`)
	expectOK(t, a)
	r := a.resultMap()
	if fmt.Sprint(r["CONTACT"]) != fmt.Sprintf("[%d]", c) || fmt.Sprint(r["LEAD"]) != fmt.Sprintf("[%d]", l) {
		t.Fatalf("found %s", a.raw)
	}
	if _, ok := r["COMPANY"]; ok {
		t.Fatal("keys only for types with matches")
	}
	only := tp.json("crm.duplicate.findbycomm", `{"type":"PHONE","values":["79991234567"],"entity_type":"CONTACT"}`).resultMap()
	if _, ok := only["LEAD"]; ok || only["CONTACT"] == nil {
		t.Fatal(only)
	}
	email := tp.json("crm.duplicate.findbycomm", `{"type":"EMAIL","values":["ivan@example.com"]}`).resultMap()
	if email["CONTACT"] == nil {
		t.Fatal(email)
	}
	none := tp.json("crm.duplicate.findbycomm", `{"type":"PHONE","values":["+10000000000"]}`)
	expectOK(t, none)
	if l, ok := none.result().([]any); !ok || len(l) != 0 {
		t.Fatalf("nothing found must be []: %s", none.raw)
	}
	expectError(t, tp.json("crm.duplicate.findbycomm", `{"values":["1"]}`), 400, "", "Communication type is not defined.")
	expectError(t, tp.json("crm.duplicate.findbycomm", `{"type":"FAX","values":["1"]}`), 400, "", "Communication type 'FAX' is not supported in current context.")
	expectError(t, tp.json("crm.duplicate.findbycomm", `{"type":"PHONE"}`), 400, "", "Communication values is not defined.")
	expectError(t, tp.json("crm.duplicate.findbycomm", `{"type":"PHONE","values":["1"],"entity_type":"DEAL"}`), 400, "", "Deal is not supported in current context.")
	// GET ignores a JSON body.
	expectError(t, tp.get("/rest/crm.duplicate.findbycomm?auth="+tp.token), 400, "", "Communication type is not defined.")
}

func TestOwnCRMOnlyRole(t *testing.T) {
	tp := newTestPortal(t)
	tp.AddUser(User{ID: 3, Name: "Own", OwnCRMOnly: true})
	mine := tp.SeedLead(Lead{Title: "mine", AssignedByID: 3})
	other := tp.SeedLead(Lead{Title: "other", AssignedByID: 2})
	tok, _ := tp.IssueToken(3)
	expectOK(t, tp.form("crm.lead.get", url.Values{"auth": {tok}, "id": {fmt.Sprint(mine)}}))
	expectError(t, tp.form("crm.lead.get", url.Values{"auth": {tok}, "id": {fmt.Sprint(other)}}), 400, "", "Access denied.")
	expectError(t, tp.form("crm.lead.update", url.Values{"auth": {tok}, "id": {fmt.Sprint(other)}, "fields[TITLE]": {"x"}}), 400, "", "Access denied.")
	list := tp.form("crm.lead.list", url.Values{"auth": {tok}})
	if len(list.resultList()) != 1 || list.body["total"] != float64(1) {
		t.Fatal(list.raw)
	}
	expectError(t, tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"auth":%q,"fields":{"ENTITY_ID":%d,"ENTITY_TYPE":"lead","COMMENT":"x"}}`, tok, other)), 400, "ACCESS_DENIED", "")
}

// TestFindByCommTwentyHidesTheRest: [D] "If 20 or more duplicates are found
// for one object, the other types are not returned" (LEAD, CONTACT, COMPANY).
func TestFindByCommTwentyHidesTheRest(t *testing.T) {
	tp := newTestPortal(t)
	tp.SeedContact(Contact{Name: "C", Phones: []string{"+79990000001"}})
	for i := range 19 {
		tp.SeedLead(Lead{Title: fmt.Sprint("L", i), Phones: []string{"+7 999 000-00-01"}})
	}
	r := tp.json("crm.duplicate.findbycomm", `{"type":"PHONE","values":["79990000001"]}`).resultMap()
	if len(r["LEAD"].([]any)) != 19 || len(r["CONTACT"].([]any)) != 1 {
		t.Fatalf("19 leads leave the contacts visible: %v", r)
	}
	tp.SeedLead(Lead{Title: "L20", Phones: []string{"89990000001"}})
	tp.SeedLead(Lead{Title: "L21", Phones: []string{"89990000001"}})
	r = tp.json("crm.duplicate.findbycomm", `{"type":"PHONE","values":["79990000001"]}`).resultMap()
	if len(r["LEAD"].([]any)) != 20 || r["CONTACT"] != nil {
		t.Fatalf("20 leads hide the contacts: %v", r)
	}
	if r := tp.json("crm.duplicate.findbycomm", `{"type":"PHONE","values":["79990000001"],"entity_type":"CONTACT"}`).resultMap(); len(r["CONTACT"].([]any)) != 1 {
		t.Fatalf("asking for contacts only finds the contact: %v", r)
	}
}
