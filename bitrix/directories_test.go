package bitrix

import (
	"errors"
	"testing"
)

func TestStatusesCategoriesAndNotify(t *testing.T) {
	f, p := portalFor(t)
	f.methods["crm.status.list"] = listOf([]any{
		map[string]any{"ID": "1", "ENTITY_ID": "DEAL_STAGE_1", "STATUS_ID": "C1:NEW", "NAME": "New", "NAME_INIT": "New", "SORT": "10", "SYSTEM": "Y", "CATEGORY_ID": "1", "SEMANTICS": nil, "EXTRA": map[string]any{"SEMANTICS": "process"}},
		map[string]any{"ID": "2", "ENTITY_ID": "DEAL_STAGE_1", "STATUS_ID": "C1:WON", "NAME": "Won", "NAME_INIT": "", "SORT": "20", "SYSTEM": "Y", "CATEGORY_ID": "1", "SEMANTICS": "S"},
	})
	st, err := p.Statuses(ctx, DealStages(1))
	if err != nil || len(st) != 2 || st[0].StatusID != "C1:NEW" || st[0].Final() || !st[1].Final() || st[1].Sort != 20 || st[0].CategoryID != 1 {
		t.Fatalf("statuses = %+v, %v", st, err)
	}
	if q := f.lastParams(t, "crm.status.list"); q.String("filter", "ENTITY_ID") != "DEAL_STAGE_1" || q.String("order", "SORT") != "ASC" {
		t.Fatalf("params = %v", q)
	}

	f.answer("crm.status.add", 773)
	id, err := p.AddStatus(ctx, NewStatus{EntityID: DirectorySource, StatusID: "WA_SALES", Name: "WhatsApp — Sales"})
	if err != nil || id != 773 {
		t.Fatalf("add = %d, %v", id, err)
	}
	if q := f.lastParams(t, "crm.status.add"); q.String("fields", "STATUS_ID") != "WA_SALES" || q.Get("fields", "SORT") != nil {
		t.Fatalf("add params = %v", q)
	}

	f.answer("crm.category.list", map[string]any{"categories": []any{
		map[string]any{"id": 1, "name": "Partners", "sort": 200, "entityTypeId": 2, "isDefault": "N", "originId": "", "originatorId": ""},
		map[string]any{"id": 0, "name": "General", "sort": 300, "entityTypeId": 2, "isDefault": "Y"},
	}})
	cats, err := p.Categories(ctx, EntityDeal)
	if err != nil || len(cats) != 2 || cats[1].ID != 0 || !bool(cats[1].IsDefault) || cats[0].Name != "Partners" {
		t.Fatalf("categories = %+v, %v", cats, err)
	}
	if f.lastParams(t, "crm.category.list").Int("entityTypeId") != 2 {
		t.Fatal("entityTypeId not sent")
	}

	f.answer("im.notify.personal.add", 12345)
	n, err := p.NotifyUser(ctx, Notification{UserID: 5, Message: "[url=https://app/d/1]Ivan[/url]", Tag: "client-1"})
	if err != nil || n != 12345 {
		t.Fatalf("notify = %d, %v", n, err)
	}
	if q := f.lastParams(t, "im.notify.personal.add"); q.Int("USER_ID") != 5 || q.String("TAG") != "client-1" || q.Get("SUB_TAG") != nil {
		t.Fatalf("notify params = %v", q)
	}
	f.answer("im.notify.personal.add", false)
	if _, err := p.NotifyUser(ctx, Notification{UserID: 5, Message: "x"}); !errors.Is(err, ErrNotNotified) {
		t.Fatalf("false: %v", err)
	}
}

func TestClosedLeadsAndDeals(t *testing.T) {
	for _, c := range []struct {
		lead Lead
		want bool
	}{{Lead{StatusSemanticID: "P"}, false}, {Lead{StatusSemanticID: "S"}, true}, {Lead{StatusSemanticID: "F"}, true}} {
		if c.lead.IsClosed() != c.want {
			t.Errorf("%+v closed = %v", c.lead, !c.want)
		}
	}
	if (Deal{StageSemanticID: "P"}).IsClosed() || !(Deal{Closed: true}).IsClosed() || !(Deal{StageSemanticID: "F"}).IsClosed() {
		t.Error("deal closed")
	}
}
