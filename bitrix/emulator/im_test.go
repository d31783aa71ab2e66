package emulator

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"
)

func TestImChats(t *testing.T) {
	tp := newTestPortal(t)
	a := tp.json("im.chat.add", `{"TYPE":"CHAT","TITLE":"Switchboard notifications","USERS":[1],"ENTITY_TYPE":"SWITCHBOARD","ENTITY_ID":"notify"}`)
	expectOK(t, a)
	chatID := a.result().(float64)
	users := tp.form("im.chat.user.list", url.Values{"CHAT_ID": {fmt.Sprint(chatID)}})
	if fmt.Sprint(users.result()) != "[1]" {
		t.Fatal(users.raw)
	}
	expectOK(t, tp.json("im.chat.user.add", fmt.Sprintf(`{"CHAT_ID":%v,"USERS":[2]}`, chatID)))
	if fmt.Sprint(tp.form("im.chat.user.list", url.Values{"CHAT_ID": {fmt.Sprint(chatID)}}).result()) != "[1 2]" {
		t.Fatal("user not added")
	}
	got := tp.form("im.chat.get", url.Values{"ENTITY_TYPE": {"SWITCHBOARD"}, "ENTITY_ID": {"notify"}}).resultMap()
	if got["ID"] != chatID {
		t.Fatal(got)
	}
	expectError(t, tp.json("im.chat.user.add", `{"USERS":[2]}`), 400, "CHAT_ID_EMPTY", "")

	msg := tp.json("im.message.add", fmt.Sprintf(`{"DIALOG_ID":"chat%v","MESSAGE":"[b]Ivan[/b]: 2 unread"}`, chatID))
	expectOK(t, msg)
	mid := msg.result().(float64)
	expectError(t, tp.json("im.message.add", fmt.Sprintf(`{"DIALOG_ID":"chat%v","MESSAGE":"  "}`, chatID)), 400, "MESSAGE_EMPTY", "")
	expectOK(t, tp.json("im.message.update", fmt.Sprintf(`{"MESSAGE_ID":%v,"MESSAGE":"[b]Ivan[/b]: 3 unread"}`, mid)))
	mark, _ := tp.IssueToken(2)
	other := tp.form("im.message.update", url.Values{"auth": {mark}, "MESSAGE_ID": {fmt.Sprint(mid)}, "MESSAGE": {"hijack"}})
	expectError(t, other, 400, "CANT_EDIT_MESSAGE", "Time has expired for modification or you don't have access")
	msgs := tp.ChatMessages(int(chatID))
	if len(msgs) != 1 || msgs[0].Text != "[b]Ivan[/b]: 3 unread" || !msgs[0].Edited {
		t.Fatal(msgs)
	}
	expectOK(t, tp.form("im.message.delete", url.Values{"MESSAGE_ID": {fmt.Sprint(mid)}}))
	if !tp.ChatMessages(int(chatID))[0].Deleted {
		t.Fatal("not deleted")
	}
	// A user id dialog is the private chat.
	p := tp.form("im.message.add", url.Values{"DIALOG_ID": {"2"}, "MESSAGE": {"hi"}})
	expectOK(t, p)
}

// botSetup registers a bot with a hidden command handled by app.
func botSetup(t *testing.T, tp *testPortal, app *appServer) (botID, chatID float64) {
	t.Helper()
	reg := tp.json("imbot.register", fmt.Sprintf(`{"CODE":"switchboard","TYPE":"B","EVENT_HANDLER":%q,"PROPERTIES":{"NAME":"Switchboard"}}`, app.URL+"/bot"))
	expectOK(t, reg)
	botID = reg.result().(float64)
	cmd := tp.json("imbot.command.register", fmt.Sprintf(`{"BOT_ID":%v,"COMMAND":"noreply","HIDDEN":"Y","EVENT_COMMAND_ADD":%q,"LANG":[{"LANGUAGE_ID":"en","TITLE":"No reply needed"}]}`, botID, app.URL+"/command"))
	expectOK(t, cmd)
	chat := tp.json("imbot.chat.add", fmt.Sprintf(`{"BOT_ID":%v,"TITLE":"Notifications","USERS":[1,2]}`, botID))
	expectOK(t, chat)
	return botID, chat.result().(float64)
}

func TestImbotKeyboardClick(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	botID, chatID := botSetup(t, tp, app)
	add := tp.json("imbot.message.add", fmt.Sprintf(`{"BOT_ID":%v,"DIALOG_ID":"chat%v","MESSAGE":"Ivan: 1 unread",
		"KEYBOARD":{"BOT_ID":%v,"BUTTONS":[{"TEXT":"No reply needed","COMMAND":"noreply","COMMAND_PARAMS":"client:123","BLOCK":"Y"},{"TYPE":"NEWLINE"},{"TEXT":"Open","LINK":"https://app.example.com/d/1"}]}}`, botID, chatID, botID))
	expectOK(t, add)
	mid := int(add.result().(float64))
	msgs := tp.ChatMessages(int(chatID))
	if len(msgs) != 1 || len(msgs[0].Buttons) != 3 || msgs[0].Buttons[0].Command != "noreply" || msgs[0].BotID != int(botID) {
		t.Fatalf("%+v", msgs)
	}
	if err := tp.ClickButton(context.Background(), 2, mid, 2); err != ErrNoCommand {
		t.Fatalf("link button: %v", err)
	}
	if err := tp.ClickButton(context.Background(), 2, mid, 0); err != nil {
		t.Fatal(err)
	}
	var ev recordedPost
	for ev = range app.got {
		if ev.path == "/command" {
			break
		}
	}
	f := ev.form
	var cmdID string
	for k := range f {
		if len(k) > 14 && k[:13] == "data[COMMAND]" {
			cmdID = k[14:]
			cmdID = cmdID[:len(cmdID)-len(cmdID[indexByte(cmdID, ']'):])]
			break
		}
	}
	pre := "data[COMMAND][" + cmdID + "]"
	checks := map[string]string{
		"event":                           "ONIMCOMMANDADD",
		"event_handler_id":                cmdID,
		pre + "[COMMAND]":                 "noreply",
		pre + "[COMMAND_PARAMS]":          "client:123",
		pre + "[COMMAND_CONTEXT]":         "KEYBOARD",
		pre + "[MESSAGE_ID]":              fmt.Sprint(mid),
		pre + "[BOT_ID]":                  fmt.Sprint(botID),
		pre + "[BOT_CODE]":                "switchboard",
		pre + "[user_id]":                 fmt.Sprint(botID),
		pre + "[application_token]":       tp.ApplicationToken(),
		pre + "[AUTH][application_token]": tp.ApplicationToken(),
		"data[PARAMS][DIALOG_ID]":         fmt.Sprintf("chat%v", chatID),
		"data[PARAMS][FROM_USER_ID]":      "2",
		"data[USER][ID]":                  "2",
		"data[USER][LAST_NAME]":           "Manager",
		"auth[user_id]":                   "2",
		"auth[application_token]":         tp.ApplicationToken(),
	}
	for k, want := range checks {
		if got := f.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// The bot's token acts as the bot.
	prof := tp.form("profile", url.Values{"auth": {f.Get(pre + "[access_token]")}})
	if prof.resultMap()["ID"] != fmt.Sprint(botID) {
		t.Fatal(prof.raw)
	}
	// BLOCK=Y blocks the keyboard.
	if err := tp.ClickButton(context.Background(), 1, mid, 0); err == nil {
		t.Fatal("blocked keyboard clicked")
	}
}

func indexByte(s string, b byte) int {
	for i := range len(s) {
		if s[i] == b {
			return i
		}
	}
	return len(s)
}

func TestImbotEditWindow(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	botID, chatID := botSetup(t, tp, app)
	mid := tp.json("imbot.message.add", fmt.Sprintf(`{"BOT_ID":%v,"DIALOG_ID":"chat%v","MESSAGE":"line"}`, botID, chatID)).result()
	tp.clock.Advance(71 * time.Hour)
	tp.token, _ = tp.IssueToken(1)
	expectOK(t, tp.json("imbot.message.update", fmt.Sprintf(`{"BOT_ID":%v,"MESSAGE_ID":%v,"MESSAGE":"line 2","KEYBOARD":"N"}`, botID, mid)))
	tp.clock.Advance(2 * time.Hour)
	tp.token, _ = tp.IssueToken(1)
	expectError(t, tp.json("imbot.message.update", fmt.Sprintf(`{"BOT_ID":%v,"MESSAGE_ID":%v,"MESSAGE":"line 3"}`, botID, mid)), 400, "CANT_EDIT_MESSAGE", "")
	expectError(t, tp.json("imbot.message.delete", fmt.Sprintf(`{"BOT_ID":%v,"MESSAGE_ID":%v}`, botID, mid)), 400, "CANT_EDIT_MESSAGE", "")
	if got := tp.ChatMessages(int(chatID))[0].Text; got != "line 2" {
		t.Fatal(got)
	}
}

func TestImbotErrors(t *testing.T) {
	tp := newTestPortal(t)
	expectError(t, tp.json("imbot.register", `{"EVENT_HANDLER":"https://x","PROPERTIES":{"NAME":"B"}}`), 400, "CODE_ERROR", "")
	expectError(t, tp.json("imbot.register", `{"CODE":"b","PROPERTIES":{"NAME":"B"}}`), 400, "EVENT_MESSAGE_ADD_ERROR", "")
	expectError(t, tp.json("imbot.register", `{"CODE":"b","EVENT_HANDLER":"https://x","PROPERTIES":{}}`), 400, "NAME_ERROR", "")
	expectError(t, tp.json("imbot.message.add", `{"BOT_ID":77,"DIALOG_ID":"1","MESSAGE":"x"}`), 400, "BOT_ID_ERROR", "")
	for i := range 5 {
		expectOK(t, tp.json("imbot.register", fmt.Sprintf(`{"CODE":"b%d","EVENT_HANDLER":"https://x","PROPERTIES":{"NAME":"B"}}`, i)))
	}
	expectError(t, tp.json("imbot.register", `{"CODE":"b9","EVENT_HANDLER":"https://x","PROPERTIES":{"NAME":"B"}}`), 400, "MAX_COUNT_ERROR", "")
	bot := tp.json("imbot.register", `{"CODE":"b0","EVENT_HANDLER":"https://x","PROPERTIES":{"NAME":"B"}}`)
	expectOK(t, bot) // the same code answers the existing bot
	chat := tp.json("im.chat.add", `{"TITLE":"no bot here","USERS":[2]}`).result()
	expectError(t, tp.json("imbot.message.add", fmt.Sprintf(`{"BOT_ID":%v,"DIALOG_ID":"chat%v","MESSAGE":"x"}`, bot.result(), chat)), 400, "ACCESS_ERROR", "")
	secret := tp.AddWebhook(1)
	expectError(t, tp.get("/rest/1/"+secret+"/imbot.message.add?MESSAGE=x&DIALOG_ID=1"), 400, "ACCESS_DENIED", "Client ID not specified")
	// Bots are not employees.
	if n := len(tp.form("user.get", nil).resultList()); n != 2 {
		t.Fatalf("user.get lists bots: %d", n)
	}
}

func TestUserMessageToBotFiresEvent(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	botID, _ := botSetup(t, tp, app)
	// A private chat with the bot.
	tp.mu.Lock()
	ch, _ := tp.resolveDialog(fmt.Sprint(botID), 2)
	tp.mu.Unlock()
	if _, err := tp.PostAsUser(2, ch.ID, "hello bot"); err != nil {
		t.Fatal(err)
	}
	for ev := range app.got {
		if ev.form.Get("event") == "ONIMBOTMESSAGEADD" {
			if ev.form.Get("data[PARAMS][MESSAGE]") != "hello bot" || ev.form.Get("data[USER][ID]") != "2" {
				t.Fatal(ev.form)
			}
			break
		}
	}
}

func TestBotJoinEvent(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	bot := tp.json("imbot.register", fmt.Sprintf(`{"CODE":"j","EVENT_HANDLER":%q,"PROPERTIES":{"NAME":"J"}}`, app.URL+"/bot")).result()
	chat := tp.json("im.chat.add", fmt.Sprintf(`{"TITLE":"with bot","USERS":[%v]}`, bot)).result()
	ev := <-app.got
	if ev.form.Get("event") != "ONIMBOTJOINCHAT" || ev.form.Get("data[PARAMS][DIALOG_ID]") != fmt.Sprintf("chat%v", chat) ||
		ev.form.Get(fmt.Sprintf("data[BOT][%v][BOT_CODE]", bot)) != "j" {
		t.Fatal(ev.form)
	}
	if len(tp.EventBindings()) != 0 {
		t.Fatal("bot handlers are not event.bind bindings")
	}
}

// Every button but a NEWLINE needs its text and one action.
func TestImbotKeyboardButtonsNeedAnAction(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	botID, chatID := botSetup(t, tp, app)
	for _, button := range []string{`{"TEXT":"Does nothing"}`, `{"TEXT":"Half an action","ACTION":"PUT"}`, `{"COMMAND":"noreply"}`} {
		add := tp.json("imbot.message.add", fmt.Sprintf(`{"BOT_ID":%v,"DIALOG_ID":"chat%v","MESSAGE":"x","KEYBOARD":{"BUTTONS":[%s]}}`,
			botID, chatID, button))
		expectError(t, add, 400, "KEYBOARD_ERROR", "Incorrect keyboard params")
	}
	for _, button := range []string{`{"TEXT":"Put","ACTION":"PUT","ACTION_VALUE":"hello"}`, `{"TEXT":"App","APP_ID":"12"}`} {
		expectOK(t, tp.json("imbot.message.add", fmt.Sprintf(`{"BOT_ID":%v,"DIALOG_ID":"chat%v","MESSAGE":"x","KEYBOARD":{"BUTTONS":[%s]}}`,
			botID, chatID, button)))
	}
}

// im.dialog.messages.get lists a chat's messages newest first; a deleted
// one keeps its place without its text.
func TestDialogMessagesNewestFirst(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	botID, chatID := botSetup(t, tp, app)
	var ids []float64
	for _, text := range []string{"one", "two", "three"} {
		add := tp.json("imbot.message.add", fmt.Sprintf(`{"BOT_ID":%v,"DIALOG_ID":"chat%v","MESSAGE":%q}`, botID, chatID, text))
		expectOK(t, add)
		ids = append(ids, add.result().(float64))
	}
	expectOK(t, tp.json("imbot.message.delete", fmt.Sprintf(`{"BOT_ID":%v,"MESSAGE_ID":%v}`, botID, ids[2])))
	got := tp.json("im.dialog.messages.get", fmt.Sprintf(`{"DIALOG_ID":"chat%v","LIMIT":2}`, chatID))
	expectOK(t, got)
	msgs := got.result().(map[string]any)["messages"].([]any)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the limit of 2: %s", len(msgs), got.raw)
	}
	newest, next := msgs[0].(map[string]any), msgs[1].(map[string]any)
	if newest["id"] != ids[2] || newest["text"] != "" || newest["params"].(map[string]any)["IS_DELETED"] != "Y" ||
		next["id"] != ids[1] || next["text"] != "two" || next["author_id"] != botID {
		t.Fatalf("messages %s", got.raw)
	}
	older := tp.json("im.dialog.messages.get", fmt.Sprintf(`{"DIALOG_ID":"chat%v","LAST_ID":%v}`, chatID, ids[1]))
	if m := older.result().(map[string]any)["messages"].([]any); len(m) != 1 || m[0].(map[string]any)["text"] != "one" {
		t.Fatalf("LAST_ID: %s", older.raw)
	}
	expectError(t, tp.json("im.dialog.messages.get", `{"DIALOG_ID":"chat999"}`), 400, "CHAT_ID", "Chat not found")
}

// Only a chat's owner removes others (im.chat.user.delete); the bot owns
// the chat it made, and removes members as the bot.
func TestOnlyTheOwnerRemovesOthersFromAChat(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	botID, chatID := botSetup(t, tp, app)
	expectError(t, tp.json("im.chat.user.delete", fmt.Sprintf(`{"CHAT_ID":%v,"USER_ID":2}`, chatID)),
		400, "ACCESS_ERROR", "You don't have access to this chat")
	expectOK(t, tp.json("imbot.chat.user.delete", fmt.Sprintf(`{"BOT_ID":%v,"CHAT_ID":%v,"USER_ID":2}`, botID, chatID)))
	list := tp.json("imbot.chat.user.list", fmt.Sprintf(`{"BOT_ID":%v,"CHAT_ID":%v}`, botID, chatID))
	if fmt.Sprint(list.result()) != fmt.Sprintf("[%v 1]", botID) && fmt.Sprint(list.result()) != fmt.Sprintf("[1 %v]", botID) {
		t.Fatalf("members after the bot removed user 2: %v", list.result())
	}
}
