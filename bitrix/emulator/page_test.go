package emulator

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browser is a cookie-keeping client signed in to the portal page.
type browser struct {
	t  *testing.T
	c  *http.Client
	tp *testPortal
}

func (tp *testPortal) signIn(t *testing.T, userID int) *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, c: &http.Client{Jar: jar}, tp: tp}
	b.get(fmt.Sprintf("/login?user=%d", userID))
	return b
}

func (b *browser) get(path string) string {
	b.t.Helper()
	resp, err := b.c.Get(b.tp.srv.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		b.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, data)
	}
	return string(data)
}

func (b *browser) post(path string, form url.Values) *http.Response {
	b.t.Helper()
	resp, err := b.c.PostForm(b.tp.srv.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func count(page, testid string) int {
	return strings.Count(page, `data-testid="`+testid+`"`)
}

var hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// launchForm reads the iframe's launch form from a page.
func launchForm(t *testing.T, page string) (string, url.Values) {
	t.Helper()
	i := strings.Index(page, `data-testid="app-launch"`)
	if i < 0 {
		t.Fatal("no launch form")
	}
	start := strings.LastIndex(page[:i], "<form")
	end := strings.Index(page[start:], "</form>") + start
	form := page[start:end]
	m := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(form)
	vals := url.Values{}
	for _, h := range hiddenRe.FindAllStringSubmatch(form, -1) {
		vals.Set(h[1], html.UnescapeString(h[2]))
	}
	return html.UnescapeString(m[1]), vals
}

func TestPortalPagePlacements(t *testing.T) {
	tp := newTestPortal(t)
	deal := tp.SeedDeal(Deal{Title: "Big order"})
	for _, code := range []string{"CRM_DEAL_DETAIL_TAB", "CRM_DEAL_DETAIL_TOOLBAR", "LEFT_MENU"} {
		expectOK(t, tp.form("placement.bind", url.Values{"PLACEMENT": {code}, "HANDLER": {"https://app.example.com/p/" + code}, "TITLE": {"Switchboard"}}))
	}
	b := tp.signIn(t, 1)
	card := b.get(fmt.Sprintf("/crm/deal/details/%d/", deal))
	if count(card, "card-tab-app") != 0 || count(card, "card-toolbar-app") != 0 || count(card, "menu-app") != 0 {
		t.Fatal("placements must not show before installFinish")
	}
	if count(card, "install-app") != 1 {
		t.Fatal("admin should see the install item")
	}
	tp.FinishInstall()
	card = b.get(fmt.Sprintf("/crm/deal/details/%d/", deal))
	if count(card, "card-tab-app") != 1 || count(card, "card-toolbar-app") != 1 || count(card, "menu-app") != 1 {
		t.Fatalf("placements after install:\n%s", card)
	}
	tab := b.get(fmt.Sprintf("/crm/deal/details/%d/?tab=0", deal))
	if count(tab, "app-frame") != 1 {
		t.Fatal("no frame")
	}
	action, form := launchForm(t, tab)
	u, _ := url.Parse(action)
	if u.Host != "app.example.com" || u.Path != "/p/CRM_DEAL_DETAIL_TAB" {
		t.Fatal(action)
	}
	q := u.Query()
	if q.Get("DOMAIN") != tp.cfg.Domain || q.Get("PROTOCOL") != "0" || q.Get("LANG") != "en" || q.Get("APP_SID") == "" {
		t.Fatal(q)
	}
	if form.Get("PLACEMENT") != "CRM_DEAL_DETAIL_TAB" || form.Get("member_id") != tp.MemberID() || form.Get("APPLICATION_TOKEN") != tp.ApplicationToken() || form.Get("AUTH_EXPIRES") != "3600" {
		t.Fatal(form)
	}
	if !strings.Contains(form.Get("PLACEMENT_OPTIONS"), `"URI":"\/crm\/deal\/details\/`) {
		t.Fatalf("PLACEMENT_OPTIONS is PHP JSON: %s", form.Get("PLACEMENT_OPTIONS"))
	}
	var opts map[string]string
	if err := json.Unmarshal([]byte(form.Get("PLACEMENT_OPTIONS")), &opts); err != nil || opts["ID"] != fmt.Sprint(deal) || !strings.HasPrefix(opts["URI"], "/crm/deal/details/") {
		t.Fatalf("PLACEMENT_OPTIONS %q", form.Get("PLACEMENT_OPTIONS"))
	}
	// The frame's token is the viewer's.
	prof := tp.form("profile", url.Values{"auth": {form.Get("AUTH_ID")}})
	if prof.resultMap()["ID"] != "1" {
		t.Fatal(prof.raw)
	}
	// The manager gets their own token, and the language follows the switch.
	m := tp.signIn(t, 2)
	m.get("/lang/ru?back=/")
	page := m.get(fmt.Sprintf("/crm/deal/details/%d/?toolbar=0", deal))
	if !strings.Contains(page, "Сделки") || count(page, "slider") != 1 {
		t.Fatal("ru page with slider expected")
	}
	action, form = launchForm(t, page)
	if u, _ := url.Parse(action); u.Query().Get("LANG") != "ru" {
		t.Fatal(action)
	}
	if tp.form("profile", url.Values{"auth": {form.Get("AUTH_ID")}}).resultMap()["ID"] != "2" {
		t.Fatal("manager token expected")
	}
	left := m.get("/marketplace/app/?placement=LEFT_MENU&n=0")
	if _, f := launchForm(t, left); f.Get("PLACEMENT") != "LEFT_MENU" {
		t.Fatal(f)
	}
}

func TestPortalPageTimeline(t *testing.T) {
	tp := newTestPortal(t)
	lead := tp.SeedLead(Lead{Title: "L"})
	ids := []any{}
	for _, c := range []string{"first", "[b]second[/b]", "third <script>"} {
		ids = append(ids, tp.json("crm.timeline.comment.add", fmt.Sprintf(`{"fields":{"ENTITY_ID":%d,"ENTITY_TYPE":"lead","COMMENT":%q}}`, lead, c)).result())
	}
	expectOK(t, tp.form("crm.timeline.item.pin", url.Values{"id": {fmt.Sprint(ids[0])}, "ownerTypeId": {"1"}, "ownerId": {fmt.Sprint(lead)}}))
	page := tp.signIn(t, 2).get(fmt.Sprintf("/crm/lead/details/%d/", lead))
	if count(page, "timeline-item") != 3 {
		t.Fatal(page)
	}
	first := strings.Index(page, "first")
	third := strings.Index(page, "third")
	second := strings.Index(page, "<b>second</b>")
	if !(first < third && third < second) {
		t.Fatalf("pinned first, then newest first: %d %d %d", first, third, second)
	}
	if strings.Contains(page, "third <script>") {
		t.Fatal("comment not escaped")
	}
}

func TestPortalPageMessengerButton(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	botID, chatID := botSetup(t, tp, app)
	mid := tp.json("imbot.message.add", fmt.Sprintf(`{"BOT_ID":%v,"DIALOG_ID":"chat%v","MESSAGE":"Ivan: 1 unread","KEYBOARD":[{"TEXT":"No reply needed","COMMAND":"noreply","COMMAND_PARAMS":"7"}]}`, botID, chatID)).result()
	b := tp.signIn(t, 2)
	page := b.get(fmt.Sprintf("/online/?IM_DIALOG=chat%v", chatID))
	if count(page, "chat-item") != 1 || count(page, "chat-message") != 1 || count(page, "keyboard-button") != 1 {
		t.Fatal(page)
	}
	b.post("/online/button", url.Values{"message_id": {fmt.Sprint(mid)}, "index": {"0"}})
	for ev := range app.got {
		if ev.path == "/command" {
			if ev.form.Get("auth[user_id]") != "2" || ev.form.Get("event") != "ONIMCOMMANDADD" {
				t.Fatal(ev.form)
			}
			break
		}
	}
	b.post("/online/send", url.Values{"chat_id": {fmt.Sprint(chatID)}, "text": {"done"}})
	msgs := tp.ChatMessages(int(chatID))
	if msgs[len(msgs)-1].Text != "done" || msgs[len(msgs)-1].AuthorID != 2 {
		t.Fatal(msgs)
	}
}

func TestInstallFinishEndpoint(t *testing.T) {
	tp := newTestPortal(t, func(c *Config) { c.AppHandlers.Install = "https://app.example.com/install" })
	m := tp.signIn(t, 2)
	if page := m.get("/marketplace/app/"); count(page, "app-not-installed") != 1 {
		t.Fatal("non-admin must see the not-installed notice")
	}
	a := tp.signIn(t, 1)
	page := a.get("/marketplace/app/")
	_, form := launchForm(t, page)
	if form.Get("PLACEMENT") != "DEFAULT" {
		t.Fatal(form)
	}
	action, _ := launchForm(t, page)
	u, _ := url.Parse(action)
	sid := u.Query().Get("APP_SID")
	if resp := m.post("/emulator/install-finish", url.Values{"APP_SID": {sid}}); resp.StatusCode != 403 || tp.Installed() {
		t.Fatal("another user cannot finish")
	}
	if resp := a.post("/emulator/install-finish", url.Values{"APP_SID": {sid}}); resp.StatusCode != 200 || !tp.Installed() {
		t.Fatal("admin finish failed")
	}
}

func TestBX24Shim(t *testing.T) {
	tp := newTestPortal(t)
	resp, err := http.Get(tp.srv.URL + "/bx24.js")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, fn := range []string{"installFinish", "fitWindow", "resizeWindow", "setTitle", "getAuth", "placement", "postMessage"} {
		if !strings.Contains(string(data), fn) {
			t.Fatalf("shim lacks %s", fn)
		}
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/javascript") {
		t.Fatal(resp.Header.Get("Content-Type"))
	}
}

func TestCardEditFiresUpdate(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	lead := tp.SeedLead(Lead{Title: "L"})
	expectOK(t, tp.form("event.bind", url.Values{"event": {"ONCRMLEADUPDATE"}, "handler": {app.URL}}))
	b := tp.signIn(t, 1)
	if page := b.get(fmt.Sprintf("/crm/lead/details/%d/", lead)); count(page, "card-edit") != 1 {
		t.Fatal("no edit form")
	}
	b.post(fmt.Sprintf("/crm/lead/details/%d/", lead), url.Values{"ASSIGNED_BY_ID": {"2"}, "STAGE": {"IN_PROCESS"}})
	ev := <-app.got
	if ev.form.Get("event") != "ONCRMLEADUPDATE" || ev.form.Get("data[FIELDS][ID]") != fmt.Sprint(lead) || ev.form.Get("auth[user_id]") != "1" {
		t.Fatal(ev.form)
	}
	l, _ := tp.Entity("LEAD", lead)
	if l["ASSIGNED_BY_ID"] != "2" || l["STATUS_ID"] != "IN_PROCESS" {
		t.Fatal(l)
	}
}

func TestCORSPreflight(t *testing.T) {
	tp := newTestPortal(t)
	req, _ := http.NewRequest(http.MethodOptions, tp.srv.URL+"/rest/user.current.json", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Fatal(resp.StatusCode)
	}
	if tp.Stats().Requests != 0 {
		t.Fatal("a preflight is not a call")
	}
}

func TestCardShowsOpenLineChat(t *testing.T) {
	tp := newTestPortal(t)
	expectOK(t, tp.json("imconnector.register", connectorReg))
	expectOK(t, tp.json("imconnector.activate", `{"CONNECTOR":"switchboard_wa","LINE":1,"ACTIVE":1}`))
	res := tp.json("imconnector.send.messages", `{"CONNECTOR":"switchboard_wa","LINE":1,"MESSAGES":[{"user":{"id":"wa-1","name":"Ivan","phone":"+79990000001"},"message":{"id":"m1","text":"hi"},"chat":{"id":"wa-1"}}]}`)
	expectOK(t, res)
	lead := tp.EntityIDs("LEAD")[0]
	m := tp.signIn(t, 2)
	page := m.get(fmt.Sprintf("/crm/lead/details/%d/", lead))
	if count(page, "card-openline") != 1 || count(page, "openline-join") != 1 {
		t.Fatal(page)
	}
	chatID := tp.OpenLineSessions()["wa-1"]
	m.post("/online/join", url.Values{"chat_id": {fmt.Sprint(chatID)}})
	if page := m.get(fmt.Sprintf("/crm/lead/details/%d/", lead)); count(page, "openline-join") != 0 {
		t.Fatal("joined user still sees Join")
	}
	if page := m.get(fmt.Sprintf("/online/?IM_DIALOG=chat%d", chatID)); count(page, "chat-message") != 1 {
		t.Fatal("operator sees the client's message")
	}
}

func TestAppAccessRights(t *testing.T) {
	tp := newTestPortal(t)
	tp.AddUser(User{ID: 3, Name: "Carl"})
	deal := tp.SeedDeal(Deal{Title: "D"})
	expectOK(t, tp.form("placement.bind", url.Values{"PLACEMENT": {"CRM_DEAL_DETAIL_TAB"}, "HANDLER": {"https://app.example.com/tab"}}))
	tp.FinishInstall()
	tp.SetAppAccess(2)
	carl, _ := tp.IssueToken(3)
	expectError(t, tp.form("profile", url.Values{"auth": {carl}}), 403, "user_access_error", "The user does not have access to the application.")
	mark, _ := tp.IssueToken(2)
	expectOK(t, tp.form("profile", url.Values{"auth": {mark}}))
	if page := tp.signIn(t, 3).get(fmt.Sprintf("/crm/deal/details/%d/", deal)); count(page, "card-tab-app") != 0 {
		t.Fatal("no tab for a user without access")
	}
	if page := tp.signIn(t, 2).get(fmt.Sprintf("/crm/deal/details/%d/", deal)); count(page, "card-tab-app") != 1 {
		t.Fatal("tab for a user with access")
	}
}

func TestComposerUpload(t *testing.T) {
	tp := newTestPortal(t)
	chat := tp.json("im.chat.add", `{"TITLE":"t","USERS":[2]}`).result()
	b := tp.signIn(t, 2)
	body := "--B\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n" + fmt.Sprint(chat) + "\r\n" +
		"--B\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nphoto\r\n" +
		"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n--B--\r\n"
	resp, err := b.c.Post(tp.srv.URL+"/online/send", "multipart/form-data; boundary=B", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	page := b.get(fmt.Sprintf("/online/?IM_DIALOG=chat%v", chat))
	if count(page, "chat-file") != 1 || !strings.Contains(page, "a.png") {
		t.Fatal(page)
	}
}
