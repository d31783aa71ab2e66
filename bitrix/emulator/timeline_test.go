package emulator

import (
	"fmt"
	"net/url"
	"testing"
)

func TestTimelineComments(t *testing.T) {
	tp := newTestPortal(t)
	deal := tp.SeedDeal(Deal{Title: "D"})
	add := tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"fields":{"ENTITY_ID":%d,"ENTITY_TYPE":"deal","COMMENT":"  New comment  ","AUTHOR_ID":2,
		"FILES":[["1.gif","R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="],["bad.txt","%%%%%%"]]}}`, deal))
	expectOK(t, add)
	id := add.result().(float64)
	second := tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"fields":{"ENTITY_ID":%d,"ENTITY_TYPE":"deal","COMMENT":"Second"}}`, deal)).result()

	list := tp.json("crm.timeline.comment.list", fmt.Sprintf(`{"filter":{"ENTITY_ID":%d,"ENTITY_TYPE":"deal"}}`, deal))
	expectOK(t, list)
	rows := list.resultList()
	if len(rows) != 2 || list.body["total"] != float64(2) {
		t.Fatal(list.raw)
	}
	newest := rows[0].(map[string]any)
	if newest["ID"] != fmt.Sprint(second) {
		t.Fatalf("newest first: %v", newest)
	}
	if f, ok := newest["FILES"].([]any); !ok || len(f) != 0 {
		t.Fatalf("no files is PHP []: %#v", newest["FILES"])
	}
	first := rows[1].(map[string]any)
	if first["COMMENT"] != "New comment" || first["AUTHOR_ID"] != "2" || first["ENTITY_TYPE"] != "deal" {
		t.Fatal(first)
	}
	files := first["FILES"].(map[string]any)
	if len(files) != 1 {
		t.Fatalf("the corrupt file is dropped: %v", files)
	}
	for key, f := range files {
		fm := f.(map[string]any)
		if fm["name"] != "1.gif" || fm["type"] != "image" || fm["size"] != float64(43) || fmt.Sprint(fm["id"]) != key {
			t.Fatal(fm)
		}
	}

	upd := tp.json("crm.timeline.comment.update", fmt.Sprintf(`{"id":%v,"fields":{"COMMENT":"Edited"}}`, id))
	expectOK(t, upd)
	if upd.result() != id {
		t.Fatal(upd.raw)
	}
	got := tp.form("crm.timeline.comment.get", url.Values{"id": {fmt.Sprint(id)}}).resultMap()
	if got["COMMENT"] != "Edited" {
		t.Fatal(got)
	}
	del := tp.form("crm.timeline.comment.delete", url.Values{"id": {fmt.Sprint(second)}})
	expectOK(t, del)
	if del.result() != nil {
		t.Fatal(del.raw)
	}
	if len(tp.Timeline("DEAL", deal)) != 1 {
		t.Fatal("delete did not delete")
	}
}

func TestTimelineCommentErrors(t *testing.T) {
	tp := newTestPortal(t)
	lead := tp.SeedLead(Lead{Title: "L"})
	// Uppercase FIELDS is not read by the engine controller.
	expectError(t, tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"FIELDS":{"ENTITY_ID":%d,"ENTITY_TYPE":"lead","COMMENT":"x"}}`, lead)), 400, float64(100), "")
	expectError(t, tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"fields":{"ENTITY_ID":%d,"ENTITY_TYPE":"lead","COMMENT":"   "}}`, lead)), 400, "INVALID_ARG_VALUE", "Empty comment message")
	expectError(t, tp.json("crm.timeline.comment.add", `{"fields":{"ENTITY_ID":999,"ENTITY_TYPE":"lead","COMMENT":"x"}}`), 400, "OWNER_NOT_FOUND", "")
	// [S]: an id ≤ 0 or an unknown type is OWNER_NOT_FOUND, not code 100.
	for _, f := range []string{`"ENTITY_ID":0,"ENTITY_TYPE":"lead"`, `"ENTITY_ID":-3,"ENTITY_TYPE":"lead"`, fmt.Sprintf(`"ENTITY_ID":%d,"ENTITY_TYPE":"spaceship"`, lead)} {
		expectError(t, tp.json("crm.timeline.comment.add", `{"fields":{`+f+`,"COMMENT":"x"}}`), 400, "OWNER_NOT_FOUND", "")
	}
	expectError(t, tp.json("crm.timeline.comment.add", `{"fields":{"ENTITY_TYPE":"lead","COMMENT":"x"}}`), 400, float64(100), "")
	expectError(t, tp.form("crm.timeline.comment.update", url.Values{"id": {"999"}, "fields[COMMENT]": {"x"}}), 400, "NOT_FOUND", "")
	expectError(t, tp.form("crm.timeline.comment.get", url.Values{"id": {"999"}}), 400, "", "Not found.")
}

func TestPinLimit(t *testing.T) {
	for _, limit := range []int{3, 7} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			tp := newTestPortal(t, func(c *Config) {
				if limit != 3 {
					c.PinLimit = limit
				}
			})
			contact := tp.SeedContact(Contact{Name: "C"})
			var ids []string
			for i := range limit + 1 {
				id := tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"fields":{"ENTITY_ID":%d,"ENTITY_TYPE":"contact","COMMENT":"c%d"}}`, contact, i)).result()
				ids = append(ids, fmt.Sprint(id))
			}
			pin := func(id string) answer {
				return tp.form("crm.timeline.item.pin", url.Values{"id": {id}, "ownerTypeId": {"3"}, "ownerId": {fmt.Sprint(contact)}})
			}
			for _, id := range ids[:limit] {
				a := pin(id)
				expectOK(t, a)
				if a.result() != nil {
					t.Fatal(a.raw)
				}
			}
			word := map[int]string{3: "three", 7: "seven"}[limit]
			expectError(t, pin(ids[limit]), 400, float64(0), "Only "+word+" events can be added to favorites")
			// Already pinned counts too.
			expectError(t, pin(ids[0]), 400, float64(0), "")
			tl := tp.Timeline("CONTACT", contact)
			if !tl[0].Pinned || tl[limit].Pinned {
				t.Fatalf("pinned go first: %+v", tl)
			}
			expectOK(t, tp.form("crm.timeline.item.unpin", url.Values{"id": {ids[0]}, "ownerTypeId": {"3"}, "ownerId": {fmt.Sprint(contact)}}))
			expectOK(t, pin(ids[limit]))
		})
	}
}

func TestPinErrors(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.SeedContact(Contact{Name: "C"})
	l := tp.SeedLead(Lead{Title: "L"})
	id := fmt.Sprint(tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"fields":{"ENTITY_ID":%d,"ENTITY_TYPE":"contact","COMMENT":"x"}}`, c)).result())
	expectError(t, tp.form("crm.timeline.item.pin", url.Values{"id": {id}, "ownerTypeId": {"3"}}), 400, float64(100), "")
	expectError(t, tp.form("crm.timeline.item.pin", url.Values{"id": {id}, "ownerTypeId": {"3"}, "ownerId": {"999"}}), 400, "OWNER_NOT_FOUND", "")
	expectError(t, tp.form("crm.timeline.item.pin", url.Values{"id": {id}, "ownerTypeId": {"1"}, "ownerId": {fmt.Sprint(l)}}), 400, "NOT_FOUND", "")
}

func TestTimelineEmptyFilesAsMap(t *testing.T) {
	tp := newTestPortal(t, func(c *Config) { c.TimelineEmptyFilesMap = true })
	d := tp.SeedDeal(Deal{Title: "D"})
	tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"fields":{"ENTITY_ID":%d,"ENTITY_TYPE":"deal","COMMENT":"x"}}`, d))
	row := tp.json("crm.timeline.comment.list", fmt.Sprintf(`{"filter":{"ENTITY_ID":%d,"ENTITY_TYPE":"deal"}}`, d)).resultList()[0].(map[string]any)
	if _, ok := row["FILES"].(map[string]any); !ok {
		t.Fatalf("%#v", row["FILES"])
	}
}
