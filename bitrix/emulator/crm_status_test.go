package emulator

import (
	"fmt"
	"testing"
	"time"
)

func TestStatusListSourcesAndStages(t *testing.T) {
	tp := newTestPortal(t)
	src := tp.json("crm.status.list", `{"filter":{"ENTITY_ID":"SOURCE"}}`)
	expectOK(t, src)
	rows := src.resultList()
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.(map[string]any)["STATUS_ID"].(string))
	}
	want := "[CALL EMAIL WEB ADVERTISING PARTNER RECOMMENDATION TRADE_SHOW WEBFORM CALLBACK RC_GENERATOR STORE OTHER]"
	if fmt.Sprint(ids) != want || src.body["total"] != float64(12) {
		t.Fatalf("sources %v, total %v", ids, src.body["total"])
	}
	call := rows[0].(map[string]any)
	if call["NAME"] != "Call" || call["NAME_INIT"] != "Call" || call["SORT"] != "10" || call["ENTITY_ID"] != "SOURCE" || call["SEMANTICS"] != nil || call["CATEGORY_ID"] != nil {
		t.Fatalf("CALL = %v", call)
	}

	stages := tp.json("crm.status.list", `{"filter":{"ENTITY_ID":"DEAL_STAGE"},"order":{"SORT":"ASC"}}`).resultList()
	won, prep := stages[5].(map[string]any), stages[1].(map[string]any)
	if stages[0].(map[string]any)["STATUS_ID"] != "NEW" || won["STATUS_ID"] != "WON" || won["SEMANTICS"] != "S" || prep["SEMANTICS"] != nil || prep["NAME_INIT"] != "" {
		t.Fatalf("deal stages %v", stages)
	}
	if won["EXTRA"].(map[string]any)["SEMANTICS"] != "success" || stages[6].(map[string]any)["SEMANTICS"] != "F" {
		t.Fatalf("WON/LOSE %v", stages)
	}
	c1 := tp.json("crm.status.list", `{"filter":{"ENTITY_ID":"DEAL_STAGE_1"}}`).resultList()
	if first := c1[0].(map[string]any); first["STATUS_ID"] != "C1:NEW" || first["CATEGORY_ID"] != "1" {
		t.Fatalf("pipeline 1 stages %v", c1)
	}
	desc := tp.json("crm.status.list", `{"filter":{"ENTITY_ID":"SOURCE","%NAME":"e"},"order":{"SORT":"DESC"}}`).resultList()
	if desc[0].(map[string]any)["STATUS_ID"] != "OTHER" {
		t.Fatalf("order DESC %v", desc)
	}
}

func TestStatusAdd(t *testing.T) {
	tp := newTestPortal(t)
	add := tp.json("crm.status.add", `{"fields":{"ENTITY_ID":"SOURCE","STATUS_ID":"WHATSAPP_SALES","NAME":"WhatsApp — Sales","SORT":200}}`)
	expectOK(t, add)
	if _, ok := add.result().(float64); !ok {
		t.Fatalf("result must be an int: %s", add.raw)
	}
	got := tp.json("crm.status.list", `{"filter":{"ENTITY_ID":"SOURCE","STATUS_ID":"WHATSAPP_SALES"}}`).resultList()
	if len(got) != 1 || got[0].(map[string]any)["NAME"] != "WhatsApp — Sales" || got[0].(map[string]any)["SYSTEM"] != "N" {
		t.Fatalf("added source %v", got)
	}
	expectError(t, tp.json("crm.status.add", `{"fields":{"ENTITY_ID":"SOURCE","STATUS_ID":"WHATSAPP_SALES","NAME":"again"}}`), 400, "ERROR_CORE", "The specified status ID already exists.")
	expectError(t, tp.json("crm.status.add", `{"fields":{"NAME":"x"}}`), 400, "", "The field ENTITY_ID is required.<br>The field STATUS_ID is required.")
	expectError(t, tp.json("crm.status.add", `{"fields":{"ENTITY_ID":"NOPE","STATUS_ID":"X","NAME":"x"}}`), 400, "", "Specified entity type is not supported.")
	expectError(t, tp.json("crm.status.add", `{"fields":{"ENTITY_ID":"SOURCE","STATUS_ID":"X"}}`), 400, "", "The field Title is required.")
	expectError(t, tp.json("crm.status.add", `{"fields":"x"}`), 400, "", "Parameter 'fields' must be array.")
	expectError(t, tp.json("crm.status.add", `{"fields":{"ENTITY_ID":"DEAL_STAGE","STATUS_ID":"LATE","NAME":"Late","SORT":65}}`), 400, "",
		"Cannot create more stages after the final stage because the final successful stage already exists. Try using sort order values less than that of the final stage.")
	expectOK(t, tp.json("crm.status.add", `{"fields":{"ENTITY_ID":"DEAL_STAGE_1","STATUS_ID":"DECISION","NAME":"Decision","SORT":25}}`))
	if got := tp.json("crm.status.list", `{"filter":{"ENTITY_ID":"DEAL_STAGE_1","STATUS_ID":"C1:DECISION"}}`).resultList(); len(got) != 1 {
		t.Fatal("a pipeline stage gets the C1: prefix")
	}
	tp.token, _ = tp.IssueToken(2)
	expectError(t, tp.json("crm.status.add", `{"fields":{"ENTITY_ID":"SOURCE","STATUS_ID":"Y","NAME":"y"}}`), 400, "", "Access denied.")
}

func TestCategoryList(t *testing.T) {
	tp := newTestPortal(t)
	a := tp.json("crm.category.list", `{"entityTypeId":2}`)
	expectOK(t, a)
	cats := a.resultMap()["categories"].([]any)
	if a.body["total"] != float64(2) || len(cats) != 2 {
		t.Fatalf("categories %s", a.raw)
	}
	partners, general := cats[0].(map[string]any), cats[1].(map[string]any)
	if general["id"] != float64(0) || general["name"] != "General" || general["isDefault"] != "Y" || general["entityTypeId"] != float64(2) {
		t.Fatalf("general %v", general)
	}
	if partners["id"] != float64(1) || partners["isDefault"] != "N" || partners["originatorId"] != "" {
		t.Fatalf("partners %v", partners)
	}
	expectError(t, tp.json("crm.category.list", `{}`), 400, float64(100), "Could not find value for parameter {entityTypeId}")
	expectError(t, tp.json("crm.category.list", `{"entityTypeId":1}`), 400, "ENTITY_TYPE_NOT_SUPPORTED", "Entity type LEAD is not supported")
	expectError(t, tp.json("crm.category.list", `{"entityTypeId":999}`), 400, "NOT_FOUND", "Smart process not found")
}

func TestDealPipelineAndStage(t *testing.T) {
	tp := newTestPortal(t)
	deal := func(body string) map[string]any {
		t.Helper()
		a := tp.json("crm.deal.add", body)
		expectOK(t, a)
		return tp.json("crm.deal.get", fmt.Sprintf(`{"id":%v}`, a.result())).resultMap()
	}
	if d := deal(`{"fields":{"TITLE":"default"}}`); d["CATEGORY_ID"] != "0" || d["STAGE_ID"] != "NEW" || d["CLOSED"] != "N" || d["SOURCE_ID"] != "CALL" {
		t.Fatalf("defaults: %v", d)
	}
	d := deal(`{"fields":{"TITLE":"partners","CATEGORY_ID":1}}`)
	if d["CATEGORY_ID"] != "1" || d["STAGE_ID"] != "C1:NEW" || d["STAGE_SEMANTIC_ID"] != "P" {
		t.Fatalf("first stage of pipeline 1: %v", d)
	}
	if d := deal(`{"fields":{"TITLE":"won","CATEGORY_ID":1,"STAGE_ID":"C1:WON"}}`); d["CLOSED"] != "Y" || d["STAGE_SEMANTIC_ID"] != "S" {
		t.Fatalf("won: %v", d)
	}
	if d := deal(`{"fields":{"TITLE":"apology","STAGE_ID":"APOLOGY"}}`); d["CLOSED"] != "Y" || d["STAGE_SEMANTIC_ID"] != "F" {
		t.Fatalf("apology: %v", d)
	}
	expectError(t, tp.json("crm.deal.add", `{"fields":{"TITLE":"x","CATEGORY_ID":1,"STAGE_ID":"WON"}}`), 400, "", `Invalid value for the "Stage" field`)
	expectError(t, tp.json("crm.deal.add", `{"fields":{"TITLE":"x","CATEGORY_ID":7}}`), 400, "", `Invalid value for the "Pipeline" field`)
	expectError(t, tp.json("crm.deal.add", `{"fields":{"TITLE":"x","SOURCE_ID":"TELEGRAM"}}`), 400, "", `Invalid value for the "Source" field`)
	expectError(t, tp.json("crm.lead.add", `{"fields":{"TITLE":"x","STATUS_ID":"WON"}}`), 400, "", `Invalid value for the "Status" field`)
	expectError(t, tp.json("crm.contact.add", `{"fields":{"NAME":"x","SOURCE_ID":"TELEGRAM"}}`), 400, "", `Invalid value for the "Source" field`)

	// update: the pipeline is immutable, a stage must belong to it
	id := d["ID"]
	expectOK(t, tp.json("crm.deal.update", fmt.Sprintf(`{"id":%v,"fields":{"CATEGORY_ID":0,"STAGE_ID":"C1:LOSE"}}`, id)))
	d = tp.json("crm.deal.get", fmt.Sprintf(`{"id":%v}`, id)).resultMap()
	if d["CATEGORY_ID"] != "1" || d["STAGE_ID"] != "C1:LOSE" || d["CLOSED"] != "Y" || d["STAGE_SEMANTIC_ID"] != "F" {
		t.Fatalf("after update: %v", d)
	}
	expectError(t, tp.json("crm.deal.update", fmt.Sprintf(`{"id":%v,"fields":{"STAGE_ID":"WON"}}`, id)), 400, "", `Invalid value for the "Stage" field`)
	if d := tp.json("crm.deal.get", fmt.Sprintf(`{"id":%v}`, id)).resultMap(); d["STAGE_ID"] != "C1:LOSE" {
		t.Fatalf("a refused update changes nothing: %v", d)
	}
}

func TestLenientStatusesFallBackAsTheSourceDoes(t *testing.T) {
	tp := newTestPortal(t, func(c *Config) { c.LenientCRMStatuses = true })
	a := tp.json("crm.deal.add", `{"fields":{"TITLE":"x","CATEGORY_ID":7,"STAGE_ID":"C7:NEW"}}`)
	expectOK(t, a)
	d := tp.json("crm.deal.get", fmt.Sprintf(`{"id":%v}`, a.result())).resultMap()
	if d["CATEGORY_ID"] != "0" || d["STAGE_ID"] != "NEW" {
		t.Fatalf("lenient fallback: %v", d)
	}
}

func TestListFiltersByDateAndIDs(t *testing.T) {
	tp := newTestPortal(t)
	var ids []any
	for i := range 3 {
		ids = append(ids, tp.json("crm.contact.add", fmt.Sprintf(`{"fields":{"NAME":"c%d","ORIGINATOR_ID":"switchboard","ORIGIN_ID":"client:%d"}}`, i, i)).result())
		if i < 2 {
			tp.clock.Advance(20 * time.Minute)
		}
	}
	// The clock started at 09:00 UTC: contacts at 09:00, 09:20, 09:40.
	count := func(filter string) int {
		t.Helper()
		a := tp.json("crm.contact.list", `{"filter":`+filter+`}`)
		expectOK(t, a)
		return len(a.resultList())
	}
	cases := []struct {
		filter string
		want   int
	}{
		{`{">DATE_MODIFY":"2026-03-10T09:10:00+00:00"}`, 2},
		{`{">DATE_MODIFY":"2026-03-10T12:10:00+03:00"}`, 2}, // the same instant in another zone
		{`{">=DATE_MODIFY":"2026-03-10T09:20:00Z"}`, 2},
		{`{"<DATE_MODIFY":"10.03.2026 09:20:00"}`, 1},
		{`{">DATE_MODIFY":"yesterday"}`, 0},
		{fmt.Sprintf(`{"@ID":[%v,%v]}`, ids[0], ids[2]), 2},
		{fmt.Sprintf(`{"!@ID":[%v]}`, ids[0]), 2},
		{`{"ORIGINATOR_ID":"switchboard","ORIGIN_ID":"client:1"}`, 1},
		{`{"ORIGINATOR_ID":"switchboard","ORIGIN_ID":"client:9"}`, 0},
	}
	for _, c := range cases {
		if got := count(c.filter); got != c.want {
			t.Errorf("filter %s: %d rows, want %d", c.filter, got, c.want)
		}
	}
}
