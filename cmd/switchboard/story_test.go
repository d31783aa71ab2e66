package main

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFirstConversation plays the foundation's story in a real browser: a
// client writes on WhatsApp from the phone page, the manager sees it live,
// opens it, replies, and the phone shows the reply and the manager sees it
// delivered, then read.
func TestFirstConversation(t *testing.T) {
	env := runDemo(t)
	manager := newBrowser(t)
	phone := newBrowser(t)

	do(t, manager, "sign in as a manager",
		chromedp.Navigate(env.appURL+"/signin"),
		chromedp.Click(chromedp.CSS(`[data-testid=signin-user]`)),
	)
	waitJS(t, manager, "the inbox", `!!document.querySelector('[data-testid=dialog-list]')`)
	waitJS(t, manager, "the live stream", `document.body.dataset.liveState === "open"`)
	// Record every status an outgoing message shows, in order.
	evalJS[bool](t, manager, `(() => {
		window.statuses = [];
		new MutationObserver(() => {
			const m = document.querySelector('[data-testid=message][data-direction=out]');
			const s = m && m.dataset.status;
			if (s && window.statuses[window.statuses.length - 1] !== s) window.statuses.push(s);
		}).observe(document.body, {subtree: true, childList: true, attributes: true});
		return true;
	})()`)

	do(t, phone, "open the client phone as Ivan",
		chromedp.Navigate(env.graphURL),
		chromedp.SetValue(chromedp.CSS(`[data-testid=phone-client]`), "79990001122"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=phone-name]`), "Ivan Petrov"),
		chromedp.Click(chromedp.CSS(`[data-testid=phone-open]`)),
	)
	waitJS(t, phone, "the phone connected", `document.querySelector('[data-testid=phone-connection]').dataset.state === "open"`)
	do(t, phone, "the client writes Hello",
		chromedp.SendKeys(chromedp.CSS(`[data-testid=phone-input]`), "Hello"),
		chromedp.Click(chromedp.CSS(`[data-testid=phone-send]`)),
	)

	waitJS(t, manager, "the dialog with unread 1, without a reload", `(() => {
		const row = [...document.querySelectorAll('[data-testid=dialog-row]')]
			.find(r => r.querySelector('[data-testid=dialog-client]').textContent.includes('Ivan Petrov'));
		return row && row.querySelector('[data-testid=dialog-unread]').textContent.trim() === '1'
			&& row.querySelector('[data-testid=dialog-preview]').textContent.includes('Hello')
			&& row.querySelector('[data-testid=dialog-channel]').textContent.includes('Sales');
	})()`)
	if n := evalJS[float64](t, manager, `window.performance.getEntriesByType('navigation').length`); n != 1 {
		t.Fatalf("the page reloaded (%v navigations)", n)
	}

	do(t, manager, "open the dialog",
		chromedp.Click(chromedp.CSS(`[data-testid=dialog-row] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=dialog-view]`)),
	)
	waitJS(t, manager, "the client's message in the dialog", `[...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('Hello'))`)
	waitJS(t, manager, "unread 0 after opening", `document.querySelector('[data-testid=dialog-row] [data-testid=dialog-unread]').textContent.trim() === '0'
		&& document.querySelector('[data-testid=unread-total]').textContent.trim() === '0'`)

	do(t, manager, "reply with Enter",
		chromedp.SendKeys(chromedp.CSS(`[data-testid=composer-input]`), "Hi Ivan! How can I help?\r"),
	)
	waitJS(t, manager, "the reply with its author", `[...document.querySelectorAll('[data-testid=message][data-direction=out]')].some(m =>
		m.textContent.includes('Hi Ivan!') && m.querySelector('[data-testid=message-author]').textContent.includes('Anna Smirnova'))`)
	waitJS(t, phone, "the reply on the phone", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')].some(m => m.textContent.includes('Hi Ivan! How can I help?'))`)
	waitJS(t, manager, "the reply read", `document.querySelector('[data-testid=message][data-direction=out]').dataset.status === 'read'`)

	statuses := evalJS[[]string](t, manager, `window.statuses`)
	delivered, read := -1, -1
	for i, s := range statuses {
		switch s {
		case "delivered":
			delivered = i
		case "read":
			read = i
		}
	}
	if delivered < 0 || read < delivered {
		t.Fatalf("statuses shown %v: want delivered, then read", statuses)
	}
	if v := evalJS[string](t, manager, `document.querySelector('[data-testid=composer-input]').value`); v != "" {
		t.Fatalf("the composer kept %q after sending", v)
	}
}
