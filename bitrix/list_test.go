package bitrix

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func contactRows(n int) []any {
	rows := make([]any, n)
	for i := range rows {
		id := any(fmt.Sprint(i + 1)) // ids as strings…
		if i%2 == 1 {
			id = i + 1 // …or as ints
		}
		rows[i] = map[string]any{"ID": id, "NAME": fmt.Sprintf("C%d", i+1)}
	}
	return rows
}

func TestListFollowsNextAcrossPages(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", f.issue(false))
	f.methods["crm.contact.list"] = listOf(contactRows(120))
	type row struct {
		ID   FlexInt `json:"ID"`
		Name string  `json:"NAME"`
	}
	all, err := All[row](context.Background(), c.Portal("m1", f.srv.URL), "crm.contact.list",
		ListQuery{Filter: map[string]any{">ID": 0}, Select: []string{"ID", "NAME"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 120 || all[0].ID != 1 || all[119].ID != 120 || all[119].Name != "C120" {
		t.Fatalf("got %d rows, last %+v", len(all), all[len(all)-1])
	}
	calls := f.callsOf("crm.contact.list")
	var starts []int64
	for _, c := range calls {
		starts = append(starts, Values(c.Params).Int("start"))
		if Values(c.Params).String("select", "1") != "NAME" {
			t.Fatalf("select lost: %s", c.Raw)
		}
	}
	if fmt.Sprint(starts) != "[0 50 100]" {
		t.Fatalf("starts = %v", starts)
	}
}

func TestListStopsEarlyAndOnEmpty(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", f.issue(false))
	f.methods["crm.contact.list"] = listOf(contactRows(120))
	p := c.Portal("m1", f.srv.URL)
	seen := 0
	err := Each(context.Background(), p, "crm.contact.list", nil, func(Values) error {
		seen++
		if seen == 60 {
			return ErrStop
		}
		return nil
	})
	if err != nil || seen != 60 || len(f.callsOf("crm.contact.list")) != 2 {
		t.Fatalf("err = %v, seen = %d, calls = %d", err, seen, len(f.callsOf("crm.contact.list")))
	}
	boom := errors.New("boom")
	if err := Each(context.Background(), p, "crm.contact.list", nil, func(Values) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	f.methods["crm.lead.list"] = listOf(nil)
	leads, err := All[Values](context.Background(), p, "crm.lead.list", nil)
	if err != nil || len(leads) != 0 {
		t.Fatalf("leads = %v, %v", leads, err)
	}
}

func TestListReadsItemsObjects(t *testing.T) {
	rows, err := pageRows([]byte(`{"items":[{"id":1},{"id":2}]}`))
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows = %s, %v", rows, err)
	}
	rows, err = pageRows([]byte(`{"7":{"id":7},"9":{"id":9}}`))
	if err != nil || len(rows) != 2 || string(rows[1]) != `{"id":9}` {
		t.Fatalf("rows = %s, %v", rows, err)
	}
	if rows, _ := pageRows([]byte(`[]`)); len(rows) != 0 {
		t.Fatal("[] gave rows")
	}
}

func TestEachBatchedFetchesRemainingPagesInBatches(t *testing.T) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", f.issue(false))
	f.methods["crm.contact.list"] = listOf(contactRows(2600)) // 52 pages
	var ids []int
	err := EachBatched(context.Background(), c.Portal("m1", f.srv.URL), "crm.contact.list",
		ListQuery{Select: []string{"ID"}, Order: map[string]string{"ID": "ASC"}}, func(r struct{ ID FlexInt }) error {
			ids = append(ids, int(r.ID))
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2600 {
		t.Fatalf("rows = %d", len(ids))
	}
	for i, id := range ids {
		if id != i+1 {
			t.Fatalf("row %d has id %d: pages out of order", i, id)
		}
	}
	// One plain call, then 51 pages in two batch requests.
	if n, b := len(f.callsOf("crm.contact.list")), len(f.callsOf("batch")); n != 1 || b != 2 {
		t.Fatalf("list calls = %d, batch calls = %d", n, b)
	}
	if sel := f.callsOf("batch:crm.contact.list")[0].Params; Values(sel).String("select", "0") != "ID" || Values(sel).Int("start") != 50 {
		t.Fatalf("batched params = %v", sel)
	}
	// A single page needs no batch at all; ErrStop ends early.
	f.methods["crm.lead.list"] = listOf(contactRows(10))
	seen := 0
	err = EachBatched(context.Background(), c.Portal("m1", f.srv.URL), "crm.lead.list", nil, func(Values) error {
		if seen++; seen == 3 {
			return ErrStop
		}
		return nil
	})
	if err != nil || seen != 3 || len(f.callsOf("batch")) != 2 {
		t.Fatalf("err = %v, seen = %d", err, seen)
	}
}
