package handlers_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"switchboard/bitrix"
	"switchboard/bitrix/emulator"
	"switchboard/channels"
	"switchboard/channels/whatsapp"
	"switchboard/db"
	"switchboard/db/pgtest"
	"switchboard/handlers"
	"switchboard/inbox"
)

// installed is our app installed into an emulated portal, both over HTTP.
type installed struct {
	app    *httptest.Server
	portal *emulator.Portal
	psrv   *httptest.Server
	store  *db.Store
	in     *inbox.Inbox
}

// newPortal serves an emulated portal whose app handlers point at appURL;
// tweaks adjust its config.
func newPortal(t *testing.T, appURL, member string, tweaks ...func(*emulator.Config)) (*emulator.Portal, *httptest.Server) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	cfg := emulator.Config{
		Domain: srv.Listener.Addr().String(), MemberID: member, ClientID: "local.sb", ClientSecret: "s3cret",
		Seed:        uint64(len(member)) + uint64(member[len(member)-1]), // portals issue different tokens
		AppHandlers: emulator.AppHandlerURLs{Install: appURL + handlers.PathInstall, App: appURL + handlers.PathPlacement},
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, tw := range tweaks {
		tw(&cfg)
	}
	p := emulator.New(cfg)
	srv.Config.Handler = p.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	p.AddUser(emulator.User{ID: 1, Name: "Anna", LastName: "Petrova", Admin: true})
	p.AddUser(emulator.User{ID: 2, Name: "Boris", LastName: "Ivanov"})
	return p, srv
}

// newInstalled installs the app; configure adjusts its handlers.Config.
func newInstalled(t *testing.T, configure ...func(*handlers.Config)) *installed {
	t.Helper()
	return newInstalledWith(t, nil, nil, configure...)
}

// newInstalledWith installs the app into a portal tweak adjusts, with the
// Inbox set up by prepare before the install.
func newInstalledWith(t *testing.T, tweak func(*emulator.Config), prepare func(*inbox.Inbox), configure ...func(*handlers.Config)) *installed {
	t.Helper()
	var tweaks []func(*emulator.Config)
	if tweak != nil {
		tweaks = append(tweaks, tweak)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dsn := pgtest.DSN(t)
	conn, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	it := &installed{store: db.New(conn)}
	it.app = httptest.NewUnstartedServer(nil)
	appURL := "http://" + it.app.Listener.Addr().String()
	it.portal, it.psrv = newPortal(t, appURL, "member-a", tweaks...)
	in := inbox.New(it.store, []channels.Transport{&whatsapp.Transport{}}, log)
	in.Blobs = inbox.NewDisk(t.TempDir())
	in.Portal = &inbox.Portal{Handlers: handlers.BitrixHandlers(appURL), AllowLocal: true, Client: bitrix.New(bitrix.Config{
		ClientID: "local.sb", ClientSecret: "s3cret", OAuthURL: it.psrv.URL,
		Tokens: inbox.PortalTokens{Store: it.store}, Limiter: inbox.PortalLimiter{Store: it.store, Rate: 2, Burst: 45}, Logger: log,
	})}
	it.in = in
	if prepare != nil {
		prepare(in)
	}
	hub := inbox.NewHub(in)
	hubCtx, stopHub := context.WithCancel(context.Background())
	go hub.Run(hubCtx, dsn)
	<-hub.Listening()
	cfg := handlers.Config{Secret: bytes.Repeat([]byte("k"), 32), Sessions: in.Store.DB.DB}
	for _, c := range configure {
		c(&cfg)
	}
	server := handlers.New(cfg, in, hub, log)
	it.app.Config.Handler = server.Routes()
	it.app.Start()
	t.Cleanup(func() { stopHub(); server.Close(); it.app.Close() })
	if err := it.portal.Install(context.Background()); err != nil {
		t.Fatalf("install: %v", err)
	}
	return it
}

// placement posts a placement form to our app.
func (it *installed) placement(t *testing.T, form url.Values, target string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Post(target, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestInstallSetsUpThePortalOnceEvenWhenRepeated(t *testing.T) {
	it := newInstalled(t)
	if err := it.portal.Install(context.Background()); err != nil {
		t.Fatalf("reinstall: %v", err)
	}
	// A reinstall that lost what the first made finds the chat by its
	// binding instead of making a second.
	if _, err := it.store.DB.Exec(`UPDATE portals SET notify_chat_id = NULL`); err != nil {
		t.Fatal(err)
	}
	if err := it.portal.Install(context.Background()); err != nil {
		t.Fatalf("reinstall: %v", err)
	}
	var portals, users int
	if err := it.store.DB.Get(&portals, `SELECT count(*) FROM portals WHERE member_id = 'member-a' AND enabled`); err != nil || portals != 1 {
		t.Fatalf("%d enabled portals (err %v), want 1", portals, err)
	}
	if err := it.store.DB.Get(&users, `SELECT count(*) FROM users WHERE is_admin`); err != nil || users != 1 {
		t.Fatalf("%d admins (err %v), want the installer", users, err)
	}
	var chats []emulator.ChatInfo
	for _, c := range it.portal.Chats(0) {
		if strings.Contains(c.Title, "notifications") {
			chats = append(chats, c)
		}
	}
	var st db.InstallState
	if err := it.store.DB.Get(&st, `SELECT bot_id, bot_command_id, notify_chat_id, installed_by FROM portals`); err != nil {
		t.Fatal(err)
	}
	if len(chats) != 1 || st.NotifyChatID == nil || int64(chats[0].ID) != *st.NotifyChatID ||
		!slices.Equal(chats[0].Users, []int{int(*st.BotID), 1}) || chats[0].EntityType != "SWITCHBOARD" {
		t.Fatalf("notification chats %+v (install %+v): want one, bound, the bot's, with the installing user as its only member", chats, st)
	}
	if !it.portal.Installed() {
		t.Fatal("the install did not finish")
	}
}

func TestPlacementSignsInWithAFramablePage(t *testing.T) {
	it := newInstalled(t)
	pr, err := it.portal.PlacementPost(2, "LEFT_MENU", it.app.URL+handlers.PathPlacement, nil, "ru")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := it.placement(t, pr.Form, pr.URL)
	if resp.StatusCode != 200 || !strings.Contains(body, `data-testid="dialog-list"`) {
		t.Fatalf("placement: %d\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(body, "Общий чат") {
		t.Fatal("LANG=ru did not give the Russian UI")
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' "+it.psrv.URL) {
		t.Fatalf("CSP %q does not let the portal frame the page", csp)
	}
	if xfo := resp.Header.Get("X-Frame-Options"); xfo != "" {
		t.Fatalf("X-Frame-Options %q forbids the portal's iframe", xfo)
	}
	if !strings.Contains(body, "X-Switchboard-Token") {
		t.Fatal("the page carries no token for cookie-less browsers")
	}
}

func TestForgedPlacementGetsNoSession(t *testing.T) {
	it := newInstalled(t)
	other, _ := newPortal(t, it.app.URL, "member-b")
	pr, err := it.portal.PlacementPost(2, "LEFT_MENU", it.app.URL+handlers.PathPlacement, nil, "en")
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := other.PlacementPost(1, "LEFT_MENU", it.app.URL+handlers.PathPlacement, nil, "en")
	if err != nil {
		t.Fatal(err)
	}
	forge := func(change func(url.Values)) url.Values {
		f := url.Values{}
		for k, v := range pr.Form {
			f[k] = append([]string(nil), v...)
		}
		change(f)
		return f
	}
	cases := map[string]url.Values{
		"unknown AUTH_ID":            forge(func(f url.Values) { f.Set("AUTH_ID", "forged-token") }),
		"another portal's token":     forge(func(f url.Values) { f.Set("AUTH_ID", foreign.Form.Get("AUTH_ID")) }),
		"another portal's member_id": foreign.Form,
		"wrong application token":    forge(func(f url.Values) { f.Set("APPLICATION_TOKEN", "nope") }),
		"unknown member_id":          forge(func(f url.Values) { f.Set("member_id", "who") }),
	}
	for name, form := range cases {
		resp, body := it.placement(t, form, pr.URL)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, resp.StatusCode)
		}
		if resp.Header.Get("Set-Cookie") != "" || strings.Contains(body, "X-Switchboard-Token") || strings.Contains(body, "dialog-list") {
			t.Errorf("%s: a session or page leaked:\n%s", name, body)
		}
	}
	var users int
	if err := it.store.DB.Get(&users, `SELECT count(*) FROM users`); err != nil || users != 1 {
		t.Fatalf("%d users after forged placements (err %v), want only the installer", users, err)
	}
}

func TestEventWithAWrongApplicationTokenChangesNothing(t *testing.T) {
	it := newInstalled(t)
	form := url.Values{"event": {"ONAPPUNINSTALL"}, "data[LANGUAGE_ID]": {"en"}, "data[CLEAN]": {"0"},
		"auth[domain]": {it.portal.Config().Domain}, "auth[member_id]": {"member-a"}, "auth[application_token]": {"forged"}}
	resp, err := http.PostForm(it.app.URL+handlers.PathEvents, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged uninstall: %d, want 401", resp.StatusCode)
	}
	var enabled bool
	if err := it.store.DB.Get(&enabled, `SELECT enabled FROM portals WHERE member_id = 'member-a'`); err != nil || !enabled {
		t.Fatalf("the forged event disabled the portal (err %v)", err)
	}
	// The right application token is not enough while the portal says the app is installed:
	// every employee sees that token.
	form.Set("auth[application_token]", it.portal.ApplicationToken())
	resp, err = http.PostForm(it.app.URL+handlers.PathEvents, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("uninstall of a portal that still has the app: %d, want 401", resp.StatusCode)
	}
	if err := it.portal.Uninstall(context.Background(), false); err != nil {
		t.Fatalf("genuine uninstall: %v", err)
	}
	if err := it.store.DB.Get(&enabled, `SELECT enabled FROM portals WHERE member_id = 'member-a'`); err != nil || enabled {
		t.Fatalf("uninstall did not disable the portal (err %v)", err)
	}
	var kept int
	if err := it.store.DB.Get(&kept, `SELECT count(*) FROM users`); err != nil || kept == 0 {
		t.Fatal("uninstall lost the portal's data")
	}
}

func TestOnAppInstallStoresTokensTheyCheckOut(t *testing.T) {
	it := newInstalled(t)
	other, _ := newPortal(t, it.app.URL, "member-c")
	forged := url.Values{"event": {"ONAPPINSTALL"}, "data[VERSION]": {"1"}, "auth[domain]": {other.Config().Domain},
		"auth[member_id]": {"member-c"}, "auth[access_token]": {"made-up"}, "auth[refresh_token]": {"made-up"},
		"auth[application_token]": {"x"}, "auth[expires_in]": {"3600"}, "auth[client_endpoint]": {other.BaseURL() + "/rest/"}}
	resp, err := http.PostForm(it.app.URL+handlers.PathEvents, forged)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("ONAPPINSTALL with tokens the portal refuses: %d, want 401", resp.StatusCode)
	}
	if _, err := it.store.PortalByMemberID(context.Background(), "member-c"); err == nil {
		t.Fatal("a refused ONAPPINSTALL stored a portal")
	}
	// An employee's own token is not an install.
	employee, _ := other.IssueToken(2)
	byEmployee := url.Values{}
	for k, v := range forged {
		byEmployee[k] = v
	}
	byEmployee.Set("auth[access_token]", employee)
	other.FinishInstall()
	resp, err = http.PostForm(it.app.URL+handlers.PathEvents, byEmployee)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("ONAPPINSTALL with an employee's token: %d, want 401", resp.StatusCode)
	}
	access, refresh := other.IssueToken(1)
	genuine := url.Values{}
	for k, v := range forged {
		genuine[k] = v
	}
	genuine.Set("auth[access_token]", access)
	genuine.Set("auth[refresh_token]", refresh)
	genuine.Set("auth[application_token]", other.ApplicationToken())
	resp, err = http.PostForm(it.app.URL+handlers.PathEvents, genuine)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("genuine ONAPPINSTALL: %d", resp.StatusCode)
	}
	p, err := it.store.PortalByMemberID(context.Background(), "member-c")
	if err != nil || p.AccessToken != access || p.RefreshToken != refresh || p.ApplicationToken != other.ApplicationToken() {
		t.Fatalf("ONAPPINSTALL did not store the tokens: %+v, %v", p, err)
	}
}

func TestOnAppInstallCannotTakeOverAnInstalledPortal(t *testing.T) {
	it := newInstalled(t)
	before, err := it.store.PortalByMemberID(context.Background(), "member-a")
	if err != nil {
		t.Fatal(err)
	}
	access, refresh := it.portal.IssueToken(1) // even an admin's fresh tokens
	form := url.Values{"event": {"ONAPPINSTALL"}, "auth[domain]": {it.portal.Config().Domain},
		"auth[member_id]": {"member-a"}, "auth[access_token]": {access}, "auth[refresh_token]": {refresh},
		"auth[application_token]": {"attacker-made"}, "auth[expires_in]": {"3600"}}
	resp, err := http.PostForm(it.app.URL+handlers.PathEvents, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("ONAPPINSTALL with another application token: %d, want 401", resp.StatusCode)
	}
	after, _ := it.store.PortalByMemberID(context.Background(), "member-a")
	if after.AccessToken != before.AccessToken || after.ApplicationToken != before.ApplicationToken {
		t.Fatal("the portal's tokens were replaced")
	}
}
