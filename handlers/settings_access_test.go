package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/bitrix/emulator"
	"switchboard/db"
	"switchboard/inbox"
)

// The roles of the access matrix, by Bitrix24 user id.
const (
	roleAdmin   = 1 // a Bitrix24 administrator (installed the app)
	roleManager = 2 // the dialog's responsible
	roleSeeAll  = 3 // named in setting 7
	roleOther   = 4 // another manager
	roleHead    = 5 // heads the department the responsible works in
	roleNoApp   = 6 // signed in once, then lost access to the app
)

// TestAccessMatrix sends every route, as every role, at this portal's ids
// and another portal's: a dialog is reached exactly by who may see it
// under "own + my department's", the settings only by administrators, and
// each refusal is a 404 (403 for the settings, 401 without access) that
// leaks nothing.
func TestAccessMatrix(t *testing.T) {
	it := newInstalled(t)
	ctx := context.Background()
	it.portal.AddUser(emulator.User{ID: roleSeeAll, Name: "Vera", LastName: "Sokolova"})
	it.portal.AddUser(emulator.User{ID: roleOther, Name: "Oleg", LastName: "Smirnov", Departments: []int{3}})
	it.portal.AddUser(emulator.User{ID: roleHead, Name: "Galina", LastName: "Orlova", Departments: []int{2}})
	it.portal.AddUser(emulator.User{ID: roleNoApp, Name: "Pavel", LastName: "Lebedev"})
	it.portal.AddUser(emulator.User{ID: roleManager, Name: "Boris", LastName: "Ivanov", Departments: []int{4}})
	it.portal.SetDepartments([]emulator.Department{{ID: 1, Name: "Company"},
		{ID: 2, Name: "Sales", Parent: 1, Head: roleHead}, {ID: 3, Name: "Support", Parent: 1},
		{ID: 4, Name: "Sales North", Parent: 2}}) // the manager works one level below the head

	tokens := map[int]string{}
	for _, u := range []int{roleAdmin, roleManager, roleSeeAll, roleOther, roleHead, roleNoApp} {
		tokens[u] = it.signedIn(t, u)
	}
	portal, err := it.store.PortalByMemberID(ctx, "member-a")
	if err != nil {
		t.Fatal(err)
	}
	ourID := func(bitrixID int) int64 {
		u, err := it.store.UserByBitrixID(ctx, portal.ID, int64(bitrixID))
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	mustExec(t, it.store, `UPDATE users SET can_use_app = false WHERE id = $1`, ourID(roleNoApp))
	mustExec(t, it.store, `UPDATE portals SET settings = $2 WHERE id = $1`, portal.ID,
		fmt.Sprintf(`{"visibility": "own_and_department", "see_all": [%d]}`, ourID(roleSeeAll)))

	ownChannel, own := it.dialogIn(t, "member-a", "79990000001")
	foreignChannel, foreign := it.dialogIn(t, "member-z", "79990000002")
	mustExec(t, it.store, `UPDATE dialogs SET responsible_user_id = $2 WHERE id = $1`, own, ourID(roleManager))
	it.in.Blobs = inbox.NewDisk(t.TempDir())
	ownMsg, ownFile := messageWithFile(t, it.in, portal.ID, own, ownChannel)
	zPortal, _ := it.store.PortalByMemberID(ctx, "member-z")
	foreignMsg, foreignFile := messageWithFile(t, it.in, zPortal.ID, foreign, foreignChannel)
	clientOf := func(dialog int64) int64 {
		var c int64
		if err := it.store.DB.Get(&c, `SELECT client_id FROM dialogs WHERE id = $1`, dialog); err != nil {
			t.Fatal(err)
		}
		return c
	}

	sees := map[int]bool{roleManager: true, roleSeeAll: true, roleHead: true}
	admin := map[int]bool{roleAdmin: true, roleSeeAll: true}
	n := func(id int64) string { return strconv.FormatInt(id, 10) }

	type route struct {
		method, path string
		dialog       bool // a dialog's: reached by who sees it
		settings     bool // the settings': reached by administrators
		foreign      bool // names another portal's ids: 404 for everyone
		provider     bool // asks the channel's provider, which the test's cannot answer: said in place (422) once reached
	}
	dialogRoutes := func(d, m, a, c, ch int64, foreign bool) []route {
		return []route{
			{method: "GET", path: "/dialogs/" + n(d) + "/templates", dialog: true, foreign: foreign},
			{method: "GET", path: "/dialogs/" + n(d) + "/wa-templates", dialog: true, foreign: foreign},
			{method: "POST", path: "/dialogs/" + n(d) + "/no-reply", dialog: true, foreign: foreign},
			{method: "GET", path: "/clients/" + n(c) + "/composer?channel=" + n(ch), dialog: true, foreign: foreign},
			{method: "POST", path: "/clients/" + n(c) + "/messages?channel=" + n(ch) + "&text=hello", dialog: true, foreign: foreign},
			{method: "GET", path: "/clients/" + n(c) + "/wa-templates?channel=" + n(ch), dialog: true, foreign: foreign},
			{method: "POST", path: "/clients/" + n(c) + "/wa-templates?channel=" + n(ch) + "&name=follow_up&language=ru", dialog: true, foreign: foreign, provider: true},
			{method: "GET", path: "/dialogs/" + n(d), dialog: true, foreign: foreign},
			{method: "GET", path: "/dialogs/" + n(d) + "/messages", dialog: true, foreign: foreign},
			{method: "POST", path: "/dialogs/" + n(d) + "/read", dialog: true, foreign: foreign},
			{method: "POST", path: "/dialogs/" + n(d) + "/messages?text=hello", dialog: true, foreign: foreign},
			{method: "POST", path: "/messages/" + n(m) + "/pin", dialog: true, foreign: foreign},
			{method: "GET", path: "/attachments/" + n(a), dialog: true, foreign: foreign},
		}
	}
	settingsRoutes := func(c int64, foreign bool) []route {
		return []route{
			{method: "GET", path: "/settings/channels/" + n(c) + "/status", settings: true, foreign: foreign},
			{method: "POST", path: "/settings/channels/" + n(c) + "?name=Renamed", settings: true, foreign: foreign},
			{method: "POST", path: "/settings/channels/" + n(c) + "/disable", settings: true, foreign: foreign},
			{method: "POST", path: "/settings/channels/" + n(c) + "/enable", settings: true, foreign: foreign},
		}
	}
	routes := append(dialogRoutes(own, ownMsg, ownFile, clientOf(own), ownChannel, false),
		dialogRoutes(foreign, foreignMsg, foreignFile, clientOf(foreign), foreignChannel, true)...)
	routes = append(routes, settingsRoutes(ownChannel, false)[:2]...) // each redraws the page: REST calls
	routes = append(routes, settingsRoutes(foreignChannel, true)...)
	routes = append(routes,
		route{method: "GET", path: "/settings", settings: true},
		route{method: "POST", path: "/settings?visibility=nonsense", settings: true},
		route{method: "POST", path: "/settings/channels?transport=whatsapp", settings: true},
		route{method: "POST", path: "/settings/notify/members?user=999", settings: true},
		route{method: "POST", path: "/settings/notify/members/1/remove", settings: true},
		route{method: "POST", path: "/settings/channels/" + n(foreignChannel) + "/remove", settings: true, foreign: true},
	)

	for role, token := range tokens {
		for _, rt := range routes {
			status, body := it.send(t, rt.method, rt.path, token)
			var want []int // acceptable statuses
			switch {
			case role == roleNoApp:
				want = []int{http.StatusUnauthorized}
			case rt.settings && !admin[role]:
				want = []int{http.StatusForbidden}
			case rt.foreign:
				want = []int{http.StatusNotFound}
			case rt.dialog && !sees[role]:
				want = []int{http.StatusNotFound}
			}
			label := fmt.Sprintf("user %d: %s %s", role, rt.method, rt.path)
			if want != nil && status != want[0] {
				t.Errorf("%s: %d, want %d", label, status, want[0])
			}
			if want == nil && rt.provider && (status != http.StatusUnprocessableEntity || !strings.Contains(body, "templates could not be loaded")) {
				t.Errorf("%s: %d, want 422 (the templates unreadable)\n%s", label, status, body)
			}
			if want == nil && !rt.provider && (status == http.StatusNotFound || status == http.StatusForbidden || status == http.StatusUnauthorized || status >= 500) {
				t.Errorf("%s: %d, want it reached\n%s", label, status, body)
			}
			if strings.Contains(body, "79990000002") || (want != nil && strings.Contains(body, "79990000001")) {
				t.Errorf("%s leaked a client:\n%s", label, body)
			}
		}
		// Lists, counters and a card's rows: the dialog is there exactly for who sees it.
		for _, path := range []string{"/dialogs", "/", "/dialogs/rows?ids=" + n(own) + "," + n(foreign), "/search?q=79990000"} {
			status, body := it.send(t, "GET", path, token)
			if role == roleNoApp {
				if status != http.StatusUnauthorized {
					t.Errorf("user %d: GET %s: %d, want 401", role, path, status)
				}
				continue
			}
			if status != 200 || strings.Contains(body, "79990000002") || strings.Contains(body, "79990000001") != sees[role] {
				t.Errorf("user %d: GET %s: %d, shows our dialog %v, want %v\n%s", role, path, status,
					strings.Contains(body, "79990000001"), sees[role], body)
			}
			if path == "/" && strings.Contains(body, `data-testid="settings-link"`) != admin[role] {
				t.Errorf("user %d: the settings link shown %v, want %v", role, !admin[role], admin[role])
			}
		}
	}
	// Nothing changed on the other portal's channel, and our channel still works.
	if ch, _ := it.store.Channel(ctx, zPortal.ID, foreignChannel); ch.Name != "Sales" || ch.RemovedAt != nil || !ch.Enabled {
		t.Fatalf("another portal's channel after the matrix: %+v", ch)
	}
}

// TestOnlyAdministratorsPageIsClear: a manager opening the settings gets a
// page that says so, in their language.
func TestOnlyAdministratorsPageIsClear(t *testing.T) {
	it := newInstalled(t)
	token := it.signedIn(t, roleManager)
	req, _ := http.NewRequest(http.MethodGet, it.app.URL+"/settings?st="+token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), `data-testid="only-admins"`) ||
		!strings.Contains(string(body), "Only administrators") {
		t.Fatalf("the settings for a manager: %d\n%s", resp.StatusCode, body)
	}
}

func mustExec(t *testing.T, s *db.Store, query string, args ...any) {
	t.Helper()
	if _, err := s.DB.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

// messageWithFile stores an inbound message with one stored file in a
// dialog and returns their ids.
func messageWithFile(t *testing.T, in *inbox.Inbox, portalID, dialogID, channelID int64) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	s := in.Store
	key := "files/" + strconv.FormatInt(dialogID, 10)
	if _, _, err := in.Blobs.Put(ctx, key, strings.NewReader("%PDF-1.4 x")); err != nil {
		t.Fatal(err)
	}
	m, _, err := s.InsertMessage(ctx, db.Message{PortalID: portalID, DialogID: dialogID, ChannelID: channelID,
		Direction: "in", Kind: "document", Body: "contract", Status: "received", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.InsertAttachment(ctx, db.Attachment{PortalID: portalID, MessageID: m, FileName: "contract.pdf",
		MIME: "application/pdf", Size: 10, State: db.AttachmentReady, StorageKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return m, a
}
