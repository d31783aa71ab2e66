package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
)

const connectorReg = `{"ID":"Switchboard_WA","NAME":"Switchboard: WhatsApp","ICON":{"DATA_IMAGE":"data:image/svg+xml,%3Csvg%3E"},"PLACEMENT_HANDLER":"https://app.example.com/connector"}`

func TestImconnectorRegister(t *testing.T) {
	tp := newTestPortal(t)
	a := tp.json("imconnector.register", connectorReg)
	expectOK(t, a)
	if a.resultMap()["result"] != true {
		t.Fatalf("nested result by default: %s", a.raw)
	}
	bad := tp.json("imconnector.register", `{"ID":"x.y","NAME":"n"}`)
	if bad.status != 200 || bad.resultMap()["result"] != false || bad.resultMap()["error"] != "CONNECTOR_ID_REQUIRED" {
		t.Fatal(bad.raw)
	}
	noIcon := tp.json("imconnector.register", `{"ID":"x","NAME":"n","PLACEMENT_HANDLER":"https://x"}`)
	if noIcon.resultMap()["error"] != "ICON_REQUIRED" {
		t.Fatal(noIcon.raw)
	}
	plain := newTestPortal(t, func(c *Config) { c.ConnectorRegisterPlain = true })
	if r := plain.json("imconnector.register", connectorReg); r.result() != true {
		t.Fatal(r.raw)
	}
	session := tp.IssueSessionToken(1)
	tp.token = session
	expectError(t, tp.json("imconnector.register", connectorReg), 403, "WRONG_AUTH_TYPE", "")
}

func TestImconnectorTraffic(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	expectOK(t, tp.json("imconnector.register", connectorReg))
	expectOK(t, tp.json("event.bind", fmt.Sprintf(`{"event":"OnImConnectorMessageAdd","handler":%q}`, app.URL+"/ol")))

	send := `{"CONNECTOR":"switchboard_wa","LINE":1,"MESSAGES":[{"user":{"id":"wa-79991234567","name":"Ivan","last_name":"Petrov","phone":"+79991234567"},
		"message":{"id":"ext-1","date":1773265993,"text":"Hello & welcome"},"chat":{"id":"wa-79991234567"}}]}`
	expectError(t, tp.json("imconnector.send.messages", send), 400, "NOT_ACTIVE_LINE", "")
	status := tp.json("imconnector.status", `{"CONNECTOR":"switchboard_wa","LINE":1}`).resultMap()
	if status["STATUS"] != false || status["LINE"] != float64(1) {
		t.Fatal(status)
	}
	expectError(t, tp.json("imconnector.activate", `{"CONNECTOR":"switchboard_wa","LINE":1}`), 400, "ERROR_ARGUMENT", "Argument 'ACTIVE' is null or empty")
	expectOK(t, tp.json("imconnector.activate", `{"CONNECTOR":"switchboard_wa","LINE":1,"ACTIVE":1}`))
	if st := tp.json("imconnector.status", `{"CONNECTOR":"switchboard_wa","LINE":1}`).resultMap(); st["STATUS"] != true || st["CONFIGURED"] != true {
		t.Fatal(st)
	}

	a := tp.json("imconnector.send.messages", send)
	expectOK(t, a)
	r := a.resultMap()
	items := r["DATA"].(map[string]any)["RESULT"].([]any)
	item := items[0].(map[string]any)
	sess := item["session"].(map[string]any)
	if r["SUCCESS"] != true || item["SUCCESS"] != true || sess["CHAT_ID"] == nil {
		t.Fatal(a.raw)
	}
	var chatID int
	fmt.Sscan(sess["CHAT_ID"].(string), &chatID)
	msgs := tp.ChatMessages(chatID)
	if len(msgs) != 1 || msgs[0].Text != "Hello & welcome" {
		t.Fatal(msgs)
	}
	// The line's CRM setting made a lead with the phone.
	found := tp.json("crm.duplicate.findbycomm", `{"type":"PHONE","values":["+79991234567"]}`).resultMap()
	if found["LEAD"] == nil {
		t.Fatal("no lead from the open line")
	}
	// A second message goes to the same chat.
	again := tp.json("imconnector.send.messages", send).resultMap()["DATA"].(map[string]any)["RESULT"].([]any)[0].(map[string]any)
	if again["session"].(map[string]any)["CHAT_ID"] != sess["CHAT_ID"] {
		t.Fatal("new chat for the same client")
	}
	bad := tp.json("imconnector.send.messages", `{"CONNECTOR":"switchboard_wa","LINE":1,"MESSAGES":[{"user":{"id":"u"},"message":{"id":"m"},"chat":{"id":"c"}}]}`)
	if bi := bad.resultMap()["DATA"].(map[string]any)["RESULT"].([]any)[0].(map[string]any); bi["SUCCESS"] != false {
		t.Fatal(bad.raw)
	}

	// Operator reply → ONIMCONNECTORMESSAGEADD.
	mid, err := tp.OperatorReply(context.Background(), 1, chatID, "Guten Tag!")
	if err != nil {
		t.Fatal(err)
	}
	ev := <-app.got
	f := ev.form
	want := map[string]string{
		"event":                               "ONIMCONNECTORMESSAGEADD",
		"data[CONNECTOR]":                     "switchboard_wa",
		"data[LINE]":                          "1",
		"data[MESSAGES][0][im][chat_id]":      fmt.Sprint(chatID),
		"data[MESSAGES][0][im][message_id]":   fmt.Sprint(mid),
		"data[MESSAGES][0][message][user_id]": "1",
		"data[MESSAGES][0][message][text]":    "[b]Anna Admin:[/b] [br]Guten Tag!",
		"data[MESSAGES][0][chat][id]":         "wa-79991234567",
		"auth[application_token]":             tp.ApplicationToken(),
	}
	for k, v := range want {
		if f.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, f.Get(k), v)
		}
	}
	del := tp.json("imconnector.send.status.delivery", fmt.Sprintf(`{"CONNECTOR":"switchboard_wa","LINE":1,"MESSAGES":[{"im":{"chat_id":%d,"message_id":%d},"message":{"id":["out-1"]},"chat":{"id":"wa-79991234567"}}]}`, chatID, mid))
	expectOK(t, del)
	if del.resultMap()["SUCCESS"] != true {
		t.Fatal(del.raw)
	}
	last := tp.ChatMessages(chatID)
	if !last[len(last)-1].Delivered {
		t.Fatal("delivery not recorded")
	}
	upd := tp.json("imconnector.update.messages", `{"CONNECTOR":"switchboard_wa","LINE":1,"MESSAGES":[{"user":{"id":"wa-79991234567"},"message":{"id":"ext-1","text":"Hello (edited)"},"chat":{"id":"wa-79991234567"}}]}`)
	expectOK(t, upd)
	if tp.ChatMessages(chatID)[0].Text != "Hello (edited)" {
		t.Fatal("update.messages")
	}
	expectOK(t, tp.json("imconnector.delete.messages", `{"CONNECTOR":"switchboard_wa","LINE":1,"MESSAGES":[{"user":{"id":"wa-79991234567"},"message":{"id":"ext-1"},"chat":{"id":"wa-79991234567"}}]}`))
	if !tp.ChatMessages(chatID)[0].Deleted {
		t.Fatal("delete.messages")
	}
}

func TestOpenLinesConfig(t *testing.T) {
	tp := newTestPortal(t)
	tp.AddOpenLine("Sales", []int{2})
	a := tp.json("imopenlines.config.list.get", `{}`)
	expectOK(t, a)
	l := a.resultList()
	if len(l) != 2 {
		t.Fatal(a.raw)
	}
	second := l[1].(map[string]any)
	if second["ID"] != "2" || second["LINE_NAME"] != "Sales" || second["ACTIVE"] != "Y" || fmt.Sprint(second["QUEUE"]) != "[2]" {
		t.Fatal(second)
	}
}

func TestOperatorReplyWithFile(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	expectOK(t, tp.json("imconnector.register", connectorReg))
	expectOK(t, tp.json("imconnector.activate", `{"CONNECTOR":"switchboard_wa","LINE":1,"ACTIVE":1}`))
	expectOK(t, tp.json("event.bind", fmt.Sprintf(`{"event":"ONIMCONNECTORMESSAGEADD","handler":%q}`, app.URL)))
	expectOK(t, tp.json("imconnector.send.messages", `{"CONNECTOR":"switchboard_wa","LINE":1,"MESSAGES":[{"user":{"id":"u1","name":"Ivan"},"message":{"id":"m1","text":"hi"},"chat":{"id":"u1"}}]}`))
	chatID := tp.OpenLineSessions()["u1"]
	if _, err := tp.OperatorReply(context.Background(), 1, chatID, "", File{Name: "price.pdf", Data: []byte("%PDF-1.4 price")}); err != nil {
		t.Fatal(err)
	}
	f := (<-app.got).form
	link := f.Get("data[MESSAGES][0][message][files][0][link]")
	if f.Get("data[MESSAGES][0][message][files][0][name]") != "price.pdf" || f.Get("data[MESSAGES][0][message][files][0][type]") != "file" ||
		f.Get("data[MESSAGES][0][message][files][0][size]") != "14" || link == "" {
		t.Fatal(f)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(data) != "%PDF-1.4 price" {
		t.Fatalf("file link serves %q", data)
	}
}
