package emulator

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestCardShowsSourceResponsibleAndTimeline(t *testing.T) {
	tp := newTestPortal(t)
	expectOK(t, tp.json("crm.status.add", `{"fields":{"ENTITY_ID":"SOURCE","STATUS_ID":"WA_SALES","NAME":"WhatsApp — Sales"}}`))
	add := tp.json("crm.contact.add", `{"fields":{"NAME":"Ivan","SOURCE_ID":"WA_SALES","SOURCE_DESCRIPTION":"WhatsApp — Sales","ASSIGNED_BY_ID":2}}`)
	expectOK(t, add)
	id := add.result()
	expectOK(t, tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"fields":{"ENTITY_ID":%v,"ENTITY_TYPE":"contact","COMMENT":"Ivan: hello","FILES":[["price list.txt","cHJpY2Vz"]]}}`, id)))
	tp.clock.Advance(1)
	expectOK(t, tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"fields":{"ENTITY_ID":%v,"ENTITY_TYPE":"contact","COMMENT":"Here you are","AUTHOR_ID":2}}`, id)))

	b := tp.signIn(t, 1)
	page := b.get(fmt.Sprintf("/crm/contact/details/%v/", id))
	for testid, want := range map[string]string{"card-source": "WhatsApp — Sales", "card-source-description": "WhatsApp — Sales", "card-responsible-name": "Mark Manager"} {
		if !regexp.MustCompile(`data-testid="` + testid + `">` + regexp.QuoteMeta(want) + `<`).MatchString(page) {
			t.Errorf("%s is not %q", testid, want)
		}
	}
	comments := regexp.MustCompile(`data-testid="timeline-author">([^<]*)<.*?data-testid="timeline-comment">([^<]*)<`).FindAllStringSubmatch(strings.ReplaceAll(page, "\n", " "), -1)
	if len(comments) != 2 || comments[0][1] != "Mark Manager" || comments[0][2] != "Here you are" || comments[1][1] != "Anna Admin" {
		t.Fatalf("timeline newest first with authors: %v", comments)
	}
	link := regexp.MustCompile(`href="([^"]+)" download="price list.txt" data-testid="timeline-file-download"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatal("no download link")
	}
	resp, err := http.Get(tp.srv.URL + strings.ReplaceAll(link[1], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if string(data) != "prices" || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %q %v", data, resp.Header)
	}
}

func TestDealCardOffersItsPipelineStages(t *testing.T) {
	tp := newTestPortal(t)
	id := tp.SeedDeal(Deal{Title: "Partner deal", Fields: map[string]string{"CATEGORY_ID": "1"}})
	page := tp.signIn(t, 1).get(fmt.Sprintf("/crm/deal/details/%d/", id))
	if !strings.Contains(page, `<option value="C1:NEW" selected>New</option>`) || strings.Contains(page, `value="PREPARATION"`) {
		t.Fatal(page)
	}
	if resp := tp.signIn(t, 1).post(fmt.Sprintf("/crm/deal/details/%d/", id), url.Values{"STAGE": {"C1:WON"}}); resp.StatusCode != http.StatusOK {
		t.Fatal(resp.Status)
	}
	if d, _ := tp.Entity("DEAL", id); d["STAGE_ID"] != "C1:WON" || d["CLOSED"] != "Y" {
		t.Fatal(d)
	}
}

func TestNotifyPersonal(t *testing.T) {
	tp := newTestPortal(t)
	a := tp.json("im.notify.personal.add", `{"USER_ID":2,"MESSAGE":"  New client: [url=https://app.example/dialogs/7]Ivan[/url]  ","MESSAGE_OUT":"New client Ivan","TAG":"client-7","SUB_TAG":"client|7",
		"ATTACH":[{"LINK":{"NAME":"Open the dialog","LINK":"https://app.example/dialogs/7"}},{"LINK":{"NAME":"bad","LINK":"javascript:alert(1)"}}]}`)
	expectOK(t, a)
	if _, ok := a.result().(float64); !ok {
		t.Fatalf("result is the id: %s", a.raw)
	}
	n := tp.Notifications()
	if len(n) != 1 || n[0].Message != "New client: [url=https://app.example/dialogs/7]Ivan[/url]" || n[0].AuthorID != 1 || n[0].Kind != "personal" ||
		n[0].MessageOut != "New client Ivan" || n[0].SubTag != "client|7" {
		t.Fatalf("%+v", n)
	}
	if a := tp.json("im.notify.personal.add", `{"USER_ID":999,"MESSAGE":"x"}`); a.result() != false {
		t.Fatalf("nobody to notify: %s", a.raw)
	}
	expectError(t, tp.json("im.notify.personal.add", `{"USER_ID":0,"MESSAGE":"x"}`), 400, "USER_ID_EMPTY", "User ID can't be empty")
	expectError(t, tp.json("im.notify.personal.add", `{"USER_ID":2,"MESSAGE":"  "}`), 400, "MESSAGE_EMPTY", "Message can't be empty")
	expectError(t, tp.json("im.notify.personal.add", `{"USER_ID":2,"MESSAGE":"x","ATTACH":"{not json"}`), 400, "ATTACH_ERROR", "Incorrect attach params")
	expectError(t, tp.json("im.notify.personal.add", `{"USER_ID":2,"MESSAGE":"x","ATTACH":[{"MESSAGE":"`+strings.Repeat("a", 60001)+`"}]}`), 400, "ATTACH_OVERSIZE", "")
	session := tp.IssueSessionToken(1)
	expectError(t, tp.form("im.notify.personal.add", url.Values{"auth": {session}, "USER_ID": {"2"}, "MESSAGE": {"x"}}), 403, "WRONG_AUTH_TYPE", "")

	page := tp.signIn(t, 2).get("/notifications/")
	if count(page, "notification") != 1 || !strings.Contains(page, `<a href="https://app.example/dialogs/7" target="_blank" rel="noopener">Ivan</a>`) {
		t.Fatal(page)
	}
	if count(page, "notification-link") != 1 || strings.Contains(page, "javascript:") {
		t.Fatalf("only safe ATTACH links: %s", page)
	}
	if !strings.Contains(tp.signIn(t, 2).get("/"), "(1)") {
		t.Fatal("the menu counts the notifications")
	}
	if page := tp.signIn(t, 1).get("/notifications/"); count(page, "notification") != 0 {
		t.Fatal("another user's notifications are not shown")
	}
	expectOK(t, tp.json("im.notify.delete", `{"SUB_TAG":"client|7"}`))
	if len(tp.Notifications()) != 0 {
		t.Fatal("delete by SUB_TAG")
	}
}
