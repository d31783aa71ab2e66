package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"switchboard/bitrix/emulator"
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
		return s.selectedOptions[0].textContent.trim() === 'Support' && ig && ig.disabled && ig.textContent.includes('—')
			&& s.closest('label').textContent.includes('Отправить через') && s.getBoundingClientRect().width <= 220;
	})()`)
	screenshot(t, manager, "shared-chat.png")

	before := evalFrame[string](t, manager, app, `document.querySelector('[data-testid=composer]').getAttribute('hx-post')`)
	doFrame(t, manager, app, "type, then switch to Promotion", `
		document.querySelector('[data-testid=composer-input]').value = 'Sent via Promotion';
		const s = document.querySelector('[data-testid=channel-switcher]');
		s.value = [...s.options].find(o => o.textContent.trim() === 'Promotion').value;
		s.dispatchEvent(new Event('change', {bubbles: true}))`)
	waitFrame(t, manager, app, "the composer drawn again on Promotion, the text kept", fmt.Sprintf(`document.querySelector('[data-testid=composer]').getAttribute('hx-post') !== %q
		&& document.querySelector('[data-testid=channel-switcher]').selectedOptions[0].textContent.trim() === 'Promotion'
		&& document.querySelector('[data-testid=composer-input]').value === 'Sent via Promotion'
		&& !document.querySelector('.composer.htmx-added, .htmx-settling')`, before)) // settled: htmx handles its submit
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

	// Ivan is Boris's contact, Maria is Clara's. Both managers sign in
	// first, so the CRM sync finds them whenever it runs.
	openSharedInbox(t, env, boris, 2)
	openSharedInbox(t, env, clara, 3)
	openPhone(t, phone, env, "79991234567", "Ivan Kuznetsov")
	phoneSays(t, phone, "Ivan here")
	openPhone(t, phone, env, "34612345678", "Maria Lopez")
	phoneSays(t, phone, "Maria here")

	// The demo's other clients (the Support number's history) are listed
	// too: the checks look at Ivan and Maria, and at every row's owner, in
	// the rows shown (a row that arrives live and is not the filter's stays
	// hidden).
	const rows = `[...document.querySelectorAll('#dialog-list [data-testid=dialog-row]')].filter(r => r.offsetParent !== null)`
	has := func(name string) string {
		return rows + fmt.Sprintf(`.some(r => r.querySelector('[data-testid=dialog-client]').textContent.includes(%q))`, name)
	}
	lacks := func(name string) string { return "!" + has(name) }
	allMine := rows + `.every(r => r.hasAttribute('data-mine'))`
	filter := func(tab contextTab, name string) {
		doFrame(t, tab, app, "filter "+name, fmt.Sprintf(`document.querySelector('[data-testid=filter-%s]').click()`, name))
		waitFrame(t, tab, app, "the list filtered "+name+", its tab the active one", fmt.Sprintf(`document.querySelector('#dialog-list').dataset.filter === %q
			&& [...document.querySelectorAll('.filter a.active')].map(a => a.dataset.testid).join() === 'filter-' + %q`, name, name))
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
		&& `+rows+`.length === 0`)
	screenshot(t, dmitri, "filter-mine-empty.png")

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

func leadTitled(t *testing.T, p *emulator.Portal, title string) int {
	t.Helper()
	for _, id := range p.EntityIDs("lead") {
		if e, ok := p.Entity("lead", id); ok && e["TITLE"] == title {
			return id
		}
	}
	t.Fatalf("no lead %q in the emulated portal", title)
	return 0
}

// TestWriteFirstFromALeadCard: a lead nobody has written to yet shows its
// number and the channels instead of a blank pane; the manager picks them
// and writes; the conversation starts with that message. A new WhatsApp
// number is outside the 24-hour window, so WhatsApp refuses free text: the
// conversation shows that plainly (the message failed with the reason, or
// the composer refused it and offers what the window allows).
func TestWriteFirstFromALeadCard(t *testing.T) {
	env := runDemo(t)
	manager := newBrowser(t)
	app := env.appURL
	lead := leadTitled(t, env.portal, "WhatsApp: +49 151 2345 6789")

	signInToPortal(t, env, manager, 3, fmt.Sprintf("/crm/lead/details/%d/", lead))
	do(t, manager, "open the lead card's tab", chromedp.Click(chromedp.CSS(`[data-testid=card-tab-app]`)))
	waitFrame(t, manager, app, "writing first: the lead's number and the channels", `(() => {
		const to = document.querySelector('[data-testid=write-to]'), ch = document.querySelector('[data-testid=write-channel]');
		return to && [...to.options].some(o => o.value === '4915123456789' && o.textContent.includes('+4915123456789'))
			&& [...ch.options].map(o => o.textContent.trim()).join(',').includes('Sales');
	})()`)
	screenshot(t, manager, "card-write-first.png")
	doFrame(t, manager, app, "pick the number and Sales, write and send", `
		const ch = document.querySelector('[data-testid=write-channel]');
		ch.value = [...ch.options].find(o => o.textContent.trim() === 'Sales').value;
		document.querySelector('[data-testid=write-form] [data-testid=composer-input]').value = 'Guten Tag, Klaus!';
		document.querySelector('[data-testid=write-form] [data-testid=composer-send]').click()`)
	waitFrame(t, manager, app, "the conversation started, on Sales", `document.querySelector('[data-testid=dialog-view]')
		&& document.querySelector('[data-testid=dialog-title]').textContent.includes('4915123456789')
		&& document.querySelector('[data-testid=channel-switcher]').selectedOptions[0].textContent.trim() === 'Sales'`)
	waitFrame(t, manager, app, "WhatsApp's window refusal, shown plainly", `(() => {
		const m = [...document.querySelectorAll('[data-testid=message][data-direction=out]')].find(m => m.textContent.includes('Guten Tag, Klaus!'));
		const failed = m && m.dataset.status === 'failed' && m.querySelector('[data-testid=message-failed]').textContent.includes('24');
		const refused = !m && document.querySelector('[data-testid=flash-error]') && document.querySelector('[data-testid=window-closed]');
		return failed || refused;
	})()`)
	waitFrame(t, manager, app, "the card's list has the conversation now", `[...document.querySelectorAll('#card-dialog-list [data-testid=dialog-row]')].some(r => r.textContent.includes('4915123456789'))
		&& !document.querySelector('[data-testid=card-empty]')`)
	var responsible int64
	if err := env.app.store.DB.Get(&responsible, `SELECT u.bitrix_user_id FROM dialogs d JOIN clients c ON c.id = d.client_id
		JOIN users u ON u.id = d.responsible_user_id WHERE c.external_id = '4915123456789'`); err != nil {
		t.Fatalf("the dialog with Klaus: %v", err)
	}
	if responsible != 3 {
		t.Fatalf("the dialog's responsible is Bitrix24 user %d, want 3 (who wrote first, the lead's too)", responsible)
	}
	screenshot(t, manager, "card-chat.png")
}

// TestCRMLinksOpenInTheSlider: the conversation links every CRM record of
// the client, a closed deal too (marked); a click opens the card in the
// portal's slider through BX24.openPath, a Ctrl-click is left to the
// browser (a new tab on the portal's page).
func TestCRMLinksOpenInTheSlider(t *testing.T) {
	env := runDemo(t)
	manager := newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL
	order := dealTitled(t, env.portal, "Order #1024") // Ivan Kuznetsov's
	openPhone(t, phone, env, "79991234567", "Ivan Kuznetsov")
	phoneSays(t, phone, "About my orders")
	if err := env.portal.UpdateEntityAs(context.Background(), 1, "deal", order, map[string]any{"STAGE_ID": "WON"}); err != nil {
		t.Fatal(err)
	}

	openSharedInbox(t, env, manager, 2)
	waitFrame(t, manager, app, "Ivan's dialog in the list", `[...document.querySelectorAll('[data-testid=dialog-row]')].some(r => r.textContent.includes('Ivan Kuznetsov'))`)
	links := `[...document.querySelectorAll('[data-testid=crm-link]')]`
	// The links are read when the conversation opens: open it until the CRM
	// sync linked them (within its 30 s backstop, should the webhook's
	// nudge have met a run just finishing).
	deadline := time.Now().Add(45 * time.Second)
	for {
		doFrame(t, manager, app, "open Ivan", `[...document.querySelectorAll('[data-testid=dialog-row]')].find(r => r.textContent.includes('Ivan Kuznetsov')).querySelector('a').click()`)
		time.Sleep(300 * time.Millisecond)
		if evalFrame[bool](t, manager, app, links+`.some(l => l.textContent.includes('Order #1024') && l.hasAttribute('data-closed'))
			&& `+links+`.some(l => l.dataset.entity === 'contact' && l.textContent.includes('Ivan Kuznetsov') && !l.hasAttribute('data-closed'))`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the links: %s", evalFrame[string](t, manager, app, `(document.querySelector('[data-testid=crm-links]') || document.body).outerHTML`))
		}
	}
	if got := evalFrame[string](t, manager, app, links+`.find(l => l.textContent.includes('Order #1024')).querySelector('[data-testid=crm-link-closed]').textContent.trim()`); got == "" {
		t.Fatal("the closed deal does not say it is closed")
	}
	href := evalFrame[string](t, manager, app, links+`.find(l => l.textContent.includes('Order #1024')).href`)
	if want := fmt.Sprintf("%s/crm/deal/details/%d/", env.bitrixURL, order); href != want {
		t.Fatalf("the deal's link is %q, want the portal page %q", href, want)
	}

	// Ctrl- and Cmd-click: left to the browser (a new tab), not taken over.
	for _, key := range []string{"ctrlKey", "metaKey"} {
		prevented := evalFrame[bool](t, manager, app, fmt.Sprintf(`(() => {
			const a = %s.find(l => l.textContent.includes('Order #1024'));
			let prevented = null;
			const seen = e => { prevented = e.defaultPrevented; e.preventDefault(); };
			window.addEventListener('click', seen);
			a.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, button: 0, %s: true}));
			window.removeEventListener('click', seen);
			return prevented || a.target !== '_blank';
		})()`, links, key))
		if prevented {
			t.Fatalf("a %s click on a CRM link was taken over instead of opening a new tab", key)
		}
	}
	// A plain click: the slider (the emulated portal opens the path).
	doFrame(t, manager, app, "click the contact's link", links+`.find(l => l.dataset.entity === 'contact').click()`)
	waitJS(t, manager, "the portal opened the contact's card", `/^\/crm\/contact\/details\/\d+\/$/.test(location.pathname)`)
}

// TestSearchFindsOnlyWhatTheViewerMaySee: names, phones in another format,
// and message words in Russian and English (their forms too) are found in
// the viewer's conversations, highlighted, and open at the message; another
// manager's client is never found.
func TestSearchFindsOnlyWhatTheViewerMaySee(t *testing.T) {
	env := runDemo(t) // visibility: own and unassigned
	boris := newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL
	openPhone(t, phone, env, "79991234567", "Ivan Kuznetsov") // Boris's contact
	phoneSays(t, phone, "Где мои заказы?")
	phoneSays(t, phone, "I ordered red roses")
	openPhone(t, phone, env, "34612345678", "Maria Lopez") // Clara's
	phoneSays(t, phone, "Мой заказ опаздывает")
	phoneSays(t, phone, "My order is late, Maria")

	openSharedInbox(t, env, boris, 2)
	waitFrame(t, boris, app, "the CRM made Boris responsible for Ivan, Clara for Maria", `(() => {
		const names = [...document.querySelectorAll('#dialog-list [data-testid=dialog-client]')].map(n => n.textContent);
		return names.some(n => n.includes('Ivan Kuznetsov')) && !names.some(n => n.includes('Maria Lopez'));
	})()`)
	search := func(q string) {
		doFrame(t, boris, app, "search "+q, fmt.Sprintf(`
			document.querySelector('[data-testid=search-results]').textContent = ''; // no stale hits pass a check
			const input = document.querySelector('[data-testid=search-input]');
			input.value = %q;
			input.form.requestSubmit()`, q))
		waitFrame(t, boris, app, "the results of "+q, `document.querySelector('[data-testid=search-hits]')`)
	}
	const hits = `[...document.querySelectorAll('[data-testid=search-message]')]`
	noMaria := `![...document.querySelectorAll('[data-testid=search-client], [data-testid=search-message]')].some(h => /Maria|опаздывает|late/.test(h.textContent))`

	search("заказ")
	waitFrame(t, boris, app, "Russian: 'заказ' finds Ivan's 'заказы', marked, and nothing of Maria's", hits+`.length === 1
		&& `+hits+`[0].textContent.includes('Где мои заказы')
		&& `+hits+`[0].querySelector('[data-testid=search-mark]').textContent === 'заказы'
		&& `+noMaria)
	screenshot(t, boris, "search.png")
	search("orders")
	waitFrame(t, boris, app, "English: 'orders' finds 'ordered', and nothing of Maria's", hits+`.length === 1
		&& `+hits+`[0].querySelector('[data-testid=search-mark]').textContent === 'ordered' && `+noMaria)
	search("Maria")
	waitFrame(t, boris, app, "another manager's client is not found by name", `document.querySelector('[data-testid=search-empty]') && `+noMaria)
	search("+34 612 345")
	waitFrame(t, boris, app, "nor by phone", `document.querySelector('[data-testid=search-empty]')`)
	search("kuzne")
	waitFrame(t, boris, app, "a part of a name, any case", `[...document.querySelectorAll('[data-testid=search-client]')].some(c => c.querySelector('[data-testid=search-mark]').textContent === 'Kuzne')`)
	search("8 (999) 123-45")
	waitFrame(t, boris, app, "a phone in another format", `[...document.querySelectorAll('[data-testid=search-client]')].some(c => c.textContent.includes('Ivan Kuznetsov'))`)

	search("заказ")
	waitFrame(t, boris, app, "the hit again", hits+`.length === 1`)
	doFrame(t, boris, app, "open the hit", hits+`[0].querySelector('a').click()`)
	waitFrame(t, boris, app, "the conversation open at the message, marked", `(() => {
		const m = document.querySelector('.msg.focus');
		return m && m.textContent.includes('Где мои заказы') && document.querySelector('[data-testid=dialog-title]').textContent.includes('Ivan');
	})()`)
	const listShown = `document.querySelector('#dialog-list').offsetParent !== null && !document.querySelector('[data-testid=search-hits]')`
	doFrame(t, boris, app, "the browser's Back", `
		document.addEventListener('htmx:historyRestore', () => { document.body.dataset.restored = 'yes'; }, {once: true});
		history.back()`)
	waitFrame(t, boris, app, "back where the search box is empty: the list, not the old hits", `document.body.dataset.restored === 'yes'
		&& document.querySelector('[data-testid=search-input]').value === '' && `+listShown)
	search("заказ")
	doFrame(t, boris, app, "a filter tab during a search", `document.querySelector('[data-testid=filter-mine]').click()`)
	waitFrame(t, boris, app, "the search ended, the list filtered", `document.querySelector('[data-testid=search-input]').value === ''
		&& document.querySelector('#dialog-list').dataset.filter === 'mine' && `+listShown)
}

// TestTheEmptyListGivesWayToTheFirstClient: a manager with no dialog yet
// reads the empty state; the first client who writes takes its place live,
// and a row the filter does not show leaves it standing.
func TestTheEmptyListGivesWayToTheFirstClient(t *testing.T) {
	env := runDemo(t) // visibility: own and unassigned
	boris, phone := newBrowser(t), newBrowser(t)
	app := env.appURL
	const emptyShown = `(() => { const e = document.querySelector('[data-testid=list-empty]'); return !!e && e.offsetParent !== null; })()`
	openSharedInbox(t, env, boris, 2)
	waitFrame(t, boris, app, "Boris has no dialog yet: the empty state", emptyShown)
	openPhone(t, phone, env, "79995550101", "Pavel First")
	phoneSays(t, phone, "Здравствуйте!")
	waitFrame(t, boris, app, "the new client's row, live, and no empty state under it", `[...document.querySelectorAll('#dialog-list [data-testid=dialog-row]')]
		.some(r => r.offsetParent !== null && r.textContent.includes('Здравствуйте')) && !`+emptyShown)
	screenshot(t, boris, "first-client.png")
}
