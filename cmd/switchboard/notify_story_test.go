package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestTheNotificationChat plays the notification chat's story in a real
// browser, in the emulated messenger: a client writes and a line appears
// with count 1; two more messages make it 3 in the same line; "No reply
// needed" on it takes it away, and the dialog open in the app stops
// waiting at the same moment. Then the manager, who has that dialog open,
// gets no line for the client's new message until they close it (open
// another dialog).
func TestTheNotificationChat(t *testing.T) {
	env := runDemo(t)
	messenger := newBrowser(t)
	manager := newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL
	chat := 0
	for _, c := range env.portal.Chats(1) {
		if c.EntityType == "SWITCHBOARD" {
			chat = c.ID
		}
	}
	if chat == 0 {
		t.Fatal("the install made no notification chat")
	}
	signInToPortal(t, env, messenger, 1, fmt.Sprintf("/online/?IM_DIALOG=chat%d", chat))
	waitJS(t, messenger, "the notification chat", `document.querySelector('[data-testid=chat-messages]') !== null`)
	line := func(client string) string { // the JS for the client's line, or undefined
		return fmt.Sprintf(`[...document.querySelectorAll('[data-testid=chat-message]')].find(m => m.textContent.includes(%q))`, client)
	}

	openPhone(t, phone, env, "79990003001", "Kira Orlova")
	phoneSays(t, phone, "Hello")
	waitJS(t, messenger, "Kira's line with count 1", line("Kira Orlova")+`?.textContent.includes('— 1 ')`)
	first := evalJS[string](t, messenger, line("Kira Orlova")+`.dataset.id`)
	phoneSays(t, phone, "Are you open today?")
	phoneSays(t, phone, "Hello?")
	waitJS(t, messenger, "count 3 in the same line", line("Kira Orlova")+`?.textContent.includes('— 3 ')`)
	if id := evalJS[string](t, messenger, line("Kira Orlova")+`.dataset.id`); id != first {
		t.Fatalf("the count moved to line %s, want line %s updated", id, first)
	}
	if n := evalJS[int](t, messenger, `document.querySelectorAll('[data-testid=chat-message]').length`); n != 1 {
		t.Fatalf("%d lines in the chat, want Kira's only", n)
	}

	openSharedInbox(t, env, manager, 1)
	openDialogOf(t, manager, app, "Kira Orlova")
	waitFrame(t, manager, app, "the dialog waits for a reply", `document.querySelector('[data-testid=no-reply]').dataset.waiting === 'true'`)
	do(t, messenger, "press \"No reply needed\"", chromedp.Click(chromedp.CSS(`[data-testid=chat-message] [data-testid=keyboard-button]`)))
	waitJS(t, messenger, "Kira's line gone", line("Kira Orlova")+` === undefined`)
	waitFrame(t, manager, app, "the dialog stopped waiting, live", `document.querySelector('[data-testid=no-reply]').dataset.waiting === 'false'`)

	// Kira's dialog is still open in the app: Anna watches it.
	other := newBrowser(t)
	openPhone(t, other, env, "79990003002", "Lev Sokolov")
	phoneSays(t, other, "Hi there")
	waitJS(t, messenger, "Lev's line (nobody watches Lev)", line("Lev Sokolov")+` !== undefined`)
	phoneSays(t, phone, "One more thing")
	waitFrame(t, manager, app, "Kira's message in the open dialog", `[...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('One more thing'))`)
	time.Sleep(3 * time.Second) // the worker polls every 250 ms, the messenger every 1.5 s
	if evalJS[bool](t, messenger, line("Kira Orlova")+` !== undefined`) {
		t.Fatal("a line for Kira while the manager has her dialog open")
	}
	openDialogOf(t, manager, app, "Lev Sokolov")
	waitJS(t, messenger, "Kira's line once the manager closed her dialog", line("Kira Orlova")+`?.textContent.includes('— 1 ')`)
}

// openDialogOf clicks a client's row in the shared inbox and waits for
// their dialog.
func openDialogOf(t *testing.T, tab contextTab, app, client string) {
	t.Helper()
	doFrame(t, tab, app, "open "+client+"'s dialog", fmt.Sprintf(`[...document.querySelectorAll('[data-testid=dialog-row]')]
		.find(r => r.textContent.includes(%q)).querySelector('a').click()`, client))
	waitFrame(t, tab, app, client+"'s dialog", fmt.Sprintf(`document.querySelector('[data-testid=dialog-title]')?.textContent.includes(%q)`, client))
}
