package bitrix

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestBuildQueryMatchesHTTPBuildQuery(t *testing.T) {
	got, err := BuildQuery(Params{
		"id": 5,
		"fields": Params{
			"TITLE":  "a&b",
			"PHONE":  []Params{{"VALUE": "+7 999", "VALUE_TYPE": "WORK"}},
			"OPENED": true,
			"SKIP":   nil,
			"EMPTY":  []string{},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Keys keep map-marshal order (sorted for Go maps); structs keep field order.
	exp := "fields[OPENED]=1&fields[PHONE][0][VALUE]=%2B7%20999&fields[PHONE][0][VALUE_TYPE]=WORK&fields[TITLE]=a%26b&id=5"
	if got != exp {
		t.Fatalf("BuildQuery =\n %s\nwant\n %s", got, exp)
	}
	type ordered struct {
		Z string `json:"z"`
		A string `json:"a"`
	}
	if got, _ := BuildQuery(ordered{"1", "2"}); got != "z=1&a=2" {
		t.Fatalf("struct order lost: %s", got)
	}
	if got, _ := BuildQuery(Params{"ID": "$result[add][ID]"}); got != "ID=$result[add][ID]" {
		t.Fatalf("reference mangled: %s", got)
	}
}

// trickyValues are strings that break a batch whose inner query is not encoded.
var trickyValues = []string{
	"Tom & Jerry", "a+b=c", "#hash", "100% sure", "%41 stays %41", "ünïcödé Привет 😀",
	"line1\nline2", "semi;colon", "q?x=1&y=2", "[b]bold[/b]", "  spaced  ", `quote"s 'n \ slash`,
}

func TestBatchValuesSurviveParseStr(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", f.issue(false))
	var cmds []BatchCommand
	for i, v := range trickyValues {
		cmds = append(cmds, BatchCommand{Key: fmt.Sprintf("k%d", i), Method: "echo", Params: Params{
			"fields": Params{"TITLE": v, "PHONE": []Params{{"VALUE": v, "VALUE_TYPE": "WORK"}}},
			"list":   []string{v, "second"},
		}})
	}
	rs, err := c.Portal("m1", f.srv.URL).Batch(context.Background(), false, cmds...)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range trickyValues {
		r, ok := rs.Get(fmt.Sprintf("k%d", i))
		if !ok {
			t.Fatalf("no result for k%d", i)
		}
		var got struct {
			Fields struct {
				TITLE string
				PHONE []struct{ VALUE, VALUE_TYPE string }
			} `json:"fields"`
			List []string `json:"list"`
		}
		if err := r.Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.Fields.TITLE != v || len(got.Fields.PHONE) != 1 || got.Fields.PHONE[0].VALUE != v ||
			!reflect.DeepEqual(got.List, []string{v, "second"}) {
			t.Errorf("%q came back as %+v", v, got)
		}
	}
}

func TestBatchMapsResultsErrorsTotalsAndNext(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", f.issue(false))
	rows := make([]any, 120)
	for i := range rows {
		rows[i] = map[string]any{"ID": fmt.Sprint(i + 1)}
	}
	f.methods["crm.contact.list"] = listOf(rows)
	f.methods["crm.contact.get"] = func(Values, int) (any, map[string]any, *fakeReply) {
		return nil, nil, errReply(400, "", "Not found.")
	}
	rs, err := c.Portal("m1", f.srv.URL).Batch(context.Background(), false,
		BatchCommand{Key: "me", Method: "user.current"},
		BatchCommand{Key: "missing", Method: "crm.contact.get", Params: Params{"id": 9}},
		BatchCommand{Key: "page", Method: "crm.contact.list", Params: Params{"start": 50}},
		BatchCommand{Key: "nope", Method: "no.such.method"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 4 || rs[0].Key != "me" || rs[3].Key != "nope" {
		t.Fatalf("results out of order: %+v", rs)
	}
	var me User
	if err := rs[0].Decode(&me); err != nil || me.ID != 1 || rs[0].Time == nil {
		t.Fatalf("me = %+v, %v", me, err)
	}
	if !IsNotFound(rs[1].Err) || rs[1].Decode(&me) == nil {
		t.Fatalf("missing err = %v", rs[1].Err)
	}
	var page []struct{ ID FlexInt }
	if err := rs[2].Decode(&page); err != nil || len(page) != 50 || page[0].ID != 51 {
		t.Fatalf("page = %v, %v", len(page), err)
	}
	if rs[2].Total != 120 || rs[2].Next != 100 {
		t.Fatalf("total/next = %d/%d", rs[2].Total, rs[2].Next)
	}
	if !errors.Is(rs[3].Err, ErrMethodNotFound) {
		t.Fatalf("nope err = %v", rs[3].Err)
	}
	if err := rs.Err(); !IsNotFound(err) || !errors.Is(err, ErrMethodNotFound) {
		t.Fatalf("joined err = %v", err)
	}
	// The whole batch was one HTTP request with its commands in order.
	calls := f.callsOf("batch")
	if len(calls) != 1 {
		t.Fatalf("batch requests = %d", len(calls))
	}
	if !strings.Contains(string(calls[0].Raw), `"cmd":{"me":"user.current","missing":"crm.contact.get?id=9","page":"crm.contact.list?start=50","nope":"no.such.method"}`) {
		t.Fatalf("cmd = %s", calls[0].Raw)
	}
}

func TestBatchHaltStopsAndMarksTheRest(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", f.issue(false))
	var cmds []BatchCommand
	for i := range 60 {
		method := "user.current"
		if i == 1 {
			method = "no.such.method"
		}
		cmds = append(cmds, BatchCommand{Method: method})
	}
	rs, err := c.Portal("m1", f.srv.URL).Batch(context.Background(), true, cmds...)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Err != nil || !errors.Is(rs[1].Err, ErrMethodNotFound) {
		t.Fatalf("first two: %v, %v", rs[0].Err, rs[1].Err)
	}
	for _, r := range rs[2:] {
		if !errors.Is(r.Err, ErrNotExecuted) {
			t.Fatalf("%s: err = %v, want not executed", r.Key, r.Err)
		}
	}
	if n := len(f.callsOf("batch")); n != 1 {
		t.Fatalf("halted batch sent %d requests, want 1", n)
	}
}

func TestBatchSplitsAboveFifty(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", f.issue(false))
	cmds := make([]BatchCommand, 120)
	for i := range cmds {
		cmds[i] = BatchCommand{Method: "echo", Params: Params{"n": i}}
	}
	rs, err := c.Portal("m1", f.srv.URL).Batch(context.Background(), false, cmds...)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.callsOf("batch")); n != 3 {
		t.Fatalf("requests = %d, want 3", n)
	}
	for i, r := range rs {
		var got struct{ N FlexInt }
		if err := r.Decode(&got); err != nil || int(got.N) != i {
			t.Fatalf("result %d = %+v, %v", i, got, err)
		}
	}
}

func TestBatchAcceptsListShapedSectionsAndEmptyArrays(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", f.issue(false))
	// Keys 0..n-1 make PHP answer with JSON lists; with no errors, result_error is [].
	rs, err := c.Portal("m1", f.srv.URL).Batch(context.Background(), false,
		BatchCommand{Key: "0", Method: "user.current"}, BatchCommand{Key: "1", Method: "echo", Params: Params{"x": "y"}})
	if err != nil {
		t.Fatal(err)
	}
	if rs.Err() != nil {
		t.Fatal(rs.Err())
	}
	var me User
	if err := rs[0].Decode(&me); err != nil || me.ID != 1 {
		t.Fatalf("me = %+v, %v", me, err)
	}
	// A fully empty answer ([] everywhere) leaves commands marked not executed.
	f.queue("batch", fakeReply{Status: 200, Body: `{"result":{"result":[],"result_error":[],"result_total":[],"result_next":[],"result_time":[]},"time":{}}`})
	rs, err = c.Portal("m1", f.srv.URL).Batch(context.Background(), false, BatchCommand{Key: "a", Method: "user.current"})
	if err != nil || !errors.Is(rs[0].Err, ErrNotExecuted) {
		t.Fatalf("rs = %+v, %v", rs, err)
	}
}

func TestBatchRequestErrorsAndValidation(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", f.issue(false))
	p := c.Portal("m1", f.srv.URL)
	if _, err := p.Batch(context.Background(), false, BatchCommand{Key: "a", Method: "x"}, BatchCommand{Key: "a", Method: "y"}); err == nil {
		t.Fatal("duplicate keys accepted")
	}
	if _, err := p.Batch(context.Background(), false, BatchCommand{Key: "a"}); err == nil {
		t.Fatal("empty method accepted")
	}
	// A bad command anywhere stops the batch before any request runs.
	many := make([]BatchCommand, 60)
	for i := range many {
		many[i] = BatchCommand{Method: "echo"}
	}
	many[55].Params = []string{"not an object"}
	if _, err := p.Batch(context.Background(), false, many...); err == nil || len(f.callsOf("batch")) != 0 {
		t.Fatalf("err = %v, requests = %d", err, len(f.callsOf("batch")))
	}
	if many[0].Key != "" {
		t.Fatal("Batch modified the caller's commands")
	}
	f.queue("batch", *errReply(403, "insufficient_scope", "The request requires higher privileges"))
	if _, err := p.Batch(context.Background(), false, BatchCommand{Method: "user.current"}); !errors.Is(err, ErrInsufficientScope) {
		t.Fatalf("err = %v", err)
	}
	if rs, err := p.Batch(context.Background(), false); err != nil || len(rs) != 0 {
		t.Fatalf("empty batch: %v, %v", rs, err)
	}
}

func TestParseFormIsParseStr(t *testing.T) {
	form, _ := url.ParseQuery("data[FIELDS][ID]=7&a[]=x&a[]=y&m[5]=five&m[7]=seven&plain=1&n[0][k]=v")
	got := ParseForm(form)
	want := Values{
		"data":  map[string]any{"FIELDS": map[string]any{"ID": "7"}},
		"a":     []any{"x", "y"},
		"m":     map[string]any{"5": "five", "7": "seven"},
		"plain": "1",
		"n":     []any{map[string]any{"k": "v"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseForm =\n%#v\nwant\n%#v", got, want)
	}
}

func TestBatchFailureAfterAnEarlierRequestKeepsItsResults(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	c.cfg.MaxRetries = -1
	store.Set("m1", f.issue(false))
	cmds := make([]BatchCommand, 120)
	for i := range cmds {
		cmds[i] = BatchCommand{Method: "echo", Params: Params{"n": i}}
	}
	// The first request succeeds; the second hits the rate limit.
	p := c.Portal("m1", f.srv.URL)
	batches := 0
	f.intercept = func(method string) *fakeReply {
		if method == "batch" {
			if batches++; batches == 2 {
				return errReply(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
			}
		}
		return nil
	}
	rs, err := p.Batch(context.Background(), false, cmds...)
	if !errors.Is(err, ErrRateLimited) || len(rs) != 120 {
		t.Fatalf("err = %v, results = %d", err, len(rs))
	}
	if rs[49].Err != nil || !errors.Is(rs[50].Err, ErrRateLimited) || !errors.Is(rs[99].Err, ErrRateLimited) || !errors.Is(rs[100].Err, ErrNotExecuted) {
		t.Fatalf("errs = %v / %v / %v / %v", rs[49].Err, rs[50].Err, rs[99].Err, rs[100].Err)
	}
}
