package emulator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"
)

func TestBatchSubstitutionAndShape(t *testing.T) {
	tp := newTestPortal(t)
	body := `{"halt":0,"cmd":{
		"me":"user.current",
		"lead":"crm.lead.add?fields[TITLE]=Lead%20of%20$result[me][NAME]&fields[ASSIGNED_BY_ID]=$result[me][ID]",
		"got":"crm.lead.get?id=$result[lead]",
		"missing":"crm.lead.get?id=999"}}`
	a := tp.json("batch", body)
	expectOK(t, a)
	r := a.resultMap()
	res := r["result"].(map[string]any)
	if res["me"].(map[string]any)["ID"] != "1" {
		t.Fatalf("me: %v", res["me"])
	}
	got := res["got"].(map[string]any)
	if got["TITLE"] != "Lead of Anna" || got["ASSIGNED_BY_ID"] != "1" {
		t.Fatalf("substitution: %v", got)
	}
	errs := r["result_error"].(map[string]any)
	if e := errs["missing"].(map[string]any); e["error"] != "" || e["error_description"] != "Not found." {
		t.Fatalf("result_error: %v", errs)
	}
	// Empty sections are PHP empty arrays: [].
	if rt, ok := r["result_total"].([]any); !ok || len(rt) != 0 {
		t.Fatalf("result_total %#v", r["result_total"])
	}
	if rn, ok := r["result_next"].([]any); !ok || len(rn) != 0 {
		t.Fatalf("result_next %#v", r["result_next"])
	}
	tm := r["result_time"].(map[string]any)["me"].(map[string]any)
	for _, k := range []string{"start", "finish", "duration", "processing", "date_start", "date_finish"} {
		if _, ok := tm[k]; !ok {
			t.Fatalf("result_time lacks %s", k)
		}
	}
	if a.status != 200 {
		t.Fatal(a.status)
	}
}

func TestBatchHalt(t *testing.T) {
	tp := newTestPortal(t)
	v := url.Values{}
	v.Set("halt", "1")
	v.Set("cmd[a]", "profile")
	v.Set("cmd[b]", "crm.contact.get?id=404")
	v.Set("cmd[c]", "user.current")
	r := tp.form("batch", v).resultMap()
	res := r["result"].(map[string]any)
	if _, ok := res["c"]; ok {
		t.Fatal("halt did not stop")
	}
	if _, ok := r["result_error"].(map[string]any)["b"]; !ok {
		t.Fatal("no error for b")
	}
	v.Set("halt", "0")
	r = tp.form("batch", v).resultMap()
	if _, ok := r["result"].(map[string]any)["c"]; !ok {
		t.Fatal("without halt c must run")
	}
}

func TestBatchSequentialKeysAreList(t *testing.T) {
	tp := newTestPortal(t)
	a := tp.json("batch", `{"cmd":["profile","user.current"]}`)
	res, ok := a.resultMap()["result"].([]any)
	if !ok || len(res) != 2 {
		t.Fatalf("want a JSON array: %s", a.raw)
	}
	// A failed middle command leaves sparse keys: an object.
	a = tp.json("batch", `{"cmd":["profile","crm.lead.get?id=77","user.current"]}`)
	obj, ok := a.resultMap()["result"].(map[string]any)
	if !ok || len(obj) != 2 || obj["2"] == nil {
		t.Fatalf("want an object with keys 0 and 2: %s", a.raw)
	}
}

func TestBatchEncodingTraps(t *testing.T) {
	tp := newTestPortal(t)
	title := "Tom & Jerry + 100% #1"
	// Correct: the value is URL-encoded inside the command string.
	inner := "crm.lead.add?" + url.Values{"fields[TITLE]": {title}}.Encode()
	v := url.Values{"cmd[ok]": {inner}}
	// Wrong: raw value inside the command string, parse_str splits and decodes it.
	v.Set("cmd[raw]", "crm.lead.add?fields[TITLE]="+title)
	r := tp.form("batch", v).resultMap()["result"].(map[string]any)
	okID := fmt.Sprint(r["ok"])
	rawID := fmt.Sprint(r["raw"])
	if got := tp.form("crm.lead.get", url.Values{"id": {okID}}).resultMap()["TITLE"]; got != title {
		t.Fatalf("encoded title: %q", got)
	}
	got := tp.form("crm.lead.get", url.Values{"id": {rawID}}).resultMap()["TITLE"]
	if got != "Tom " {
		t.Fatalf("raw title should be cut at &: %q", got)
	}
	// A '+' inside the command string is a space to parse_str.
	v = url.Values{"cmd[plus]": {"crm.lead.add?fields[TITLE]=a+b%2Bc"}}
	id := fmt.Sprint(tp.form("batch", v).resultMap()["result"].(map[string]any)["plus"])
	if got := tp.form("crm.lead.get", url.Values{"id": {id}}).resultMap()["TITLE"]; got != "a b+c" {
		t.Fatalf("plus: %q", got)
	}
}

func TestBatchLimitsAndNesting(t *testing.T) {
	tp := newTestPortal(t)
	cmd := map[string]string{}
	for i := range 52 {
		cmd[fmt.Sprintf("k%02d", i)] = "profile"
	}
	cmd["k99"] = "batch?cmd[x]=profile"
	body, _ := json.Marshal(map[string]any{"cmd": cmd})
	r := tp.json("batch", string(body)).resultMap()
	errs := r["result_error"].(map[string]any)
	if len(r["result"].(map[string]any)) != 50 {
		t.Fatalf("ran %d", len(r["result"].(map[string]any)))
	}
	if e := errs["k50"].(map[string]any); e["error"] != "ERROR_BATCH_LENGTH_EXCEEDED" {
		t.Fatalf("%v", errs)
	}
	if len(errs) != 3 {
		t.Fatalf("errors %v", errs)
	}
}

func TestBatchNestedNotAllowed(t *testing.T) {
	tp := newTestPortal(t)
	r := tp.json("batch", `{"cmd":{"x":"batch?cmd[a]=profile"}}`).resultMap()
	if e := r["result_error"].(map[string]any)["x"].(map[string]any); e["error"] != "ERROR_BATCH_METHOD_NOT_ALLOWED" {
		t.Fatal(e)
	}
}

func TestBatchAuthCheckedOnce(t *testing.T) {
	tp := newTestPortal(t)
	access, _ := tp.IssueToken(1)
	tp.clock.Advance(2 * time.Hour)
	a := tp.form("batch", url.Values{"auth": {access}, "cmd[a]": {"profile"}})
	expectError(t, a, 401, "expired_token", "")
}

func TestBatchScopePerCommand(t *testing.T) {
	tp := newTestPortal(t, func(c *Config) { c.Scopes = []string{"user"} })
	r := tp.form("batch", url.Values{"cmd[a]": {"user.current"}, "cmd[b]": {"crm.lead.list"}}).resultMap()
	if e := r["result_error"].(map[string]any)["b"].(map[string]any); e["error"] != "insufficient_scope" {
		t.Fatal(e)
	}
	if _, ok := r["result"].(map[string]any)["a"]; !ok {
		t.Fatal("a should run")
	}
}

func TestBatchListTotals(t *testing.T) {
	tp := newTestPortal(t)
	for i := range 60 {
		tp.SeedLead(Lead{Title: fmt.Sprint("L", i)})
	}
	r := tp.form("batch", url.Values{"cmd[p1]": {"crm.lead.list"}, "cmd[p2]": {"crm.lead.list?start=50"}}).resultMap()
	if tot := r["result_total"].(map[string]any); tot["p1"] != float64(60) || tot["p2"] != float64(60) {
		t.Fatal(tot)
	}
	next := r["result_next"].(map[string]any)
	if next["p1"] != float64(50) || next["p2"] != nil {
		t.Fatal(next)
	}
	if n := len(r["result"].(map[string]any)["p2"].([]any)); n != 10 {
		t.Fatal(n)
	}
}

func TestParseQueryPHP(t *testing.T) {
	o := parseQuery("a[]=1&a[]=2&b[x][y]=3&c.d=4&e=%26%2B&f=a+b")
	data, _ := json.Marshal(o)
	want := `{"a":["1","2"],"b":{"x":{"y":"3"}},"c_d":"4","e":"\u0026+","f":"a b"}`
	if string(data) != want {
		t.Fatalf("got %s", data)
	}
}
