package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

func newChrome(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("chromium is not installed")
	}
	dir := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir), chromedp.Env("TMPDIR="+dir))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// fakeApp is an app that installs itself the way Switchboard does: binds
// placements from the install page with AUTH_ID, then calls installFinish.
type fakeApp struct {
	srv     *httptest.Server
	reports chan map[string]any
	events  chan url.Values
}

func newFakeApp(t *testing.T, portal func() *testPortal) *fakeApp {
	a := &fakeApp{reports: make(chan map[string]any, 10), events: make(chan url.Values, 10)}
	page := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><body>%s<script src="%s/bx24.js"></script><script>%s</script></body></html>`,
			"<h1>app</h1>", portal().srv.URL, body)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /install", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		auth := r.PostForm.Get("AUTH_ID")
		base := portal().srv.URL + "/rest/"
		for _, code := range []string{"LEFT_MENU", "CRM_DEAL_DETAIL_TAB"} {
			resp, err := http.PostForm(base+"placement.bind", url.Values{"auth": {auth}, "PLACEMENT": {code}, "HANDLER": {a.srv.URL + "/placement"}, "TITLE": {"Switchboard"}})
			if err != nil || resp.StatusCode != 200 {
				http.Error(w, "bind failed", 500)
				return
			}
			resp.Body.Close()
		}
		page(w, `BX24.init(function(){ BX24.installFinish(); });`)
	})
	mux.HandleFunc("POST /placement", func(w http.ResponseWriter, r *http.Request) {
		page(w, `BX24.init(function(){
			fetch('/report', {method:'POST', body: JSON.stringify({info: BX24.placement.info(), auth: BX24.getAuth(), lang: BX24.getLang()})});
			BX24.fitWindow();
		});`)
	})
	mux.HandleFunc("POST /report", func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		data, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(data, &m)
		a.reports <- m
	})
	mux.HandleFunc("POST /command", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		a.events <- r.PostForm
	})
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	return a
}

func TestBrowserInstallPlacementAndKeyboard(t *testing.T) {
	ctx := newChrome(t)
	var tp *testPortal
	app := newFakeApp(t, func() *testPortal { return tp })
	tp = newTestPortal(t, func(c *Config) { c.AppHandlers.Install = app.srv.URL + "/install" })
	deal := tp.SeedDeal(Deal{Title: "Browser deal"})

	// Install: the admin opens the app, the install page binds and calls installFinish.
	err := chromedp.Do(ctx,
		chromedp.Navigate(tp.srv.URL+"/login?user=1&back=/marketplace/app/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="menu-app"]`)),
	)
	if err != nil {
		t.Fatalf("install flow: %v", err)
	}
	if !tp.Installed() {
		t.Fatal("installFinish did not reach the portal")
	}

	// The deal card's tab opens the app with the card's ID.
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/crm/deal/details/%d/", tp.srv.URL, deal)),
		chromedp.Click(chromedp.CSS(`[data-testid="card-tab-app"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="app-frame"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case rep := <-app.reports:
		info := rep["info"].(map[string]any)
		opts := info["options"].(map[string]any)
		if info["placement"] != "CRM_DEAL_DETAIL_TAB" || opts["ID"] != fmt.Sprint(deal) || rep["lang"] != "en" {
			t.Fatalf("placement info %v", rep)
		}
		auth := rep["auth"].(map[string]any)
		if tp.form("profile", url.Values{"auth": {auth["access_token"].(string)}}).resultMap()["ID"] != "1" {
			t.Fatal("getAuth token is not the viewer's")
		}
	case <-ctx.Done():
		t.Fatal("the placement page never reported")
	}

	// A keyboard button in the messenger fires ONIMCOMMANDADD.
	reg := tp.json("imbot.register", fmt.Sprintf(`{"CODE":"sb","EVENT_HANDLER":%q,"PROPERTIES":{"NAME":"Switchboard"}}`, app.srv.URL+"/bot"))
	botID := reg.result()
	expectOK(t, tp.json("imbot.command.register", fmt.Sprintf(`{"BOT_ID":%v,"COMMAND":"noreply","HIDDEN":"Y","EVENT_COMMAND_ADD":%q,"LANG":[{"LANGUAGE_ID":"en","TITLE":"x"}]}`, botID, app.srv.URL+"/command")))
	chatID := tp.json("imbot.chat.add", fmt.Sprintf(`{"BOT_ID":%v,"TITLE":"Switchboard","USERS":[1]}`, botID)).result()
	expectOK(t, tp.json("imbot.message.add", fmt.Sprintf(`{"BOT_ID":%v,"DIALOG_ID":"chat%v","MESSAGE":"[b]Ivan[/b]: 2 unread","KEYBOARD":{"BOT_ID":%v,"BUTTONS":[{"TEXT":"No reply needed","COMMAND":"noreply","COMMAND_PARAMS":"client:9","BLOCK":"Y"}]}}`, botID, chatID, botID)))
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/online/?IM_DIALOG=chat%v", tp.srv.URL, chatID)),
		chromedp.Click(chromedp.CSS(`[data-testid="keyboard-button"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case f := <-app.events:
		var params string
		for k, v := range f {
			if strings.HasSuffix(k, "[COMMAND_PARAMS]") {
				params = v[0]
			}
		}
		if f.Get("event") != "ONIMCOMMANDADD" || params != "client:9" {
			t.Fatal(f)
		}
	case <-ctx.Done():
		t.Fatal("no command event")
	}
}
