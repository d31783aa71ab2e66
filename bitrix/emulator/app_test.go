package emulator

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

func TestUserMethods(t *testing.T) {
	tp := newTestPortal(t)
	cur := tp.form("user.current", nil)
	expectOK(t, cur)
	u := cur.resultMap()
	if u["ID"] != "1" || u["ACTIVE"] != true || u["NAME"] != "Anna" || u["PERSONAL_PHOTO"] != "https://cdn.example.com/anna.png" {
		t.Fatalf("user.current %v", u)
	}
	if d, ok := u["UF_DEPARTMENT"].([]any); !ok || d[0] != float64(1) {
		t.Fatalf("UF_DEPARTMENT %v", u["UF_DEPARTMENT"])
	}
	list := tp.form("user.get", url.Values{"FILTER[ID]": {"2"}})
	expectOK(t, list)
	if l := list.resultList(); len(l) != 1 || l[0].(map[string]any)["LAST_NAME"] != "Manager" || list.body["total"] != float64(1) {
		t.Fatalf("user.get %s", list.raw)
	}
	if _, ok := list.body["next"]; ok {
		t.Fatal("next without more rows")
	}
	prof := tp.form("profile", nil).resultMap()
	if prof["ADMIN"] != true || prof["ID"] != "1" {
		t.Fatalf("profile %v", prof)
	}
	mark, _ := tp.IssueToken(2)
	if tp.form("profile", url.Values{"auth": {mark}}).resultMap()["ADMIN"] != false {
		t.Fatal("manager is no admin")
	}
	// A user who follows the portal's default has no zone of their own;
	// one who set theirs gets it with its offset from the server's (UTC).
	if prof["TIME_ZONE"] != "" || prof["TIME_ZONE_OFFSET"] != float64(0) {
		t.Fatalf("profile of a user on the portal's default zone: %v", prof)
	}
	tp.AddUser(User{ID: 2, Name: "Boris", LastName: "Manager", TimeZone: "Asia/Vladivostok"})
	if p := tp.form("profile", url.Values{"auth": {mark}}).resultMap(); p["TIME_ZONE"] != "Asia/Vladivostok" || p["TIME_ZONE_OFFSET"] != float64(36000) {
		t.Fatalf("profile of a user in Vladivostok: %v", p)
	}
	if u := tp.form("user.get", url.Values{"FILTER[ID]": {"2"}}).resultList()[0].(map[string]any); u["TIME_ZONE"] != "Asia/Vladivostok" || u["TIME_ZONE_OFFSET"] != "36000" {
		t.Fatalf("user.get of a user in Vladivostok: %v", u)
	}
}

func TestUserGetPages(t *testing.T) {
	tp := newTestPortal(t)
	for i := 3; i <= 120; i++ {
		tp.AddUser(User{ID: i, Name: "U"})
	}
	a := tp.form("user.get", nil)
	if len(a.resultList()) != 50 || a.body["next"] != float64(50) || a.body["total"] != float64(120) {
		t.Fatalf("page 1: next %v total %v", a.body["next"], a.body["total"])
	}
	a = tp.form("user.get", url.Values{"start": {"100"}})
	if len(a.resultList()) != 20 || a.body["next"] != nil {
		t.Fatalf("page 3: %d next %v", len(a.resultList()), a.body["next"])
	}
}

func TestAppInfo(t *testing.T) {
	tp := newTestPortal(t)
	info := tp.form("app.info", nil)
	expectOK(t, info)
	if info.resultMap()["INSTALLED"] != false || info.resultMap()["CODE"] != "local.switchboard" {
		t.Fatal(info.raw)
	}
	tp.FinishInstall()
	if tp.form("app.info", nil).resultMap()["INSTALLED"] != true {
		t.Fatal("installed")
	}
	session := tp.IssueSessionToken(1)
	expectError(t, tp.form("app.info", url.Values{"auth": {session}}), 403, "ACCESS_DENIED", "Access denied! Application context required")
}

func TestPlacementMethods(t *testing.T) {
	tp := newTestPortal(t)
	bind := url.Values{"PLACEMENT": {"CRM_DEAL_DETAIL_TAB"}, "HANDLER": {"https://app.example.com/tab"}, "TITLE": {"Switchboard"}}
	a := tp.form("placement.bind", bind)
	expectOK(t, a)
	if a.result() != true {
		t.Fatal(a.raw)
	}
	expectError(t, tp.form("placement.bind", bind), 400, "ERROR_CORE", "Unable to set placement handler: Handler already binded")
	missing := tp.form("placement.bind", url.Values{"HANDLER": {"https://x"}})
	expectError(t, missing, 400, "ERROR_ARGUMENT", "Argument 'PLACEMENT' is null or empty")
	if missing.body["argument"] != "PLACEMENT" {
		t.Fatal(missing.raw)
	}
	expectError(t, tp.form("placement.bind", url.Values{"PLACEMENT": {"NO_SUCH"}, "HANDLER": {"https://x"}}), 400, "ERROR_PLACEMENT_NOT_FOUND", "Placement not found")
	mark, _ := tp.IssueToken(2)
	bind.Set("auth", mark)
	expectError(t, tp.form("placement.bind", bind), 403, "ACCESS_DENIED", "")
	session := tp.IssueSessionToken(1)
	bind.Set("auth", session)
	expectError(t, tp.form("placement.bind", bind), 403, "WRONG_AUTH_TYPE", "")

	got := tp.form("placement.get", nil).resultList()
	if len(got) != 1 {
		t.Fatal(got)
	}
	pl := got[0].(map[string]any)
	if pl["placement"] != "CRM_DEAL_DETAIL_TAB" || pl["handler"] != "https://app.example.com/tab" || pl["title"] != "Switchboard" {
		t.Fatal(pl)
	}
	if opts, ok := pl["options"].([]any); !ok || len(opts) != 0 {
		t.Fatalf("options should be PHP [] when empty: %#v", pl["options"])
	}
	un := tp.form("placement.unbind", url.Values{"PLACEMENT": {"CRM_DEAL_DETAIL_TAB"}})
	if un.resultMap()["count"] != float64(1) || len(tp.Bindings()) != 0 {
		t.Fatal(un.raw)
	}
}

func TestEventMethods(t *testing.T) {
	tp := newTestPortal(t)
	bind := url.Values{"event": {"OnCrmLeadUpdate"}, "handler": {"https://app.example.com/events"}}
	expectOK(t, tp.form("event.bind", bind))
	expectError(t, tp.form("event.bind", bind), 400, "ERROR_HANDLER_ALREADY_EXIST", "Handler already exists!")
	expectError(t, tp.form("event.bind", url.Values{"event": {"OnNothing"}, "handler": {"https://x"}}), 400, "ERROR_EVENT_NOT_FOUND", "Event not found")
	got := tp.form("event.get", nil).resultList()
	if len(got) != 1 {
		t.Fatal(got)
	}
	b := got[0].(map[string]any)
	if b["event"] != "ONCRMLEADUPDATE" || b["auth_type"] != "0" || b["offline"] != float64(0) {
		t.Fatal(b)
	}
	secret := tp.AddWebhook(1)
	expectError(t, tp.get("/rest/1/"+secret+"/event.bind?event=ONCRMLEADADD&handler=https://x"), 403, "WRONG_AUTH_TYPE", "")
	un := tp.form("event.unbind", url.Values{"event": {"ONCRMLEADUPDATE"}, "handler": {"https://app.example.com/events"}})
	if un.resultMap()["count"] != float64(1) {
		t.Fatal(un.raw)
	}
}

// appServer records the form posts it receives.
type appServer struct {
	*httptest.Server
	mu    sync.Mutex
	posts []recordedPost
	got   chan recordedPost
}

type recordedPost struct {
	path        string
	query       url.Values
	form        url.Values
	contentType string
	raw         string
}

func newAppServer(t *testing.T) *appServer {
	a := &appServer{got: make(chan recordedPost, 100)}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(data))
		rp := recordedPost{path: r.URL.Path, query: r.URL.Query(), form: form, contentType: r.Header.Get("Content-Type"), raw: string(data)}
		a.mu.Lock()
		a.posts = append(a.posts, rp)
		a.mu.Unlock()
		a.got <- rp
		_, _ = io.WriteString(w, "<html>ok</html>")
	}))
	t.Cleanup(a.Close)
	return a
}

func TestSendEventFormEncoding(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	expectOK(t, tp.form("event.bind", url.Values{"event": {"ONCRMDEALUPDATE"}, "handler": {app.URL + "/events"}}))
	err := tp.SendEvent(context.Background(), "OnCrmDealUpdate", map[string]any{"FIELDS": map[string]any{"ID": "759"}})
	if err != ErrNotInstalled {
		t.Fatalf("before install: %v", err)
	}
	tp.FinishInstall()
	if err := tp.SendEvent(context.Background(), "OnCrmDealUpdate", map[string]any{"FIELDS": map[string]any{"ID": "759"}}); err != nil {
		t.Fatal(err)
	}
	p := <-app.got
	if p.contentType != "application/x-www-form-urlencoded" {
		t.Fatal(p.contentType)
	}
	f := p.form
	checks := map[string]string{
		"event":                   "ONCRMDEALUPDATE",
		"event_handler_id":        "1",
		"data[FIELDS][ID]":        "759",
		"ts":                      "1773133200",
		"auth[application_token]": tp.ApplicationToken(),
		"auth[domain]":            tp.cfg.Domain,
		"auth[member_id]":         tp.MemberID(),
		"auth[client_endpoint]":   tp.srv.URL + "/rest/",
		"auth[user_id]":           "1",
		"auth[expires_in]":        "3600",
	}
	for k, want := range checks {
		if got := f.Get(k); got != want {
			t.Errorf("%s = %q, want %q (body %s)", k, got, want, p.raw)
		}
	}
	// The event's access token works against the portal.
	expectOK(t, tp.form("profile", url.Values{"auth": {f.Get("auth[access_token]")}}))
	if f.Get("auth[refresh_token]") == "" {
		t.Fatal("no refresh token")
	}
}

func TestEventByRobotHasNoTokens(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	expectOK(t, tp.form("event.bind", url.Values{"event": {"ONCRMLEADUPDATE"}, "handler": {app.URL}}))
	if err := tp.SendEventAs(context.Background(), "ONCRMLEADUPDATE", map[string]any{"FIELDS": map[string]any{"ID": "1"}}, 0); err != nil {
		t.Fatal(err)
	}
	f := (<-app.got).form
	if f.Get("auth[access_token]") != "" || f.Get("auth[application_token]") != tp.ApplicationToken() {
		t.Fatalf("robot event auth: %v", f)
	}
}

func TestRESTChangesFireEvents(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	expectOK(t, tp.form("event.bind", url.Values{"event": {"ONCRMCONTACTADD"}, "handler": {app.URL}}))
	a := tp.form("crm.contact.add", url.Values{"fields[NAME]": {"Eve"}})
	f := (<-app.got).form
	if f.Get("event") != "ONCRMCONTACTADD" || f.Get("data[FIELDS][ID]") != str(a.result()) {
		t.Fatal(f)
	}
}

func TestInstallFlow(t *testing.T) {
	app := newAppServer(t)
	tp := newTestPortal(t, func(c *Config) {
		c.AppHandlers.Install = app.URL + "/install"
		c.AppHandlers.InstallEvent = app.URL + "/install-event"
	})
	if err := tp.Install(context.Background()); err != nil {
		t.Fatal(err)
	}
	page := <-app.got
	if page.path != "/install" || page.form.Get("PLACEMENT") != "DEFAULT" || page.form.Get("PLACEMENT_OPTIONS") != "{}" {
		t.Fatalf("install page %+v", page)
	}
	for _, k := range []string{"DOMAIN", "PROTOCOL", "LANG", "APP_SID"} {
		if page.query.Get(k) == "" {
			t.Fatalf("install query lacks %s: %v", k, page.query)
		}
	}
	if page.query.Get("PROTOCOL") != "0" || page.query.Get("DOMAIN") != tp.cfg.Domain {
		t.Fatal(page.query)
	}
	for _, k := range []string{"AUTH_ID", "AUTH_EXPIRES", "REFRESH_ID", "SERVER_ENDPOINT", "APPLICATION_TOKEN", "APPLICATION_SCOPE", "member_id", "status"} {
		if page.form.Get(k) == "" {
			t.Fatalf("install body lacks %s", k)
		}
	}
	ev := <-app.got
	if ev.path != "/install-event" || ev.form.Get("event") != "ONAPPINSTALL" || ev.form.Get("data[INSTALLED]") != "Y" || ev.form.Get("auth[refresh_token]") == "" {
		t.Fatalf("install event %+v", ev.form)
	}
	if ev.form.Get("auth[application_token]") != page.form.Get("APPLICATION_TOKEN") {
		t.Fatal("application token differs between page and event")
	}
	if !tp.Installed() {
		t.Fatal("not installed")
	}
}

func TestUninstall(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	expectOK(t, tp.form("event.bind", url.Values{"event": {"ONAPPUNINSTALL"}, "handler": {app.URL}}))
	expectOK(t, tp.form("placement.bind", url.Values{"PLACEMENT": {"LEFT_MENU"}, "HANDLER": {app.URL}}))
	if err := tp.Uninstall(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	f := (<-app.got).form
	if f.Get("event") != "ONAPPUNINSTALL" || f.Get("data[CLEAN]") != "1" || f.Get("auth[access_token]") != "" || f.Get("auth[application_token]") == "" {
		t.Fatal(f)
	}
	if len(tp.Bindings()) != 0 {
		t.Fatal("placements survive uninstall")
	}
	expectError(t, tp.form("profile", nil), 401, "invalid_token", "")
	v := url.Values{"grant_type": {"refresh_token"}, "client_id": {tp.cfg.ClientID}, "client_secret": {tp.cfg.ClientSecret}, "refresh_token": {"any"}}
	if a := tp.get("/oauth/token/?" + v.Encode()); a.status != 401 || a.body["error"] != "invalid_client" {
		t.Fatalf("a deleted app's client is refused: %s", a.raw)
	}
}

func TestSendCRMEvent(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	expectOK(t, tp.form("event.bind", url.Values{"event": {"ONCRMLEADUPDATE"}, "handler": {app.URL}, "auth_type": {"2"}}))
	if err := tp.SendCRMEvent(context.Background(), "lead", "update", 12); err != nil {
		t.Fatal(err)
	}
	f := (<-app.got).form
	if f.Get("data[FIELDS][ID]") != "12" || f.Get("auth[user_id]") != "2" {
		t.Fatalf("auth_type user's tokens expected: %v", f)
	}
	if b := tp.EventBindings(); len(b) != 1 || b[0].AuthType != 2 {
		t.Fatal(b)
	}
}

func TestInstallPageCallsBack(t *testing.T) {
	var tp *testPortal
	app := newFakeApp(t, func() *testPortal { return tp })
	tp = newTestPortal(t, func(c *Config) { c.AppHandlers.Install = app.srv.URL + "/install" })
	if err := tp.Install(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b := tp.Bindings(); len(b) != 2 || !tp.Installed() {
		t.Fatalf("the install page's placement.bind calls: %+v", b)
	}
}
