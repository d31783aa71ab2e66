package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// openPhoneOn opens the client phone page as a client of one business
// account (by its name: "Sales", "Promotion", "Support").
func openPhoneOn(t *testing.T, phone contextTab, env *demoEnv, account, number, name string) {
	t.Helper()
	do(t, phone, "open the client phone page", chromedp.Navigate(env.graphURL))
	waitJS(t, phone, "the phone page", `document.querySelector('[data-testid=phone-account]')`)
	do(t, phone, "the client "+name+" writes to "+account, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const sel = document.querySelector('[data-testid=phone-account]');
		sel.value = [...sel.options].find(o => o.dataset.name === %q).value;
		document.querySelector('[data-testid=phone-client]').value = %q;
		document.querySelector('[data-testid=phone-name]').value = %q;
		document.querySelector('[data-testid=phone-open]').click();
	})()`, account, number, name)))
	waitJS(t, phone, "the phone connected", `document.querySelector('[data-testid=phone-connection]').dataset.state === "open"`)
}

// screenshot keeps the tab as a PNG for the closing note, in
// /tmp/shots-conversation when it exists (a developer's run), never failing
// the test for it.
func screenshot(t *testing.T, tab contextTab, name string) {
	t.Helper()
	dir := "/tmp/shots-conversation"
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return
	}
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// setVisibility sets the portal's setting 6 ("all", "own",
// "own_and_unassigned"), as an administrator would.
func setVisibility(t *testing.T, env *demoEnv, mode string) {
	t.Helper()
	if _, err := env.app.store.DB.Exec(`UPDATE portals SET settings = jsonb_set(settings, '{visibility}', to_jsonb($1::text)) WHERE id = $2`, mode, env.portalID); err != nil {
		t.Fatal(err)
	}
}

// TestOneConversationPerClient: the same client writes to three WhatsApp
// channels; the shared chat shows them once, with the unread total of all
// three, and their history merged in time order, each message marked with
// its channel. The composer starts on the channel of the last inbound
// message, says Instagram cannot reach this client, and writes on another
// channel when switched.
func TestOneConversationPerClient(t *testing.T) {
	env := runDemo(t)
	manager := newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL
	openSharedInbox(t, env, manager, 1)

	for _, ch := range []string{"Sales", "Promotion", "Support"} {
		openPhoneOn(t, phone, env, ch, "79990007001", "Olga Belova")
		phoneSays(t, phone, "Hello "+ch)
		waitJS(t, phone, "the message sent", fmt.Sprintf(`[...document.querySelectorAll('[data-testid=phone-message]')].some(m => m.textContent.includes(%q))`, "Hello "+ch))
	}

	waitFrame(t, manager, app, "one row for Olga, three unread, live", `(() => {
		const rows = [...document.querySelectorAll('[data-testid=dialog-row]')]
			.filter(r => r.querySelector('[data-testid=dialog-client]').textContent.includes('Olga Belova'));
		return rows.length === 1 && rows[0].querySelector('[data-testid=dialog-unread]').textContent.trim() === '3'
			&& rows[0].querySelector('[data-testid=dialog-preview]').textContent.includes('Hello Support')
			&& document.querySelector('[data-testid=unread-total]').textContent.trim() === '3';
	})()`)
	doFrame(t, manager, app, "open Olga's conversation", `[...document.querySelectorAll('[data-testid=dialog-row]')]
		.find(r => r.textContent.includes('Olga Belova')).querySelector('a').click()`)
	waitFrame(t, manager, app, "the merged history, in time order, each message with its channel", `(() => {
		const ms = [...document.querySelectorAll('[data-testid=message][data-direction=in]')];
		const got = ms.map(m => m.querySelector('[data-testid=message-body]').textContent.trim() + '@' + m.querySelector('[data-testid=message-channel]').textContent.trim().split(' ').pop());
		return JSON.stringify(got) === JSON.stringify(['Hello Sales@Sales', 'Hello Promotion@Promotion', 'Hello Support@Support']);
	})()`)
	waitFrame(t, manager, app, "the unread total read", `document.querySelector('[data-testid=unread-total]').textContent.trim() === '0'
		&& document.querySelector('[data-testid=dialog-row].open [data-testid=dialog-unread]').textContent.trim() === '0'`)
	waitFrame(t, manager, app, "the switcher on the channel of the last inbound message; Instagram cannot reach her", `(() => {
		const s = document.querySelector('[data-testid=channel-switcher]');
		const ig = [...s.options].find(o => o.textContent.includes('Instagram'));
		return s.selectedOptions[0].textContent.trim() === 'Support' && ig && ig.disabled && ig.textContent.includes('—');
	})()`)
	screenshot(t, manager, "shared-chat")

	doFrame(t, manager, app, "type, then switch to Promotion", `
		document.querySelector('[data-testid=composer-input]').value = 'Sent via Promotion';
		const s = document.querySelector('[data-testid=channel-switcher]');
		s.value = [...s.options].find(o => o.textContent.trim() === 'Promotion').value;
		s.dispatchEvent(new Event('change', {bubbles: true}))`)
	waitFrame(t, manager, app, "the composer on Promotion, the text kept", `document.querySelector('[data-testid=channel-switcher]').selectedOptions[0].textContent.trim() === 'Promotion'
		&& document.querySelector('[data-testid=composer-input]').value === 'Sent via Promotion'
		&& !document.querySelector('.composer.htmx-added, .htmx-settling')`) // settled: htmx handles its submit
	doFrame(t, manager, app, "send", `document.querySelector('[data-testid=composer-send]').click()`)
	waitFrame(t, manager, app, "the reply out on Promotion", `[...document.querySelectorAll('[data-testid=message][data-direction=out]')]
		.some(m => m.textContent.includes('Sent via Promotion') && m.querySelector('[data-testid=message-channel]').textContent.includes('Promotion'))`)
	openPhoneOn(t, phone, env, "Promotion", "79990007001", "Olga Belova")
	waitJS(t, phone, "the reply reached her on Promotion", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')].some(m => m.textContent.includes('Sent via Promotion'))`)
	if n := evalFrame[int](t, manager, app, `[...document.querySelectorAll('[data-testid=dialog-row]')].filter(r => r.textContent.includes('Olga Belova')).length`); n != 1 {
		t.Fatalf("after the reply Olga has %d rows, want 1", n)
	}
}

// TestMineAndUnansweredFilters: two managers, each responsible (through the
// CRM) for one client, everyone seeing everything. "Mine" shows each their
// own, and an honest empty state to the administrator responsible for
// none; "unanswered" drops a client once anyone answered.
func TestMineAndUnansweredFilters(t *testing.T) {
	env := runDemo(t)
	setVisibility(t, env, "all")
	boris, clara, dmitri := newBrowser(t), newBrowser(t), newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL

	// Ivan is Boris's contact, Maria is Clara's.
	openPhone(t, phone, env, "79991234567", "Ivan Kuznetsov")
	phoneSays(t, phone, "Ivan here")
	openPhone(t, phone, env, "34612345678", "Maria Lopez")
	phoneSays(t, phone, "Maria here")
	openSharedInbox(t, env, boris, 2)
	openSharedInbox(t, env, clara, 3)

	// The demo's other clients (the Support number's history) are listed
	// too: the checks look at Ivan and Maria, and at every row's owner.
	const rows = `[...document.querySelectorAll('#dialog-list [data-testid=dialog-row]')]`
	has := func(name string) string {
		return rows + fmt.Sprintf(`.some(r => r.querySelector('[data-testid=dialog-client]').textContent.includes(%q))`, name)
	}
	lacks := func(name string) string { return "!" + has(name) }
	allMine := rows + `.every(r => r.hasAttribute('data-mine'))`
	filter := func(tab contextTab, name string) {
		doFrame(t, tab, app, "filter "+name, fmt.Sprintf(`document.querySelector('[data-testid=filter-%s]').click()`, name))
		waitFrame(t, tab, app, "the list filtered "+name, fmt.Sprintf(`document.querySelector('#dialog-list').dataset.filter === %q`, name))
	}
	waitFrame(t, boris, app, "all: both clients", has("Ivan Kuznetsov")+" && "+has("Maria Lopez"))
	filter(boris, "mine")
	waitFrame(t, boris, app, "Boris's own: Ivan (the CRM made him responsible), not Maria", has("Ivan Kuznetsov")+" && "+lacks("Maria Lopez")+" && "+allMine)
	filter(clara, "mine")
	waitFrame(t, clara, app, "Clara's own: Maria, not Ivan", has("Maria Lopez")+" && "+lacks("Ivan Kuznetsov")+" && "+allMine)
	openSharedInbox(t, env, dmitri, 4)
	waitFrame(t, dmitri, app, "Dmitri sees every client", has("Ivan Kuznetsov")+" && "+has("Maria Lopez"))
	filter(dmitri, "mine")
	waitFrame(t, dmitri, app, "Dmitri is responsible for nobody: a true empty state", `document.querySelector('[data-testid=list-empty]')
		&& document.querySelector('[data-testid=list-empty]').textContent.includes('не ответственный')
		&& !document.querySelector('#dialog-list [data-testid=dialog-row]')`)
	screenshot(t, dmitri, "filter-mine-empty")

	filter(dmitri, "unanswered")
	waitFrame(t, dmitri, app, "unanswered: both", has("Ivan Kuznetsov")+" && "+has("Maria Lopez"))
	filter(boris, "all")
	doFrame(t, boris, app, "Boris opens Ivan", `[...document.querySelectorAll('[data-testid=dialog-row]')].find(r => r.textContent.includes('Ivan Kuznetsov')).querySelector('a').click()`)
	waitFrame(t, boris, app, "Ivan's conversation", `document.querySelector('[data-testid=dialog-title]') && document.querySelector('[data-testid=dialog-title]').textContent.includes('Ivan')`)
	managerTypes(t, boris, app, "Hello Ivan, Boris here")
	waitFrame(t, boris, app, "the answer sent", `[...document.querySelectorAll('[data-testid=message][data-direction=out]')].some(m => m.textContent.includes('Boris here'))`)
	filter(boris, "unanswered")
	waitFrame(t, boris, app, "unanswered: Maria, not Ivan any more", has("Maria Lopez")+" && "+lacks("Ivan Kuznetsov"))
	filter(dmitri, "all")
	filter(dmitri, "unanswered")
	waitFrame(t, dmitri, app, "for Dmitri too", has("Maria Lopez")+" && "+lacks("Ivan Kuznetsov"))
}
