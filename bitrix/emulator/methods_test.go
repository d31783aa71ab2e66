package emulator

import (
	"fmt"
	"strings"
	"testing"
)

// TestEveryMethodAnswers calls each method once with valid input and checks
// the success envelope, so no method in the table is left untested.
func TestEveryMethodAnswers(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	botID, chatID := botSetup(t, tp, app)
	contact := tp.SeedContact(Contact{Name: "C", Phones: []string{"+100"}})
	lead := tp.SeedLead(Lead{Title: "L"})
	deal := tp.SeedDeal(Deal{Title: "D", ContactIDs: []int{contact}})
	comment := tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"fields":{"ENTITY_ID":%d,"ENTITY_TYPE":"deal","COMMENT":"c"}}`, deal)).result()
	msg := tp.json("imbot.message.add", fmt.Sprintf(`{"BOT_ID":%v,"DIALOG_ID":"chat%v","MESSAGE":"m"}`, botID, chatID)).result()
	expectOK(t, tp.json("imconnector.register", connectorReg))
	expectOK(t, tp.json("placement.bind", `{"PLACEMENT":"LEFT_MENU","HANDLER":"https://x/left"}`))
	expectOK(t, tp.json("event.bind", `{"event":"ONCRMLEADADD","handler":"https://x/ev"}`))
	cmdID := tp.json("imbot.command.register", fmt.Sprintf(`{"BOT_ID":%v,"COMMAND":"other","EVENT_COMMAND_ADD":"https://x/c","LANG":[{"LANGUAGE_ID":"en","TITLE":"o"}]}`, botID)).result()
	calls := [][2]string{
		{"app.info", `{}`},
		{"profile", `{}`},
		{"user.admin", `{}`},
		{"user.current", `{}`},
		{"user.get", `{}`},
		{"placement.get", `{}`},
		{"placement.list", `{}`},
		{"placement.unbind", `{"PLACEMENT":"LEFT_MENU"}`},
		{"event.get", `{}`},
		{"events", `{}`},
		{"event.unbind", `{"event":"ONCRMLEADADD"}`},
		{"crm.contact.list", `{}`},
		{"crm.lead.list", `{}`},
		{"crm.deal.list", `{}`},
		{"crm.contact.get", fmt.Sprintf(`{"id":%d}`, contact)},
		{"crm.lead.update", fmt.Sprintf(`{"id":%d,"fields":{"TITLE":"L2"}}`, lead)},
		{"crm.deal.update", fmt.Sprintf(`{"id":%d,"fields":{"TITLE":"D2"}}`, deal)},
		{"crm.lead.delete", fmt.Sprintf(`{"id":%d}`, lead)},
		{"crm.settings.mode.get", `{}`},
		{"department.get", `{}`},
		{"crm.timeline.comment.get", fmt.Sprintf(`{"id":%v}`, comment)},
		{"crm.timeline.item.unpin", fmt.Sprintf(`{"id":%v,"ownerTypeId":2,"ownerId":%d}`, comment, deal)},
		{"imbot.bot.list", `{}`},
		{"imbot.chat.get", fmt.Sprintf(`{"BOT_ID":%v,"ENTITY_TYPE":"","ENTITY_ID":""}`, botID)},
		{"imbot.chat.user.list", fmt.Sprintf(`{"BOT_ID":%v,"CHAT_ID":%v}`, botID, chatID)},
		{"imbot.chat.user.add", fmt.Sprintf(`{"BOT_ID":%v,"CHAT_ID":%v,"USERS":[2]}`, botID, chatID)},
		{"imbot.command.answer", fmt.Sprintf(`{"COMMAND_ID":%v,"MESSAGE_ID":%v,"MESSAGE":"answer"}`, cmdID, msg)},
		{"imbot.command.unregister", fmt.Sprintf(`{"COMMAND_ID":%v}`, cmdID)},
		{"imconnector.list", `{}`},
		{"imconnector.connector.data.set", `{"CONNECTOR":"switchboard_wa","LINE":1,"DATA":{"ID":"1","NAME":"Sales"}}`},
		{"imopenlines.config.get", `{"CONFIG_ID":1}`},
		{"im.notify.personal.add", `{"USER_ID":2,"MESSAGE":"hi"}`},
		{"im.chat.user.delete", fmt.Sprintf(`{"CHAT_ID":%v,"USER_ID":1}`, chatID)}, // the caller leaves
	}
	for _, c := range calls {
		t.Run(c[0], func(t *testing.T) {
			expectOK(t, tp.json(c[0], c[1]))
		})
	}
	covered := map[string]bool{}
	for _, c := range calls {
		covered[c[0]] = true
	}
	// Methods tested elsewhere in this package.
	for _, name := range strings.Fields(`batch placement.bind event.bind crm.contact.add crm.contact.update crm.lead.add crm.lead.get
		crm.deal.add crm.deal.get crm.deal.contact.items.get crm.duplicate.findbycomm crm.timeline.comment.add crm.timeline.comment.update
		crm.timeline.comment.delete crm.timeline.comment.list crm.timeline.item.pin im.chat.add im.chat.get im.chat.user.add
		im.chat.user.list im.message.add im.message.update im.message.delete imbot.register imbot.command.register imbot.message.add
		imbot.message.update imbot.message.delete imbot.chat.add imconnector.register imconnector.activate imconnector.status
		imconnector.send.messages imconnector.update.messages imconnector.delete.messages imconnector.send.status.delivery
		imopenlines.config.list.get im.notify.system.add im.notify.delete crm.contact.delete crm.deal.delete imbot.unregister
		imconnector.unregister imconnector.send.status.reading crm.status.list crm.status.add crm.category.list
		im.dialog.messages.get imbot.chat.user.delete`) {
		covered[name] = true
	}
	for name := range tp.methods {
		if !covered[name] {
			t.Errorf("method %s has no test", name)
		}
	}
	expectOK(t, tp.json("crm.contact.delete", fmt.Sprintf(`{"id":%d}`, contact)))
	expectOK(t, tp.json("crm.deal.delete", fmt.Sprintf(`{"id":%d}`, deal)))
	expectOK(t, tp.json("imconnector.activate", `{"CONNECTOR":"switchboard_wa","LINE":1,"ACTIVE":"Y"}`))
	expectOK(t, tp.json("imconnector.send.status.reading", `{"CONNECTOR":"switchboard_wa","LINE":1,"MESSAGES":[{"im":{"chat_id":1,"message_id":1}}]}`))
	expectOK(t, tp.json("imconnector.unregister", `{"ID":"switchboard_wa"}`))
	expectError(t, tp.json("imconnector.status", `{"CONNECTOR":"switchboard_wa","LINE":1}`), 400, "IMCONNECTOR_NO_CORRECT_PROVIDER", "")
	expectOK(t, tp.json("imbot.unregister", fmt.Sprintf(`{"BOT_ID":%v}`, botID)))
	expectError(t, tp.json("imbot.message.add", fmt.Sprintf(`{"BOT_ID":%v,"DIALOG_ID":"chat%v","MESSAGE":"m"}`, botID, chatID)), 400, "BOT_ID_ERROR", "")
}
