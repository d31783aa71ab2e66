package bitrix

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// form builds url.Values from "key=value" lines (values taken literally).
func form(lines ...string) url.Values {
	v := url.Values{}
	for _, l := range lines {
		k, val, _ := strings.Cut(l, "=")
		v.Add(k, val)
	}
	return v
}

func TestParseEventCRMDealUpdate(t *testing.T) {
	ev, err := ParseEvent(form(
		"event=ONCRMDEALUPDATE", "event_handler_id=201", "data[FIELDS][ID]=759", "ts=1736405807",
		"auth[access_token]=s6p6", "auth[expires_in]=3600", "auth[scope]=crm", "auth[domain]=some-domain.bitrix24.com",
		"auth[server_endpoint]=https://oauth.bitrix.info/rest/", "auth[status]=F",
		"auth[client_endpoint]=https://some-domain.bitrix24.com/rest/", "auth[member_id]=a223",
		"auth[refresh_token]=4s38", "auth[application_token]=5185",
	))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Name != "ONCRMDEALUPDATE" || ev.HandlerID != 201 || ev.EntityID() != 759 || ev.TS.Unix() != 1736405807 {
		t.Fatalf("event = %+v", ev)
	}
	a := ev.Auth
	if a.MemberID != "a223" || a.ApplicationToken != "5185" || a.BaseURL() != "https://some-domain.bitrix24.com" ||
		a.Tokens().Refresh != "4s38" || time.Until(a.Expires) < 59*time.Minute {
		t.Fatalf("auth = %+v", a)
	}
	if !VerifyApplicationToken(ev, "5185") || VerifyApplicationToken(ev, "5186") || VerifyApplicationToken(ev, "") {
		t.Fatal("VerifyApplicationToken")
	}
}

func TestParseEventWithoutTokensOrToken(t *testing.T) {
	// A robot acted: no tokens. An outgoing webhook without application_token must not verify.
	ev, err := ParseEvent(form("event=onCrmLeadAdd", "data[FIELDS][ID]=7", "auth[domain]=x.bitrix24.com", "auth[member_id]=m"))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Name != "ONCRMLEADADD" || ev.Auth.AccessToken != "" || ev.Auth.BaseURL() != "https://x.bitrix24.com" {
		t.Fatalf("event = %+v", ev)
	}
	if VerifyApplicationToken(ev, "") || VerifyApplicationToken(nil, "x") {
		t.Fatal("empty tokens verified")
	}
	if _, err := ParseEvent(form("foo=bar")); !errors.Is(err, ErrBadEvent) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseEventTimelineCommentAddID(t *testing.T) {
	ev, _ := ParseEvent(form("event=ONCRMTIMELINECOMMENTADD", "data[ID]=999"))
	if ev.EntityID() != 999 {
		t.Fatalf("id = %d", ev.EntityID())
	}
}

func TestParseConnectorEvent(t *testing.T) {
	ev, err := ParseEvent(form(
		"event=ONIMCONNECTORMESSAGEADD", "event_handler_id=555",
		"data[CONNECTOR]=switchboard_wa", "data[LINE]=107",
		"data[MESSAGES][0][im][chat_id]=1807", "data[MESSAGES][0][im][message_id]=86497",
		"data[MESSAGES][0][message][user_id]=27", "data[MESSAGES][0][message][text]=[b]Klaus:[/b] [br]Guten Tag & bye",
		"data[MESSAGES][0][message][files][0][name]=a.jpg", "data[MESSAGES][0][message][files][0][link]=https://p/a.jpg",
		"data[MESSAGES][0][message][files][0][type]=image", "data[MESSAGES][0][message][files][0][size]=1024",
		"data[MESSAGES][0][chat][id]=channel-123",
		"ts=1773759161", "auth[application_token]=tok", "auth[user_id]=27",
	))
	if err != nil {
		t.Fatal(err)
	}
	ce, err := ParseConnectorEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	if ce.Connector != "switchboard_wa" || ce.Line != 107 || len(ce.Messages) != 1 {
		t.Fatalf("event = %+v", ce)
	}
	m := ce.Messages[0]
	if m.IM.ChatID != 1807 || m.IM.MessageID != 86497 || m.Message.UserID != 27 || m.Chat.ID != "channel-123" ||
		m.Message.Text != "[b]Klaus:[/b] [br]Guten Tag & bye" {
		t.Fatalf("message = %+v", m)
	}
	if len(m.Message.Files) != 1 || m.Message.Files[0].Link != "https://p/a.jpg" || m.Message.Files[0].Size != 1024 {
		t.Fatalf("files = %+v", m.Message.Files)
	}
	if ev.Auth.UserID != 27 {
		t.Fatalf("user id = %d", ev.Auth.UserID)
	}
}

func TestParseBotCommandKeyboardPress(t *testing.T) {
	ev, err := ParseEvent(form(
		"event=ONIMCOMMANDADD", "event_handler_id=1035",
		"data[COMMAND][99][access_token]=bot-token", "data[COMMAND][99][BOT_ID]=1291", "data[COMMAND][99][BOT_CODE]=BOT_GM",
		"data[COMMAND][99][COMMAND]=noreply", "data[COMMAND][99][COMMAND_ID]=99", "data[COMMAND][99][COMMAND_PARAMS]=client:123",
		"data[COMMAND][99][COMMAND_CONTEXT]=KEYBOARD", "data[COMMAND][99][MESSAGE_ID]=33871",
		"data[PARAMS][DIALOG_ID]=chat2725", "data[PARAMS][CHAT_ID]=2725", "data[PARAMS][FROM_USER_ID]=1269",
		"data[PARAMS][BOT_IN_CHAT][1291]=1291", "data[USER][ID]=1269", "data[USER][NAME]=John Smith",
		"ts=1772097199", "auth[application_token]=8e3a",
	))
	if err != nil {
		t.Fatal(err)
	}
	bc, err := ParseBotCommand(ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(bc.Commands) != 1 {
		t.Fatalf("commands = %+v", bc.Commands)
	}
	c := bc.Commands[0]
	if c.Command != "noreply" || c.CommandParams != "client:123" || c.CommandContext != "KEYBOARD" ||
		c.MessageID != 33871 || c.BotID != 1291 || c.AccessToken != "bot-token" {
		t.Fatalf("command = %+v", c)
	}
	if bc.Params.DialogID != "chat2725" || bc.Params.ChatID != 2725 || bc.User.ID != 1269 || bc.User.Name != "John Smith" {
		t.Fatalf("params/user = %+v / %+v", bc.Params, bc.User)
	}
	other, _ := ParseEvent(form("event=ONCRMLEADADD"))
	if _, err := ParseBotCommand(other); !errors.Is(err, ErrBadEvent) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseEventRequestFormAndJSON(t *testing.T) {
	body := form("event=ONAPPINSTALL", "data[VERSION]=1", "data[LANGUAGE_ID]=de", "auth[access_token]=a",
		"auth[refresh_token]=r", "auth[expires]=1780319382", "auth[member_id]=m", "auth[application_token]=t").Encode()
	r := httptest.NewRequest("POST", "/hooks/bitrix", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ev, err := ParseEventRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Name != EventAppInstall || ev.Auth.Tokens() != (Tokens{Access: "a", Refresh: "r", Expires: time.Unix(1780319382, 0)}) ||
		ev.Data.String("LANGUAGE_ID") != "de" {
		t.Fatalf("event = %+v", ev)
	}
	r = httptest.NewRequest("POST", "/hooks/bitrix", strings.NewReader(
		`{"event":"ONIMCONNECTORMESSAGEADD","event_handler_id":555,"data":{"CONNECTOR":"c","LINE":107,"MESSAGES":[{"im":{"chat_id":1807,"message_id":86497},"message":{"user_id":27,"text":"hi"},"chat":{"id":"x"}}]},"ts":1773759161,"auth":{"user_id":27,"application_token":"t"}}`))
	r.Header.Set("Content-Type", "application/json")
	ev, err = ParseEventRequest(r)
	if err != nil {
		t.Fatal(err)
	}
	ce, err := ParseConnectorEvent(ev)
	if err != nil || ev.HandlerID != 555 || ce.Line != 107 || ce.Messages[0].IM.MessageID != 86497 {
		t.Fatalf("event = %+v / %+v, %v", ev, ce, err)
	}
}
