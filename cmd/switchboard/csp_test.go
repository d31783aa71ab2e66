package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// cspWatch records what a tab's pages and frames say about their
// Content-Security-Policy: every violation the browser reports, and the
// policy header of each of the app's documents.
type cspWatch struct {
	mu         sync.Mutex
	violations []string
	policies   map[string]string // document URL (without its query) → its Content-Security-Policy
}

// cspRelay runs in every frame before its scripts: a violation, which the
// page can see as a DOM event, goes to the console where the test reads it.
const cspRelay = `document.addEventListener("securitypolicyviolation", function (e) {
	console.error("csp-violation: " + e.violatedDirective + " blocked " + e.blockedURI + " in " + location.href + " (" + e.sourceFile + ":" + e.lineNumber + ")");
}, true);`

// watchCSP starts recording on tab: call it before opening any page.
func watchCSP(t *testing.T, tab contextTab, app string) *cspWatch {
	t.Helper()
	w := &cspWatch{policies: map[string]string{}}
	err := chromedp.Listen(tab, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			for _, a := range e.Args {
				var s string
				if json.Unmarshal([]byte(a.Value), &s) == nil && strings.HasPrefix(s, "csp-violation") {
					w.violations = append(w.violations, s)
				}
			}
		case *log.EventEntryAdded: // the browser's own "Refused to ..." messages
			if e.Entry != nil && strings.Contains(e.Entry.Text, "Content Security Policy") {
				w.violations = append(w.violations, "log: "+e.Entry.Text)
			}
		case *network.EventResponseReceived:
			if e.Type == network.ResourceTypeDocument && e.Response != nil && strings.HasPrefix(e.Response.URL, app) {
				for k, v := range e.Response.Headers {
					if strings.EqualFold(k, "Content-Security-Policy") {
						doc, _, _ := strings.Cut(e.Response.URL, "?")
						w.policies[doc] = fmt.Sprint(v)
					}
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = chromedp.Run(tab, chromedp.Action[bool](func(ctx context.Context, target *chromedp.Target) (bool, error) {
		_, err := cdp.Call(ctx, target, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspRelay})
		return err == nil, err
	}))
	if err != nil {
		t.Fatalf("install the violation relay: %v", err)
	}
	return w
}

func (w *cspWatch) seen() ([]string, map[string]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	policies := map[string]string{}
	for k, v := range w.policies {
		policies[k] = v
	}
	return append([]string(nil), w.violations...), policies
}

// wantDirectives checks a policy holds each directive, exactly.
func wantDirectives(t *testing.T, what, policy string, want ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, d := range strings.Split(policy, ";") {
		have[strings.TrimSpace(d)] = true
	}
	for _, d := range want {
		if !have[d] {
			t.Errorf("%s: the policy %q lacks %q", what, policy, d)
		}
	}
}

// TestPagesRunUnderTheirContentSecurityPolicy runs the app in a real
// browser, in the portal's frame, through the shared inbox, a live update,
// sending a message, a deal card and the install page (with the emulated
// portal's BX24 SDK), and checks that the browser reported no violation of
// the pages' policy — and that it would have.
func TestPagesRunUnderTheirContentSecurityPolicy(t *testing.T) {
	env := runDemo(t)
	app := env.appURL
	manager := newBrowser(t)
	watch := watchCSP(t, manager, app)
	phone := newBrowser(t)

	ivanWritesHello(t, env, manager, phone)
	doFrame(t, manager, app, "open the dialog", `document.querySelector('[data-testid=dialog-row] a').click()`)
	waitFrame(t, manager, app, "the client's message", `[...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('Hello'))`)
	managerTypes(t, manager, app, "Hi Ivan!")
	waitFrame(t, manager, app, "the reply sent", `[...document.querySelectorAll('[data-testid=message][data-direction=out]')].some(m => m.textContent.includes('Hi Ivan!'))`)
	waitFrame(t, manager, app, "the composer emptied after the send", `document.querySelector('[data-testid=composer-input]').value === ''`)
	waitJS(t, phone, "the reply on the phone", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')].some(m => m.textContent.includes('Hi Ivan!'))`)

	deal := dealTitled(t, env.portal, "Order #1024")
	signInToPortal(t, env, manager, 1, fmt.Sprintf("/crm/deal/details/%d/", deal))
	do(t, manager, "open the deal card's tab", chromedp.Click(chromedp.CSS(`[data-testid=card-tab-app]`)))
	waitFrame(t, manager, app, "the card chat", `document.querySelector('[data-testid=card-title]').textContent.includes('Order #1024')`)
	waitFrame(t, manager, app, "the card's live stream", `document.body.dataset.liveState === "open"`)

	// The install page runs the portal's BX24 SDK from another origin.
	if err := env.portal.Uninstall(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	do(t, manager, "open the app's install page as the admin", chromedp.Navigate(env.bitrixURL+"/marketplace/app/"))
	deadline := time.Now().Add(15 * time.Second)
	for !env.portal.Installed() {
		if time.Now().After(deadline) {
			t.Fatal("the install page did not finish the installation (BX24.installFinish)")
		}
		time.Sleep(50 * time.Millisecond)
	}

	violations, policies := watch.seen()
	if len(violations) > 0 {
		t.Errorf("the browser reported Content-Security-Policy violations:\n%s", strings.Join(violations, "\n"))
	}
	base := []string{"default-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
		"frame-ancestors 'self' " + env.bitrixURL}
	for _, path := range []string{"/bitrix/placement", "/bitrix/install"} {
		policy, ok := policies[app+path]
		if !ok {
			t.Fatalf("no policy seen on %s (documents: %v)", path, policies)
		}
		script := "script-src 'self' " + env.bitrixURL // the emulated portal serves its bx24.js
		wantDirectives(t, path, policy, append(base, script)...)
	}

	// The watch sees a violation when there is one: a load from another
	// origin (the portal's) into the app's frame.
	signInToPortal(t, env, manager, 1, "/")
	do(t, manager, "open the app from the left menu", chromedp.Click(chromedp.CSS(`[data-testid=menu-app]`)))
	waitFrame(t, manager, app, "the shared inbox", `document.querySelector('[data-testid=dialog-list]')`)
	doFrame(t, manager, app, "load an image from another origin", fmt.Sprintf(
		`const img = document.createElement('img'); img.src = %q; document.body.appendChild(img)`, env.bitrixURL+"/csp-canary.png"))
	deadline = time.Now().Add(10 * time.Second)
	for {
		violations, _ := watch.seen()
		if len(violations) > 0 && strings.Contains(strings.Join(violations, "\n"), "csp-canary") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a blocked load was not reported: the check above proves nothing (seen: %v)", violations)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
