package main

import "testing"

// TestNewMessageChimesUnlessMuted: a new inbound message rings once and
// counts in the page title; muted, the setting outlives a reload (it is
// kept on the server, per user) and the next message is silent.
func TestNewMessageChimesUnlessMuted(t *testing.T) {
	env := runDemo(t)
	manager, phone := newBrowser(t), newBrowser(t)
	app := env.appURL
	openSharedInbox(t, env, manager, 1)
	waitJS(t, manager, "the portal's title is the app's, with nothing unread", `document.title === 'Общий чат'`)
	waitFrame(t, manager, app, "sound on by default", `document.querySelector('[data-testid=sound-toggle]').getAttribute('aria-pressed') === 'true'
		&& document.querySelector('[data-testid=sound-toggle]').getAttribute('aria-label').includes('выключить')`)
	openPhone(t, phone, env, "79990009001", "Sofia Sound")
	phoneSays(t, phone, "Ding?")
	waitFrame(t, manager, app, "one chime and the total in the title", `document.body.dataset.chimes === '1' && document.title === '(1) Общий чат'`)
	waitJS(t, manager, "the portal's title too (BX24.setTitle)", `document.title === '(1) Общий чат'`)

	doFrame(t, manager, app, "mute", `document.querySelector('[data-testid=sound-toggle]').click()`)
	waitFrame(t, manager, app, "muted", `document.querySelector('[data-testid=sound-toggle]').getAttribute('aria-pressed') === 'false'`)
	openSharedInbox(t, env, manager, 1) // the app opened again
	waitFrame(t, manager, app, "still muted after a reload", `document.querySelector('[data-testid=sound-toggle]').getAttribute('aria-pressed') === 'false'
		&& document.title === '(1) Общий чат'`)
	phoneSays(t, phone, "Ding again?")
	waitFrame(t, manager, app, "the message counted, silently", `document.querySelector('[data-testid=unread-total]').textContent.trim() === '2'
		&& document.title === '(2) Общий чат' && !document.body.dataset.chimes`)
}
