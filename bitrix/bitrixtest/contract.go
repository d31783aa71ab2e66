package bitrixtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/bitrix"
)

// ContractPortal is a live portal for Contract: an emulator or a throwaway test portal.
type ContractPortal struct {
	Client *bitrix.PortalClient // app tokens of an installed app, admin user
	// HandlerURL is a public URL prefix for bindings the suite makes (it never receives calls).
	HandlerURL string
}

// Contract checks the typed helpers against a live portal, end to end over HTTP: the wire
// shapes the client sends and the answers it decodes. It creates CRM items, comments,
// chats, bindings, a bot and a connector: run it only against a throwaway portal.
func Contract(t *testing.T, cp ContractPortal) {
	p := cp.Client
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tag := fmt.Sprintf("%d", time.Now().UnixNano()%1e9)
	must := func(t *testing.T, what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	t.Run("users", func(t *testing.T) {
		me, err := p.CurrentUser(ctx)
		must(t, "user.current", err)
		if me.ID == 0 {
			t.Fatalf("user.current = %+v", me)
		}
		prof, err := p.Profile(ctx)
		must(t, "profile", err)
		if prof.ID != me.ID {
			t.Fatalf("profile %d ≠ user.current %d", prof.ID, me.ID)
		}
		_, err = p.AppInfo(ctx)
		must(t, "app.info", err)
		users, err := p.Users(ctx, nil)
		must(t, "user.get", err)
		if len(users) == 0 {
			t.Fatal("user.get listed nobody")
		}
	})

	var contactID int64
	phone := "+4930" + tag
	t.Run("contacts and duplicates", func(t *testing.T) {
		var err error
		contactID, err = p.AddContact(ctx, bitrix.Fields{"NAME": "Tom & Jerry " + tag,
			"PHONE": []bitrix.Multifield{{Value: phone, ValueType: "MOBILE"}}})
		must(t, "crm.contact.add", err)
		c, err := p.Contact(ctx, contactID)
		must(t, "crm.contact.get", err)
		if c.Name != "Tom & Jerry "+tag || len(c.Phone) != 1 || c.Phone[0].ID == 0 {
			t.Fatalf("contact = %+v", c)
		}
		must(t, "crm.contact.update", p.UpdateContact(ctx, contactID, bitrix.Fields{"LAST_NAME": "100% #1"}))
		if c, _ := p.Contact(ctx, contactID); c == nil || c.LastName != "100% #1" {
			t.Fatalf("updated contact = %+v", c)
		}
		if _, err := p.Contact(ctx, 1<<30); !bitrix.IsNotFound(err) {
			t.Fatalf("missing contact: err = %v, want not found", err)
		}
		list, err := p.Contacts(ctx, bitrix.ListQuery{Filter: map[string]any{"ID": contactID}, Select: []string{"ID", "NAME", "PHONE"}})
		must(t, "crm.contact.list", err)
		if len(list) != 1 || len(list[0].Phone) != 1 {
			t.Fatalf("list = %+v", list)
		}
		d, err := p.FindByComm(ctx, bitrix.CommPhone, []string{phone}, "CONTACT")
		must(t, "crm.duplicate.findbycomm", err)
		if !containsID(d.Contacts, contactID) {
			t.Fatalf("findbycomm = %+v, want contact %d", d, contactID)
		}
		d, err = p.FindByComm(ctx, bitrix.CommPhone, []string{"+1999" + tag}, "")
		must(t, "crm.duplicate.findbycomm (no match)", err)
		if !d.Empty() {
			t.Fatalf("findbycomm without a match = %+v", d)
		}
	})

	t.Run("leads and deals", func(t *testing.T) {
		leadID, err := p.AddLead(ctx, bitrix.Fields{"TITLE": "WhatsApp " + tag})
		must(t, "crm.lead.add", err)
		must(t, "crm.lead.update", p.UpdateLead(ctx, leadID, bitrix.Fields{"TITLE": "WhatsApp " + tag + " ✓"}))
		l, err := p.Lead(ctx, leadID)
		must(t, "crm.lead.get", err)
		if l.Title != "WhatsApp "+tag+" ✓" {
			t.Fatalf("lead = %+v", l)
		}
		_, err = p.Leads(ctx, bitrix.ListQuery{Filter: map[string]any{"ID": leadID}})
		must(t, "crm.lead.list", err)
		if contactID == 0 {
			t.Skip("no contact")
		}
		dealID, err := p.AddDeal(ctx, bitrix.Fields{"TITLE": "Deal " + tag, "CONTACT_ID": contactID})
		must(t, "crm.deal.add", err)
		d, err := p.Deal(ctx, dealID)
		must(t, "crm.deal.get", err)
		if int64(d.ContactID) != contactID {
			t.Fatalf("deal = %+v", d)
		}
		dcs, err := p.DealContacts(ctx, dealID)
		must(t, "crm.deal.contact.items.get", err)
		if len(dcs) != 1 || int64(dcs[0].ContactID) != contactID {
			t.Fatalf("deal contacts = %+v", dcs)
		}
		_, err = p.Deals(ctx, bitrix.ListQuery{Filter: map[string]any{"CONTACT_ID": contactID}})
		must(t, "crm.deal.list", err)
	})

	t.Run("timeline", func(t *testing.T) {
		if contactID == 0 {
			t.Skip("no contact")
		}
		owner := bitrix.Owner{TypeID: bitrix.EntityContact, ID: contactID}
		id, err := p.AddTimelineComment(ctx, bitrix.NewTimelineComment{Owner: owner, Comment: "[b]Hi[/b] & bye",
			Files: []bitrix.File{{Name: "note.txt", Content: []byte("hello")}}})
		must(t, "crm.timeline.comment.add", err)
		id, err = p.UpdateTimelineComment(ctx, id, owner, "edited & saved", nil)
		must(t, "crm.timeline.comment.update", err)
		c, err := p.TimelineComment(ctx, id)
		must(t, "crm.timeline.comment.get", err)
		if c.Comment != "edited & saved" {
			t.Fatalf("comment = %+v", c)
		}
		list, err := p.TimelineComments(ctx, owner)
		must(t, "crm.timeline.comment.list", err)
		if len(list) == 0 {
			t.Fatal("crm.timeline.comment.list is empty")
		}
		must(t, "crm.timeline.item.pin", p.PinTimelineItem(ctx, id, owner))
		must(t, "crm.timeline.item.unpin", p.UnpinTimelineItem(ctx, id, owner))
		must(t, "crm.timeline.comment.delete", p.DeleteTimelineComment(ctx, id, owner))
		if _, err := p.TimelineComment(ctx, id); !bitrix.IsNotFound(err) {
			t.Fatalf("deleted comment: err = %v, want not found", err)
		}
	})

	t.Run("directories and pipelines", func(t *testing.T) {
		sources, err := p.Statuses(ctx, bitrix.DirectorySource)
		must(t, "crm.status.list", err)
		if len(sources) == 0 || sources[0].EntityID != bitrix.DirectorySource {
			t.Fatalf("sources = %+v", sources)
		}
		code := "SB_" + tag
		id, err := p.AddStatus(ctx, bitrix.NewStatus{EntityID: bitrix.DirectorySource, StatusID: code, Name: "WhatsApp — Sales " + tag})
		must(t, "crm.status.add", err)
		if _, err := p.AddStatus(ctx, bitrix.NewStatus{EntityID: bitrix.DirectorySource, StatusID: code, Name: "again"}); err == nil {
			t.Fatal("a duplicate STATUS_ID was accepted")
		}
		sources, err = p.Statuses(ctx, bitrix.DirectorySource)
		must(t, "crm.status.list", err)
		found := false
		for _, s := range sources {
			found = found || (int64(s.ID) == id && s.StatusID == code)
		}
		if !found {
			t.Fatalf("added source %d missing from %+v", id, sources)
		}
		cats, err := p.Categories(ctx, bitrix.EntityDeal)
		must(t, "crm.category.list", err)
		var def *bitrix.Category
		for i := range cats {
			if bool(cats[i].IsDefault) {
				def = &cats[i]
			}
		}
		if def == nil || def.ID != 0 {
			t.Fatalf("categories = %+v, want the default pipeline 0", cats)
		}
		cat := int(cats[len(cats)-1].ID)
		stages, err := p.Statuses(ctx, bitrix.DealStages(cat))
		must(t, "crm.status.list (stages)", err)
		if len(stages) == 0 {
			t.Fatalf("pipeline %d has no stages", cat)
		}
		dealID, err := p.AddDeal(ctx, bitrix.Fields{"TITLE": "Pipeline " + tag, "CATEGORY_ID": cat, "SOURCE_ID": code,
			"SOURCE_DESCRIPTION": "WhatsApp — Sales", "ORIGINATOR_ID": "switchboard", "ORIGIN_ID": "client:" + tag})
		must(t, "crm.deal.add", err)
		d, err := p.Deal(ctx, dealID)
		must(t, "crm.deal.get", err)
		if int(d.CategoryID) != cat || string(d.StageID) != stages[0].StatusID || d.IsClosed() || string(d.SourceID) != code || string(d.OriginID) != "client:"+tag {
			t.Fatalf("deal = %+v, want pipeline %d at %s", d, cat, stages[0].StatusID)
		}
		var final string
		for _, s := range stages {
			if s.Semantics == "S" {
				final = s.StatusID
			}
		}
		must(t, "crm.deal.update", p.UpdateDeal(ctx, dealID, bitrix.Fields{"STAGE_ID": final}))
		if d, _ := p.Deal(ctx, dealID); d == nil || !d.IsClosed() || string(d.StageSemanticID) != "S" {
			t.Fatalf("won deal = %+v", d)
		}
		mine, err := p.Deals(ctx, bitrix.ListQuery{Filter: map[string]any{"ORIGINATOR_ID": "switchboard", "ORIGIN_ID": "client:" + tag}})
		must(t, "crm.deal.list by origin", err)
		if len(mine) != 1 || int64(mine[0].ID) != dealID {
			t.Fatalf("by origin = %+v", mine)
		}
		since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		recent, err := p.Deals(ctx, bitrix.ListQuery{Filter: map[string]any{">DATE_MODIFY": since, "@ID": []int64{dealID, 1 << 30}}, Select: []string{"ID", "DATE_MODIFY"}})
		must(t, "crm.deal.list by date and ids", err)
		if len(recent) != 1 || int64(recent[0].ID) != dealID || recent[0].DateModify == "" {
			t.Fatalf("recent = %+v", recent)
		}
		leadID, err := p.AddLead(ctx, bitrix.Fields{"TITLE": "Junk " + tag, "STATUS_ID": "JUNK"})
		must(t, "crm.lead.add", err)
		if l, _ := p.Lead(ctx, leadID); l == nil || !l.IsClosed() {
			t.Fatalf("junk lead = %+v", l)
		}
	})

	t.Run("directories in one batch, departments", func(t *testing.T) {
		d, err := p.ReadDirectories(ctx)
		must(t, "batch of directories", err)
		cats, err := p.Categories(ctx, bitrix.EntityDeal)
		must(t, "crm.category.list", err)
		sources, err := p.Statuses(ctx, bitrix.DirectorySource)
		must(t, "crm.status.list", err)
		users, err := p.Users(ctx, map[string]any{"ACTIVE": true, "USER_TYPE": "employee"})
		must(t, "user.get", err)
		if len(d.Pipelines) != len(cats) || len(d.Sources) != len(sources) || len(d.Users) != len(users) {
			t.Fatalf("batched %d pipelines, %d sources, %d users; one by one %d, %d, %d",
				len(d.Pipelines), len(d.Sources), len(d.Users), len(cats), len(sources), len(users))
		}
		for _, c := range cats {
			stages, err := p.Statuses(ctx, bitrix.DealStages(int(c.ID)))
			must(t, "crm.status.list (stages)", err)
			if got := d.Stages[int64(c.ID)]; len(got) != len(stages) || len(got) == 0 || got[0].StatusID != stages[0].StatusID {
				t.Fatalf("pipeline %d: batched stages %+v, one by one %+v", c.ID, got, stages)
			}
		}
		all, err := p.Departments(ctx, nil)
		must(t, "department.get", err)
		if len(all) == 0 || all[0].ID == 0 || all[0].Name == "" {
			t.Fatalf("departments = %+v", all)
		}
		for _, dep := range all {
			if dep.Head == 0 {
				continue
			}
			headed, err := p.Departments(ctx, bitrix.Params{"UF_HEAD": int64(dep.Head)})
			must(t, "department.get by UF_HEAD", err)
			if len(headed) == 0 || !slices.ContainsFunc(headed, func(h bitrix.Department) bool { return h.ID == dep.ID }) {
				t.Fatalf("departments headed by %d = %+v, want %d among them", dep.Head, headed, dep.ID)
			}
			for _, h := range headed {
				if h.Head != dep.Head {
					t.Fatalf("filter UF_HEAD=%d gave %+v", dep.Head, h)
				}
			}
		}
		inFirst, err := p.Users(ctx, map[string]any{"UF_DEPARTMENT": []int64{int64(all[0].ID)}})
		must(t, "user.get by UF_DEPARTMENT", err)
		for _, u := range inFirst {
			if !slices.Contains(u.Departments, all[0].ID) {
				t.Fatalf("user %d of departments %v listed for department %d", u.ID, u.Departments, all[0].ID)
			}
		}
	})

	t.Run("notifications", func(t *testing.T) {
		me, err := p.CurrentUser(ctx)
		must(t, "user.current", err)
		id, err := p.NotifyUser(ctx, bitrix.Notification{UserID: int64(me.ID), Message: "New client: [url=" + cp.HandlerURL + "/d/1]Ivan[/url]",
			Tag: "contract-" + tag, SubTag: "contract|" + tag})
		must(t, "im.notify.personal.add", err)
		if id <= 0 {
			t.Fatalf("notification id = %d", id)
		}
	})

	t.Run("timeline batch of 50", func(t *testing.T) {
		if contactID == 0 {
			t.Skip("no contact")
		}
		owner := bitrix.Owner{TypeID: bitrix.EntityContact, ID: contactID}
		cmds := make([]bitrix.BatchCommand, bitrix.MaxBatch)
		for i := range cmds {
			c := bitrix.NewTimelineComment{Owner: owner, Comment: fmt.Sprintf("message %02d & more", i)}
			if i == 7 {
				c.Owner.ID = 0 // fails alone
			}
			if i == 8 {
				c.Files = []bitrix.File{{Name: "a b.txt", Content: []byte("file 8")}}
			}
			cmds[i] = bitrix.TimelineCommentCommand(fmt.Sprintf("m%d", i), c)
		}
		rs, err := p.Batch(ctx, false, cmds...)
		must(t, "batch", err)
		ids := map[int64]int{}
		for i, r := range rs {
			var id bitrix.FlexInt
			err := r.Decode(&id)
			if i == 7 {
				if err == nil {
					t.Fatal("a comment without an owner was added")
				}
				continue
			}
			must(t, r.Key, err)
			ids[int64(id)] = i
		}
		if len(ids) != bitrix.MaxBatch-1 {
			t.Fatalf("%d distinct ids", len(ids))
		}
		for i := range 2 { // past one page
			_, err := p.AddTimelineComment(ctx, bitrix.NewTimelineComment{Owner: owner, Comment: fmt.Sprintf("extra %d", i)})
			must(t, "crm.timeline.comment.add", err)
		}
		list, err := p.TimelineComments(ctx, owner)
		must(t, "crm.timeline.comment.list", err)
		seen := 0
		for _, c := range list {
			i, ok := ids[int64(c.ID)]
			if !ok {
				continue
			}
			seen++
			if c.Comment != fmt.Sprintf("message %02d & more", i) || c.AuthorID == 0 || c.Created == "" {
				t.Fatalf("comment %d = %+v", i, c)
			}
			if i == 8 {
				var f bitrix.TimelineFile
				for _, v := range c.Files {
					f = v
				}
				if len(c.Files) != 1 || f.Name != "a b.txt" || f.URLDownload == "" || f.AuthorID == 0 {
					t.Fatalf("files of comment 8 = %+v", c.Files)
				}
			}
		}
		if seen != bitrix.MaxBatch-1 || len(list) <= bitrix.PageSize {
			t.Fatalf("listed %d of our %d comments in %d (paging past %d)", seen, bitrix.MaxBatch-1, len(list), bitrix.PageSize)
		}
	})

	t.Run("batch", func(t *testing.T) {
		tricky := "a&b=c+d #e %41 ünï 😀 " + tag
		rs, err := p.Batch(ctx, false,
			bitrix.BatchCommand{Key: "add", Method: "crm.contact.add", Params: bitrix.Params{"fields": bitrix.Params{"NAME": tricky}}},
			bitrix.BatchCommand{Key: "get", Method: "crm.contact.get", Params: bitrix.Params{"id": "$result[add]"}},
			bitrix.BatchCommand{Key: "missing", Method: "crm.contact.get", Params: bitrix.Params{"id": 1 << 30}},
		)
		must(t, "batch", err)
		var c bitrix.Contact
		if err := rs[1].Decode(&c); err != nil || c.Name != tricky {
			t.Fatalf("round trip through batch: %q, %v", c.Name, err)
		}
		if !bitrix.IsNotFound(rs[2].Err) {
			t.Fatalf("missing: %v", rs[2].Err)
		}
	})

	t.Run("messenger and bot", func(t *testing.T) {
		me, err := p.CurrentUser(ctx)
		must(t, "user.current", err)
		bot, err := p.RegisterBot(ctx, bitrix.Bot{Code: "contract_" + tag, EventHandler: cp.HandlerURL + "/bot",
			Properties: bitrix.BotProperties{Name: "Contract " + tag}})
		must(t, "imbot.register", err)
		_, err = p.RegisterBotCommand(ctx, bitrix.BotCommand{BotID: bot, Command: "noreply", EventCommandAdd: cp.HandlerURL + "/command",
			Hidden: true, Lang: []bitrix.BotCommandLang{{LanguageID: "en", Title: "No reply needed"}}})
		must(t, "imbot.command.register", err)
		chat, err := p.AddChat(ctx, bitrix.NewChat{Title: "Contract " + tag, Users: []int64{int64(me.ID), bot}})
		must(t, "im.chat.add", err)
		members, err := p.ChatUsers(ctx, chat)
		must(t, "im.chat.user.list", err)
		if !containsID(members, bot) {
			t.Fatalf("chat members = %v, want bot %d", members, bot)
		}
		must(t, "im.chat.user.delete", p.DeleteChatUser(ctx, chat, bot))
		if members, err := p.ChatUsers(ctx, chat); err != nil || containsID(members, bot) {
			t.Fatalf("chat members after im.chat.user.delete = %v (%v), want no bot %d", members, err, bot)
		}
		must(t, "im.chat.user.add", p.AddChatUsers(ctx, chat, []int64{bot}, true))
		dialog := fmt.Sprintf("chat%d", chat)
		msg, err := p.AddMessage(ctx, bitrix.Message{DialogID: dialog, Text: "hello"})
		must(t, "im.message.add", err)
		must(t, "im.message.update", p.UpdateMessage(ctx, bitrix.MessageUpdate{MessageID: msg, Text: "hello again"}))
		must(t, "im.message.delete", p.DeleteMessage(ctx, msg))
		line, err := p.AddBotMessage(ctx, bitrix.Message{BotID: bot, DialogID: dialog, Text: "3 unread",
			Keyboard: &bitrix.Keyboard{BotID: bot, Buttons: []bitrix.Button{{Text: "No reply needed", Command: "noreply", CommandParams: "client:1", Block: "Y"}}}})
		must(t, "imbot.message.add", err)
		must(t, "imbot.message.update", p.UpdateBotMessage(ctx, bitrix.MessageUpdate{BotID: bot, MessageID: line, Text: "4 unread", Keyboard: &bitrix.Keyboard{}}))
		must(t, "imbot.message.delete", p.DeleteBotMessage(ctx, bot, line, true))
	})

	t.Run("bindings", func(t *testing.T) {
		b := bitrix.PlacementBinding{Placement: "CRM_DEAL_DETAIL_TAB", Handler: cp.HandlerURL + "/tab/" + tag, Title: "Contract"}
		must(t, "placement.bind", p.BindPlacement(ctx, b))
		must(t, "placement.bind (again)", p.BindPlacement(ctx, b))
		hs, err := p.PlacementHandlers(ctx)
		must(t, "placement.get", err)
		if !containsHandler(hs, b.Handler) {
			t.Fatalf("placement.get = %+v", hs)
		}
		if n, err := p.UnbindPlacement(ctx, b.Placement, b.Handler); err != nil || n != 1 {
			t.Fatalf("placement.unbind = %d, %v", n, err)
		}
		e := bitrix.EventBinding{Event: "ONCRMLEADADD", Handler: cp.HandlerURL + "/events/" + tag}
		must(t, "event.bind", p.BindEvent(ctx, e))
		must(t, "event.bind (again)", p.BindEvent(ctx, e))
		es, err := p.EventHandlers(ctx)
		must(t, "event.get", err)
		found := false
		for _, h := range es {
			found = found || (strings.EqualFold(h.Event, e.Event) && h.Handler == e.Handler)
		}
		if !found {
			t.Fatalf("event.get = %+v", es)
		}
		if n, err := p.UnbindEvent(ctx, e); err != nil || n != 1 {
			t.Fatalf("event.unbind = %d, %v", n, err)
		}
	})

	t.Run("open lines connector", func(t *testing.T) {
		id := "contract_" + tag
		must(t, "imconnector.register", p.RegisterConnector(ctx, bitrix.Connector{ID: id, Name: "Contract",
			Icon: bitrix.ConnectorIcon{DataImage: "data:image/svg+xml;charset=US-ASCII,%3Csvg%2F%3E"}, PlacementHandler: cp.HandlerURL + "/connector"}))
		lines, err := p.OpenLines(ctx)
		must(t, "imopenlines.config.list.get", err)
		if len(lines) == 0 {
			t.Skip("the portal has no Open Line")
		}
		line := int64(lines[0].ID)
		must(t, "imconnector.activate", p.ActivateConnector(ctx, id, line, true))
		st, err := p.ConnectorStatus(ctx, id, line)
		must(t, "imconnector.status", err)
		if !bool(st.Status) {
			t.Fatalf("status = %+v", st)
		}
		res, err := p.SendConnectorMessages(ctx, id, line, []bitrix.ConnectorMessage{{
			User:    &bitrix.ConnectorUser{ID: "contract-" + tag, Name: "Ivan"},
			Message: bitrix.ConnectorMessageBody{ID: "m-" + tag, Date: time.Now().Unix(), Text: "Hello & bye"},
			Chat:    bitrix.ConnectorChat{ID: "contract-" + tag},
		}})
		must(t, "imconnector.send.messages", err)
		if len(res) != 1 || !bool(res[0].Success) || res[0].Session.ChatID == 0 {
			t.Fatalf("send = %+v", res)
		}
	})
}

func containsID(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

func containsHandler(hs []bitrix.PlacementHandler, handler string) bool {
	for _, h := range hs {
		if h.Handler == handler {
			return true
		}
	}
	return false
}
