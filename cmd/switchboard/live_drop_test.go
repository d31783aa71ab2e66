package main

import (
	"fmt"
	"testing"
)

// rowOf is JavaScript finding the dialog row of the client titled name.
func rowOf(name string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('[data-testid=dialog-row]')].find(r => r.querySelector('[data-testid=dialog-client]').textContent.includes(%q))`, name)
}

// TestDroppedStreamRecoversEveryCounter drops the network under the
// shared inbox's live stream while clients write (one who had written, one
// new) and checks, once it comes back and without a reload, the header's
// total, the page title, each row's count and preview, and the new row.
func TestDroppedStreamRecoversEveryCounter(t *testing.T) {
	for _, c := range []struct {
		name       string
		badGateway bool
	}{
		{"the browser reconnects with Last-Event-ID", false},
		{"a 502 closes the stream and a new one starts afresh", true},
	} {
		t.Run(c.name, func(t *testing.T) { dropStream(t, c.badGateway) })
	}
}

func dropStream(t *testing.T, badGateway bool) {
	proxy := &cutProxy{}
	env := runDemo(t, behind(proxy))
	manager := newBrowser(t)
	phoneA, phoneB, phoneC := newBrowser(t), newBrowser(t), newBrowser(t)
	app := env.appURL
	openSharedInbox(t, env, manager, 1)
	openPhone(t, phoneA, env, "79990008001", "Alice Drop")
	phoneSays(t, phoneA, "First")
	openPhone(t, phoneC, env, "79990008003", "Carol Open")
	phoneSays(t, phoneC, "I am the open one")
	waitFrame(t, manager, app, "Alice's and Carol's rows, unread 1 each", rowOf("Alice Drop")+`?.querySelector('[data-testid=dialog-unread]').textContent.trim() === '1'
		&& `+rowOf("Carol Open")+`?.querySelector('[data-testid=dialog-unread]').textContent.trim() === '1'
		&& document.querySelector('[data-testid=unread-total]').textContent.trim() === '2'`)
	doFrame(t, manager, app, "open Carol's dialog", rowOf("Carol Open")+`.querySelector('a').click()`)
	waitFrame(t, manager, app, "Carol's dialog read", `document.querySelector('[data-testid=unread-total]').textContent.trim() === '1'`)
	openPhone(t, phoneB, env, "79990008002", "Boris Drop") // the phone page connects before the drop

	proxy.Down(badGateway)
	waitFrame(t, manager, app, "the stream lost", `document.body.dataset.liveState === 'error'`)
	phoneSays(t, phoneA, "Second, while you were away")
	phoneSays(t, phoneB, "Hello from Boris")
	phoneSays(t, phoneC, "Are you still there?")
	waitJS(t, phoneC, "Carol's message accepted", `[...document.querySelectorAll('[data-testid=phone-message]')].some(m => m.textContent.includes('Are you still there?'))`)
	proxy.Up()

	waitFrame(t, manager, app, "every counter, row and the open dialog right again, without a reload", `(() => {
		const a = `+rowOf("Alice Drop")+`, b = `+rowOf("Boris Drop")+`, c = `+rowOf("Carol Open")+`;
		return document.body.dataset.liveState === 'open' && a && b && c
			&& a.querySelector('[data-testid=dialog-unread]').textContent.trim() === '2'
			&& a.querySelector('[data-testid=dialog-preview]').textContent.includes('Second, while you were away')
			&& b.querySelector('[data-testid=dialog-unread]').textContent.trim() === '1'
			&& c.querySelector('[data-testid=dialog-unread]').textContent.trim() === '0'
			&& [...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('Are you still there?'))
			&& document.querySelector('[data-testid=unread-total]').textContent.trim() === '3'
			&& document.title.startsWith('(3) ')
			&& performance.getEntriesByType('navigation').length === 1;
	})()`)
}
