package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"switchboard/bitrix/emulator"
)

// signInToPortal signs in to the emulated Bitrix24 portal as a user and
// opens path there.
func signInToPortal(t *testing.T, env *demoEnv, tab contextTab, user int, path string) {
	t.Helper()
	do(t, tab, "sign in to the portal", chromedp.Navigate(fmt.Sprintf("%s/login?user=%d&back=%s", env.bitrixURL, user, path)))
}

// openSharedInbox signs in to the portal as user and opens the app from the
// left menu, live.
func openSharedInbox(t *testing.T, env *demoEnv, tab contextTab, user int) {
	t.Helper()
	signInToPortal(t, env, tab, user, "/")
	do(t, tab, "open the app from the left menu", chromedp.Click(chromedp.CSS(`[data-testid=menu-app]`)))
	waitFrame(t, tab, env.appURL, "the shared inbox", `document.querySelector('[data-testid=dialog-list]')`)
	waitFrame(t, tab, env.appURL, "the live stream", `document.body.dataset.liveState === "open"`)
}

// TestFirstConversation plays the foundation's story in a real browser: a
// client writes on WhatsApp from the phone page, the manager (in the
// portal's left menu app) sees it live, opens it, replies, and the phone
// shows the reply and the manager sees it delivered, then read.
func TestFirstConversation(t *testing.T) {
	env := runDemo(t)
	manager := newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL

	openSharedInbox(t, env, manager, 1)
	// Record every status an outgoing message shows, in order.
	doFrame(t, manager, app, "watch statuses", `
		document.body.dataset.statuses = "";
		new MutationObserver(() => {
			const m = document.querySelector('[data-testid=message][data-direction=out]');
			const s = m && m.dataset.status;
			const seen = document.body.dataset.statuses.split(",");
			if (s && seen[seen.length - 1] !== s) document.body.dataset.statuses += "," + s;
		}).observe(document.body, {subtree: true, childList: true, attributes: true})`)

	openPhone(t, phone, env, "79990001122", "Ivan Petrov")
	phoneSays(t, phone, "Hello")

	waitFrame(t, manager, app, "the dialog with unread 1, without a reload", `(() => {
		const row = [...document.querySelectorAll('[data-testid=dialog-row]')]
			.find(r => r.querySelector('[data-testid=dialog-client]').textContent.includes('Ivan Petrov'));
		return row && row.querySelector('[data-testid=dialog-unread]').textContent.trim() === '1'
			&& row.querySelector('[data-testid=dialog-preview]').textContent.includes('Hello')
			&& row.querySelector('[data-testid=dialog-channel]').textContent.includes('Sales');
	})()`)
	waitFrame(t, manager, app, "no reload happened", `performance.getEntriesByType('navigation').length === 1 && document.body.dataset.statuses === ""`)

	doFrame(t, manager, app, "open the dialog", `document.querySelector('[data-testid=dialog-row] a').click()`)
	waitFrame(t, manager, app, "the client's message in the dialog", `[...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('Hello'))`)
	waitFrame(t, manager, app, "unread 0 after opening", `document.querySelector('[data-testid=dialog-row] [data-testid=dialog-unread]').textContent.trim() === '0'
		&& document.querySelector('[data-testid=unread-total]').textContent.trim() === '0'`)

	managerTypes(t, manager, app, "Hi Ivan! How can I help?")
	waitFrame(t, manager, app, "the reply with its author", `[...document.querySelectorAll('[data-testid=message][data-direction=out]')].some(m =>
		m.textContent.includes('Hi Ivan!') && m.querySelector('[data-testid=message-author]').textContent.includes('Anna Petrova'))`)
	waitFrame(t, manager, app, "the composer emptied", `document.querySelector('[data-testid=composer-input]').value === ''`)
	waitJS(t, phone, "the reply on the phone", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')].some(m => m.textContent.includes('Hi Ivan! How can I help?'))`)
	waitFrame(t, manager, app, "the reply read", `document.querySelector('[data-testid=message][data-direction=out]').dataset.status === 'read'`)
	waitFrame(t, manager, app, "delivered shown before read", `(() => {
		const s = document.body.dataset.statuses.split(",");
		const d = s.indexOf("delivered"), r = s.indexOf("read");
		return d > 0 && r > d;
	})()`)
}

// TestDealCardChat signs in through a deal card of the emulated portal, with
// third-party cookies blocked, and chats with the deal's contact there.
func TestDealCardChat(t *testing.T) {
	env := runDemo(t)
	manager := newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL
	deal := dealTitled(t, env.portal, "Order #1024") // Ivan Kuznetsov, +7 999 123-45-67

	openPhone(t, phone, env, "79991234567", "Ivan Kuznetsov")
	phoneSays(t, phone, "Is my order ready?")

	signInToPortal(t, env, manager, 2, fmt.Sprintf("/crm/deal/details/%d/", deal))
	do(t, manager, "open the deal card's tab", chromedp.Click(chromedp.CSS(`[data-testid=card-tab-app]`)))
	waitFrame(t, manager, app, "the card chat with Ivan's dialog", `document.querySelector('[data-testid=card-title]').textContent.includes('Order #1024')
		&& [...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('Is my order ready?'))`)
	waitFrame(t, manager, app, "the live stream", `document.body.dataset.liveState === "open"`)
	if n := appCookies(t, manager, app); n != 0 {
		t.Fatalf("the browser kept %d cookies of the app: third-party cookies are not blocked, the test proves nothing", n)
	}

	managerTypes(t, manager, app, "Yes, it ships today.")
	waitJS(t, phone, "the reply on the phone", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')].some(m => m.textContent.includes('Yes, it ships today.'))`)
	waitFrame(t, manager, app, "the reply sent", `['sent','delivered','read'].includes(document.querySelector('[data-testid=message][data-direction=out]').dataset.status)`)

	phoneSays(t, phone, "Thank you!")
	waitFrame(t, manager, app, "the client's answer, live", `[...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('Thank you!'))`)
}

func openPhone(t *testing.T, phone contextTab, env *demoEnv, number, name string) {
	t.Helper()
	do(t, phone, "open the client phone as "+name,
		chromedp.Navigate(env.graphURL),
		chromedp.SetValue(chromedp.CSS(`[data-testid=phone-client]`), number),
		chromedp.SetValue(chromedp.CSS(`[data-testid=phone-name]`), name),
		chromedp.Click(chromedp.CSS(`[data-testid=phone-open]`)),
	)
	waitJS(t, phone, "the phone connected", `document.querySelector('[data-testid=phone-connection]').dataset.state === "open"`)
}

// ivanWritesHello opens the shared inbox in manager and has a new client,
// Ivan, write "Hello" from phone; it returns once his row shows it, live.
func ivanWritesHello(t *testing.T, env *demoEnv, manager, phone contextTab) {
	t.Helper()
	openSharedInbox(t, env, manager, 1)
	openPhone(t, phone, env, "79990001122", "Ivan Petrov")
	phoneSays(t, phone, "Hello")
	waitFrame(t, manager, env.appURL, "the client's dialog, live", `[...document.querySelectorAll('[data-testid=dialog-row]')]
		.some(r => r.querySelector('[data-testid=dialog-preview]').textContent.includes('Hello'))`)
}

func phoneSays(t *testing.T, phone contextTab, text string) {
	t.Helper()
	do(t, phone, "the client writes "+text,
		chromedp.SendKeys(chromedp.CSS(`[data-testid=phone-input]`), text),
		chromedp.Click(chromedp.CSS(`[data-testid=phone-send]`)),
	)
}

// managerTypes types into the composer and presses Enter.
func managerTypes(t *testing.T, tab contextTab, app, text string) {
	t.Helper()
	doFrame(t, tab, app, "type and press Enter", fmt.Sprintf(`
		const input = document.querySelector('[data-testid=composer-input]');
		input.value = %q;
		input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))`, text))
}

// appCookies counts the cookies the browser holds for the app.
func appCookies(t *testing.T, tab contextTab, app string) int {
	t.Helper()
	n, err := chromedp.Run(tab, chromedp.Action[int](func(ctx context.Context, target *chromedp.Target) (int, error) {
		res, err := cdp.Call(ctx, target, network.GetCookies, network.GetCookiesParams{URLs: []string{app + "/"}})
		if err != nil {
			return 0, err
		}
		return len(res.Cookies), nil
	}))
	if err != nil {
		t.Fatalf("read the browser's cookies: %v", err)
	}
	return n
}

func dealTitled(t *testing.T, p *emulator.Portal, title string) int {
	t.Helper()
	for _, id := range p.EntityIDs("deal") {
		if e, ok := p.Entity("deal", id); ok && e["TITLE"] == title {
			return id
		}
	}
	t.Fatalf("no deal %q in the emulated portal", title)
	return 0
}
