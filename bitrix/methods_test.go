package bitrix

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
)

// answer makes method return result (with extra envelope keys) on every call.
func (f *fakePortal) answer(method string, result any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.methods[method] = func(Values, int) (any, map[string]any, *fakeReply) { return result, nil, nil }
}

// fail makes method answer with an error.
func (f *fakePortal) fail(method string, status int, code, desc string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.methods[method] = func(Values, int) (any, map[string]any, *fakeReply) { return nil, nil, errReply(status, code, desc) }
}

// lastParams returns the params of method's last call.
func (f *fakePortal) lastParams(t *testing.T, method string) Values {
	t.Helper()
	calls := f.callsOf(method)
	if len(calls) == 0 {
		t.Fatalf("%s was not called", method)
	}
	return Values(calls[len(calls)-1].Params)
}

func portalFor(t *testing.T) (*fakePortal, *PortalClient) {
	f := newFakePortal(t)
	c, store := testClient(t, f)
	store.Set("m1", f.issue(false))
	return f, c.Portal("m1", f.srv.URL)
}

var ctx = context.Background()

func TestVerifyPlacementUserWithAuthID(t *testing.T) {
	f := newFakePortal(t)
	c, _ := testClient(t, f)
	userToken := f.issue(false).Access
	u, err := c.AsUser("m1", f.srv.URL, userToken).CurrentUser(ctx)
	if err != nil || u.ID != 1 || u.Name != "Anna" || !bool(u.Active) || len(u.Departments) != 1 {
		t.Fatalf("user = %+v, %v", u, err)
	}
	if f.lastParams(t, "user.current").String("auth") != userToken {
		t.Fatal("user token not sent")
	}
	if _, err := c.AsUser("m1", f.srv.URL, "forged").CurrentUser(ctx); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("forged token: %v", err)
	}
}

func TestUsersProfileAppInfo(t *testing.T) {
	f, p := portalFor(t)
	var users []any
	for i := range 60 {
		users = append(users, map[string]any{"ID": fmt.Sprint(i + 1), "NAME": "U", "ACTIVE": true, "PERSONAL_PHOTO": false})
	}
	f.methods["user.get"] = listOf(users)
	got, err := p.Users(ctx, map[string]any{"ACTIVE": true})
	if err != nil || len(got) != 60 || got[59].ID != 60 {
		t.Fatalf("users = %d, %v", len(got), err)
	}
	if f.lastParams(t, "user.get").String("FILTER", "ACTIVE") != "Y" {
		t.Fatalf("filter = %v", f.lastParams(t, "user.get"))
	}
	f.answer("profile", []any{}) // inactive user: PHP empty array
	if pr, err := p.Profile(ctx); err != nil || pr.ID != 0 {
		t.Fatalf("profile = %+v, %v", pr, err)
	}
	f.answer("app.info", map[string]any{"ID": 12, "CODE": "local.x", "VERSION": 1, "STATUS": "L", "INSTALLED": true, "PAYMENT_EXPIRED": "N", "DAYS": nil})
	if a, err := p.AppInfo(ctx); err != nil || !bool(a.Installed) || a.Version != "1" || a.ID != 12 || bool(a.PaymentExpired) {
		t.Fatalf("app = %+v, %v", a, err)
	}
}

func TestPlacementAndEventBindings(t *testing.T) {
	f, p := portalFor(t)
	f.fail("placement.bind", 400, "ERROR_CORE", "Unable to set placement handler: Handler already binded")
	if err := p.BindPlacement(ctx, PlacementBinding{Placement: "CRM_DEAL_DETAIL_TAB", Handler: "https://app/tab", Title: "WhatsApp",
		LangAll: map[string]PlacementLangTitle{"de": {Title: "WhatsApp"}}}); err != nil {
		t.Fatalf("rebinding: %v", err)
	}
	bp := f.lastParams(t, "placement.bind")
	if bp.String("PLACEMENT") != "CRM_DEAL_DETAIL_TAB" || bp.String("LANG_ALL", "de", "TITLE") != "WhatsApp" || bp.Get("OPTIONS") != nil {
		t.Fatalf("params = %v", bp)
	}
	f.fail("placement.bind", 403, "ACCESS_DENIED", "Access denied!")
	if err := p.BindPlacement(ctx, PlacementBinding{Placement: "X", Handler: "h"}); !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("err = %v", err)
	}
	f.answer("placement.unbind", map[string]any{"count": 2})
	if n, err := p.UnbindPlacement(ctx, "CRM_DEAL_DETAIL_TAB", ""); err != nil || n != 2 || f.lastParams(t, "placement.unbind").Get("HANDLER") != nil {
		t.Fatalf("unbind = %d, %v", n, err)
	}
	f.answer("placement.get", []any{map[string]any{"placement": "CRM_DEAL_DETAIL_TAB", "userId": 0, "handler": "https://app/tab",
		"options": []any{}, "title": "WhatsApp", "langAll": []any{}}})
	hs, err := p.PlacementHandlers(ctx)
	if err != nil || len(hs) != 1 || hs[0].Handler != "https://app/tab" || len(hs[0].Options) != 0 {
		t.Fatalf("handlers = %+v, %v", hs, err)
	}
	f.fail("event.bind", 400, "ERROR_HANDLER_ALREADY_EXIST", "Handler already exists!")
	if err := p.BindEvent(ctx, EventBinding{Event: "OnImConnectorMessageAdd", Handler: "https://app/hooks/bitrix"}); err != nil {
		t.Fatalf("rebinding event: %v", err)
	}
	if ep := f.lastParams(t, "event.bind"); ep.String("event") != "OnImConnectorMessageAdd" || ep.Get("auth_type") != nil {
		t.Fatalf("params = %v", ep)
	}
	f.answer("event.get", []any{map[string]any{"event": "ONCRMLEADADD", "handler": "https://app/h", "auth_type": "0", "offline": 0}})
	if es, err := p.EventHandlers(ctx); err != nil || len(es) != 1 || es[0].Event != "ONCRMLEADADD" {
		t.Fatalf("events = %+v, %v", es, err)
	}
	f.answer("event.unbind", map[string]any{"count": 1})
	if n, err := p.UnbindEvent(ctx, EventBinding{Event: "ONCRMLEADADD", Handler: "https://app/h"}); err != nil || n != 1 {
		t.Fatalf("unbind = %d, %v", n, err)
	}
}

func TestCRMContactsLeadsDeals(t *testing.T) {
	f, p := portalFor(t)
	f.answer("crm.contact.add", 46)
	id, err := p.AddContact(ctx, Fields{"NAME": "Ivan", "PHONE": []Multifield{{Value: "+79991234567", ValueType: "MOBILE"}}})
	if err != nil || id != 46 {
		t.Fatalf("add = %d, %v", id, err)
	}
	if ap := f.lastParams(t, "crm.contact.add"); ap.String("fields", "PHONE", "0", "VALUE") != "+79991234567" || ap.Get("fields", "PHONE", "0", "ID") != nil {
		t.Fatalf("params = %v", ap)
	}
	f.fail("crm.contact.get", 400, "", "Not found.")
	if _, err := p.Contact(ctx, 999); !IsNotFound(err) {
		t.Fatalf("err = %v", err)
	}
	f.answer("crm.contact.get", map[string]any{"ID": "46", "NAME": "Ivan", "HAS_PHONE": "Y", "ASSIGNED_BY_ID": "1",
		"PHONE": []any{map[string]any{"ID": "156", "VALUE_TYPE": "WORK", "VALUE": "+13333333555", "TYPE_ID": "PHONE"}}})
	c, err := p.Contact(ctx, 46)
	if err != nil || c.ID != 46 || !bool(c.HasPhone) || len(c.Phone) != 1 || c.Phone[0].ID != 156 || c.Email != nil {
		t.Fatalf("contact = %+v, %v", c, err)
	}
	f.answer("crm.contact.update", true)
	if err := p.UpdateContact(ctx, 46, Fields{"PHONE": []any{map[string]any{"ID": 156, "DELETE": "Y"}}}); err != nil {
		t.Fatal(err)
	}
	if up := f.lastParams(t, "crm.contact.update"); up.Int("id") != 46 || up.String("fields", "PHONE", "0", "DELETE") != "Y" {
		t.Fatalf("params = %v", up)
	}
	f.methods["crm.contact.list"] = listOf(contactRows(3))
	if cs, err := p.Contacts(ctx, ListQuery{Filter: map[string]any{"PHONE": "+1"}, Select: []string{"ID", "PHONE"}}); err != nil || len(cs) != 3 {
		t.Fatalf("contacts = %v, %v", cs, err)
	}

	f.answer("crm.lead.add", "77")
	if id, err := p.AddLead(ctx, Fields{"TITLE": "WhatsApp +7999"}); err != nil || id != 77 {
		t.Fatalf("lead = %d, %v", id, err)
	}
	f.answer("crm.lead.get", map[string]any{"ID": "77", "TITLE": "T", "STATUS_ID": "NEW", "CONTACT_ID": nil, "OPPORTUNITY": "0.00"})
	if l, err := p.Lead(ctx, 77); err != nil || l.StatusID != "NEW" || l.ContactID != 0 || l.Opportunity != "0.00" {
		t.Fatalf("lead = %+v, %v", l, err)
	}
	f.answer("crm.lead.update", true)
	if err := p.UpdateLead(ctx, 77, Fields{"STATUS_ID": "IN_PROCESS"}); err != nil {
		t.Fatal(err)
	}
	f.methods["crm.lead.list"] = listOf([]any{map[string]any{"ID": "77"}})
	if ls, err := p.Leads(ctx, ListQuery{}); err != nil || len(ls) != 1 {
		t.Fatalf("leads = %v, %v", ls, err)
	}

	f.answer("crm.deal.add", 5)
	if id, err := p.AddDeal(ctx, Fields{"TITLE": "D", "CONTACT_ID": 46}); err != nil || id != 5 {
		t.Fatalf("deal = %d, %v", id, err)
	}
	f.answer("crm.deal.get", map[string]any{"ID": "5", "CONTACT_ID": "46", "CATEGORY_ID": "0", "CLOSED": "N", "STAGE_ID": "NEW"})
	if d, err := p.Deal(ctx, 5); err != nil || d.ContactID != 46 || bool(d.Closed) {
		t.Fatalf("deal = %+v, %v", d, err)
	}
	f.methods["crm.deal.list"] = listOf([]any{map[string]any{"ID": "5"}, map[string]any{"ID": "6"}})
	if ds, err := p.Deals(ctx, ListQuery{Filter: map[string]any{"CONTACT_ID": 46}}); err != nil || len(ds) != 2 {
		t.Fatalf("deals = %v, %v", ds, err)
	}
	f.answer("crm.deal.contact.items.get", []any{map[string]any{"CONTACT_ID": 55, "SORT": 100, "ROLE_ID": 0, "IS_PRIMARY": "Y"}})
	if dc, err := p.DealContacts(ctx, 5); err != nil || len(dc) != 1 || dc[0].ContactID != 55 || !bool(dc[0].IsPrimary) {
		t.Fatalf("deal contacts = %+v, %v", dc, err)
	}
}

func TestFindByComm(t *testing.T) {
	f, p := portalFor(t)
	f.answer("crm.duplicate.findbycomm", []any{})
	d, err := p.FindByComm(ctx, CommPhone, []string{"+7 999 123-45-67"}, "")
	if err != nil || !d.Empty() {
		t.Fatalf("no match = %+v, %v", d, err)
	}
	fp := f.lastParams(t, "crm.duplicate.findbycomm")
	if fp.String("type") != "PHONE" || fp.String("values", "0") != "+7 999 123-45-67" || fp.Get("entity_type") != nil {
		t.Fatalf("params = %v", fp)
	}
	f.answer("crm.duplicate.findbycomm", map[string]any{"CONTACT": []any{275, "2297"}, "LEAD": []any{9}})
	d, err = p.FindByComm(ctx, CommPhone, []string{"+1"}, "CONTACT")
	if err != nil || fmt.Sprint(d.Contacts) != "[275 2297]" || fmt.Sprint(d.Leads) != "[9]" || d.Companies != nil {
		t.Fatalf("match = %+v, %v", d, err)
	}
	f.fail("crm.duplicate.findbycomm", 400, "", "Communication type is not defined.")
	if _, err := p.FindByComm(ctx, "", nil, ""); err == nil || IsNotFound(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestTimelineComments(t *testing.T) {
	f, p := portalFor(t)
	deal := Owner{TypeID: EntityDeal, ID: 10}
	f.answer("crm.timeline.comment.add", 999)
	id, err := p.AddTimelineComment(ctx, NewTimelineComment{Owner: deal, Comment: "Hello & [b]bye[/b]", AuthorID: 5,
		Files: []File{{Name: "1.gif", Content: []byte("GIF89a")}}})
	if err != nil || id != 999 {
		t.Fatalf("add = %d, %v", id, err)
	}
	ap := f.lastParams(t, "crm.timeline.comment.add")
	if ap.Int("fields", "ENTITY_ID") != 10 || ap.String("fields", "ENTITY_TYPE") != "deal" || ap.Int("fields", "AUTHOR_ID") != 5 ||
		ap.String("fields", "FILES", "0", "0") != "1.gif" || ap.String("fields", "FILES", "0", "1") != base64.StdEncoding.EncodeToString([]byte("GIF89a")) {
		t.Fatalf("params = %v", ap)
	}
	if ap.Get("FIELDS") != nil {
		t.Fatal("upper-case FIELDS sent")
	}
	f.answer("crm.timeline.comment.update", 1001) // multi-bound: a new id
	if nid, err := p.UpdateTimelineComment(ctx, 999, deal, "edited", nil); err != nil || nid != 1001 {
		t.Fatalf("update = %d, %v", nid, err)
	}
	if up := f.lastParams(t, "crm.timeline.comment.update"); up.Int("ownerTypeId") != 2 || up.Int("ownerId") != 10 || up.Get("fields", "FILES") != nil {
		t.Fatalf("params = %v", up)
	}
	f.answer("crm.timeline.comment.delete", nil)
	if err := p.DeleteTimelineComment(ctx, 1001, Owner{}); err != nil {
		t.Fatal(err)
	}
	if dp := f.lastParams(t, "crm.timeline.comment.delete"); dp.Get("ownerId") != nil {
		t.Fatalf("params = %v", dp)
	}
	f.methods["crm.timeline.comment.list"] = listOf([]any{
		map[string]any{"ID": "1", "ENTITY_ID": 10, "ENTITY_TYPE": "deal", "COMMENT": "a", "FILES": []any{}},
		map[string]any{"ID": "2", "ENTITY_ID": 10, "ENTITY_TYPE": "deal", "COMMENT": "b", "FILES": map[string]any{
			"7": map[string]any{"id": 7, "name": "1.gif", "type": "image", "size": 43, "urlDownload": "https://p/d"}}},
	})
	cs, err := p.TimelineComments(ctx, deal)
	if err != nil || len(cs) != 2 || len(cs[0].Files) != 0 || cs[1].Files["7"].URLDownload != "https://p/d" {
		t.Fatalf("comments = %+v, %v", cs, err)
	}
	if lp := f.lastParams(t, "crm.timeline.comment.list"); lp.String("filter", "ENTITY_TYPE") != "deal" {
		t.Fatalf("params = %v", lp)
	}
	f.answer("crm.timeline.comment.get", map[string]any{"ID": "1001", "ENTITY_ID": "10", "ENTITY_TYPE": "deal", "COMMENT": "edited", "AUTHOR_ID": "5", "FILES": []any{}})
	if tc, err := p.TimelineComment(ctx, 1001); err != nil || tc.ID != 1001 || tc.AuthorID != 5 {
		t.Fatalf("comment = %+v, %v", tc, err)
	}
	f.answer("crm.timeline.item.pin", nil)
	if err := p.PinTimelineItem(ctx, 999, deal); err != nil {
		t.Fatal(err)
	}
	if pp := f.lastParams(t, "crm.timeline.item.pin"); pp.Int("id") != 999 || pp.Int("ownerTypeId") != 2 || pp.Int("ownerId") != 10 {
		t.Fatalf("params = %v", pp)
	}
	f.methods["crm.timeline.item.pin"] = func(Values, int) (any, map[string]any, *fakeReply) {
		return nil, nil, &fakeReply{Status: 400, Body: `{"error":0,"error_description":"Only three events can be added to favorites"}`}
	}
	if err := p.PinTimelineItem(ctx, 1000, deal); !errors.Is(err, ErrPinLimit) {
		t.Fatalf("err = %v", err)
	}
	f.answer("crm.timeline.item.unpin", nil)
	if err := p.UnpinTimelineItem(ctx, 999, deal); err != nil {
		t.Fatal(err)
	}
}

func TestMessengerAndBots(t *testing.T) {
	f, p := portalFor(t)
	f.answer("im.chat.add", 1417)
	if id, err := p.AddChat(ctx, NewChat{Title: "Clients", Users: []int64{3, 5}}); err != nil || id != 1417 {
		t.Fatalf("chat = %d, %v", id, err)
	}
	f.answer("im.chat.user.add", true)
	if err := p.AddChatUsers(ctx, 1417, []int64{7}, false); err != nil {
		t.Fatal(err)
	}
	if cp := f.lastParams(t, "im.chat.user.add"); cp.String("HIDE_HISTORY") != "N" || cp.Int("USERS", "0") != 7 {
		t.Fatalf("params = %v", cp)
	}
	f.answer("im.chat.user.list", []any{99, "1269", 1271})
	if ids, err := p.ChatUsers(ctx, 1417); err != nil || fmt.Sprint(ids) != "[99 1269 1271]" {
		t.Fatalf("users = %v, %v", ids, err)
	}
	f.answer("im.message.add", 34239)
	no := false
	if id, err := p.AddMessage(ctx, Message{BotID: 9, DialogID: "chat1417", Text: "3 unread", URLPreview: &no,
		Keyboard: &Keyboard{BotID: 39, Buttons: []Button{{Text: "No reply needed", Command: "noreply", CommandParams: "client:1", Block: "Y"}, NewLine}}}); err != nil || id != 34239 {
		t.Fatalf("message = %d, %v", id, err)
	}
	mp := f.lastParams(t, "im.message.add")
	if mp.Get("BOT_ID") != nil || mp.String("URL_PREVIEW") != "N" || mp.Get("SYSTEM") != nil ||
		mp.String("KEYBOARD", "BUTTONS", "0", "COMMAND") != "noreply" || mp.String("KEYBOARD", "BUTTONS", "1", "TYPE") != "NEWLINE" {
		t.Fatalf("params = %v", mp)
	}
	f.answer("im.message.update", true)
	if err := p.UpdateMessage(ctx, MessageUpdate{MessageID: 34239, Text: "4 unread", Keyboard: &Keyboard{}, NotEdited: true}); err != nil {
		t.Fatal(err)
	}
	if up := f.lastParams(t, "im.message.update"); up.String("KEYBOARD") != "N" || up.String("IS_EDITED") != "N" || up.String("MESSAGE") != "4 unread" {
		t.Fatalf("params = %v", up)
	}
	f.fail("im.message.delete", 400, "CANT_EDIT_MESSAGE", "Time has expired for modification or you don't have access")
	if err := p.DeleteMessage(ctx, 34239); !errors.Is(err, ErrCantEditMessage) {
		t.Fatalf("err = %v", err)
	}

	f.answer("imbot.register", 39)
	if id, err := p.RegisterBot(ctx, Bot{Code: "switchboard", EventHandler: "https://app/hooks/bot", Properties: BotProperties{Name: "Switchboard"}}); err != nil || id != 39 {
		t.Fatalf("bot = %d, %v", id, err)
	}
	if bp := f.lastParams(t, "imbot.register"); bp.String("PROPERTIES", "NAME") != "Switchboard" || bp.Get("TYPE") != nil {
		t.Fatalf("params = %v", bp)
	}
	f.answer("imbot.command.register", 99)
	if id, err := p.RegisterBotCommand(ctx, BotCommand{BotID: 39, Command: "noreply", EventCommandAdd: "https://app/hooks/cmd", Hidden: true,
		Lang: []BotCommandLang{{LanguageID: "en", Title: "No reply needed"}}}); err != nil || id != 99 {
		t.Fatalf("command = %d, %v", id, err)
	}
	if cp := f.lastParams(t, "imbot.command.register"); cp.String("HIDDEN") != "Y" || cp.String("COMMON") != "N" || cp.String("LANG", "0", "TITLE") != "No reply needed" {
		t.Fatalf("params = %v", cp)
	}
	f.answer("imbot.message.add", 555)
	if id, err := p.AddBotMessage(ctx, Message{BotID: 39, DialogID: "chat1417", Text: "hi", System: true}); err != nil || id != 555 {
		t.Fatalf("bot message = %d, %v", id, err)
	}
	if bp := f.lastParams(t, "imbot.message.add"); bp.Int("BOT_ID") != 39 || bp.String("SYSTEM") != "Y" {
		t.Fatalf("params = %v", bp)
	}
	f.answer("imbot.command.answer", 556)
	if id, err := p.AnswerBotCommand(ctx, BotCommandAnswer{CommandID: 99, MessageID: 555, Text: "Done"}); err != nil || id != 556 {
		t.Fatalf("answer = %d, %v", id, err)
	}
	f.answer("imbot.message.update", true)
	if err := p.UpdateBotMessage(ctx, MessageUpdate{BotID: 39, MessageID: 555, Text: "hi again"}); err != nil {
		t.Fatal(err)
	}
	if up := f.lastParams(t, "imbot.message.update"); up.Int("BOT_ID") != 39 || up.Get("KEYBOARD") != nil || up.Get("IS_EDITED") != nil {
		t.Fatalf("params = %v", up)
	}
	f.answer("imbot.message.delete", true)
	if err := p.DeleteBotMessage(ctx, 39, 555, true); err != nil {
		t.Fatal(err)
	}
	if dp := f.lastParams(t, "imbot.message.delete"); dp.String("COMPLETE") != "Y" {
		t.Fatalf("params = %v", dp)
	}
}

func TestOpenLinesConnector(t *testing.T) {
	f, p := portalFor(t)
	conn := Connector{ID: "switchboard_wa", Name: "WhatsApp", Icon: ConnectorIcon{DataImage: "data:image/svg+xml,<svg/>"}, PlacementHandler: "https://app/connector"}
	for _, ok := range []any{true, map[string]any{"result": true}} {
		f.answer("imconnector.register", ok)
		if err := p.RegisterConnector(ctx, conn); err != nil {
			t.Fatalf("register (%v): %v", ok, err)
		}
	}
	f.answer("imconnector.register", map[string]any{"result": false, "error": "NO_PLACEMENT_HANDLER", "error_description": "No handler"})
	var e *Error
	if err := p.RegisterConnector(ctx, conn); !errors.As(err, &e) || e.Code != "NO_PLACEMENT_HANDLER" {
		t.Fatalf("err = %v", err)
	}
	f.answer("imconnector.activate", true)
	if err := p.ActivateConnector(ctx, "switchboard_wa", 3, true); err != nil {
		t.Fatal(err)
	}
	if ap := f.lastParams(t, "imconnector.activate"); ap.Int("ACTIVE") != 1 || ap.Int("LINE") != 3 {
		t.Fatalf("params = %v", ap)
	}
	f.answer("imconnector.connector.data.set", true)
	if err := p.SetConnectorData(ctx, "switchboard_wa", 3, ConnectorData{ID: "wa1", Name: "+49 30 123"}); err != nil {
		t.Fatal(err)
	}
	f.answer("imconnector.status", map[string]any{"LINE": 3, "CONNECTOR": "switchboard_wa", "ERROR": false, "CONFIGURED": true, "STATUS": true})
	if s, err := p.ConnectorStatus(ctx, "switchboard_wa", 3); err != nil || !bool(s.Status) || !bool(s.Configured) || bool(s.Error) {
		t.Fatalf("status = %+v, %v", s, err)
	}
	f.answer("imconnector.send.messages", map[string]any{"SUCCESS": true, "DATA": map[string]any{"RESULT": []any{map[string]any{
		"user": "585", "message": map[string]any{"id": "ext-msg-1001", "date": map[string]any{}, "text": "Hello", "files": []any{}},
		"chat": map[string]any{"id": "channel-123"}, "SUCCESS": true, "session": map[string]any{"ID": "323", "CHAT_ID": "1767"}}}}})
	res, err := p.SendConnectorMessages(ctx, "switchboard_wa", 3, []ConnectorMessage{{
		User:    &ConnectorUser{ID: "wa-79991234567", Name: "Ivan", Phone: "+79991234567"},
		Message: ConnectorMessageBody{ID: "ext-msg-1001", Date: 1773265993, Text: "Hello", DisableCRM: "Y"},
		Chat:    ConnectorChat{ID: "channel-123"},
	}})
	if err != nil || len(res) != 1 || !bool(res[0].Success) || res[0].Session.ChatID != 1767 || res[0].Message.ID != "ext-msg-1001" {
		t.Fatalf("send = %+v, %v", res, err)
	}
	sp := f.lastParams(t, "imconnector.send.messages")
	if sp.String("MESSAGES", "0", "user", "id") != "wa-79991234567" || sp.String("MESSAGES", "0", "message", "disable_crm") != "Y" {
		t.Fatalf("params = %v", sp)
	}
	f.answer("imconnector.send.status.delivery", map[string]any{"SUCCESS": true, "DATA": []any{}})
	if err := p.SendDeliveryStatus(ctx, "switchboard_wa", 3, []DeliveryStatus{{ChatID: 1807, MessageID: 86497, ExternalIDs: []string{"ext-out-555"}, ExternalChatID: "channel-123"}}); err != nil {
		t.Fatal(err)
	}
	dp := f.lastParams(t, "imconnector.send.status.delivery")
	if dp.Int("MESSAGES", "0", "im", "message_id") != 86497 || dp.String("MESSAGES", "0", "message", "id", "0") != "ext-out-555" || dp.String("MESSAGES", "0", "chat", "id") != "channel-123" {
		t.Fatalf("params = %v", dp)
	}
	for _, m := range []string{"imconnector.update.messages", "imconnector.delete.messages"} {
		f.answer(m, map[string]any{"SUCCESS": true, "DATA": map[string]any{"RESULT": []any{map[string]any{"SUCCESS": true}}}})
	}
	if _, err := p.UpdateConnectorMessages(ctx, "switchboard_wa", 3, []ConnectorMessage{{Message: ConnectorMessageBody{ID: "x", Text: "y"}, Chat: ConnectorChat{ID: "c"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DeleteConnectorMessages(ctx, "switchboard_wa", 3, []ConnectorMessage{{User: &ConnectorUser{ID: "u"}, Message: ConnectorMessageBody{ID: "x"}, Chat: ConnectorChat{ID: "c"}}}); err != nil {
		t.Fatal(err)
	}
	f.fail("imconnector.send.messages", 400, "NOT_ACTIVE_LINE", "Line is not active")
	if _, err := p.SendConnectorMessages(ctx, "switchboard_wa", 3, nil); !errors.As(err, &e) || e.Code != "NOT_ACTIVE_LINE" {
		t.Fatalf("err = %v", err)
	}
	f.answer("imopenlines.config.list.get", []any{map[string]any{"ID": "15", "LINE_NAME": "Support", "ACTIVE": "Y", "QUEUE": []any{101, "205"}}})
	lines, err := p.OpenLines(ctx)
	if err != nil || len(lines) != 1 || lines[0].ID != 15 || !bool(lines[0].Active) || fmt.Sprint(lines[0].Queue) != "[101 205]" {
		t.Fatalf("lines = %+v, %v", lines, err)
	}
	if op := f.lastParams(t, "imopenlines.config.list.get"); op.String("OPTIONS", "QUEUE") != "Y" {
		t.Fatalf("params = %v", op)
	}
}
