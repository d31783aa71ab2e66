package main

import (
	"strings"
	"testing"
	"time"
)

// TestTemplateOutsideTheWindow opens a WhatsApp dialog whose client last
// wrote three days ago: a text is refused by WhatsApp (131047) and shown
// failed once, the composer offers the channel's approved templates (not
// the paused one), and the filled template goes out, reaches the client's
// phone and shows its status.
func TestTemplateOutsideTheWindow(t *testing.T) {
	env := runDemo(t)
	manager := newBrowser(t)
	app := env.appURL
	openSharedInbox(t, env, manager, 1)
	waitFrame(t, manager, app, "Olga's old dialog (backfilled history)", `[...document.querySelectorAll('[data-testid=dialog-client]')].some(c => c.textContent.includes('+79990002001'))`)
	doFrame(t, manager, app, "open it", `[...document.querySelectorAll('[data-testid=dialog-row]')]
		.find(r => r.querySelector('[data-testid=dialog-client]').textContent.includes('+79990002001')).querySelector('a').click()`)
	waitFrame(t, manager, app, "the closed window and its templates", `(() => {
		const ts = [...document.querySelectorAll('[data-testid=wa-template]')];
		return document.querySelector('[data-testid=window-closed]')
			&& ts.map(t => t.dataset.template + '/' + t.dataset.language).join(' ') === 'order_update/ru order_update/en_US follow_up/ru';
	})()`)

	managerTypes(t, manager, app, "Are you still interested?")
	waitFrame(t, manager, app, "the text refused by WhatsApp, shown once, failed", `(() => {
		const out = [...document.querySelectorAll('[data-testid=message][data-direction=out]')].filter(m => m.textContent.includes('Are you still interested?'));
		return out.length === 1 && out[0].dataset.status === 'failed' && out[0].querySelector('[data-testid=message-failed]').textContent.length > 0;
	})()`)
	time.Sleep(500 * time.Millisecond) // a late duplicate would show by now
	if n := evalFrame[int](t, manager, app, `[...document.querySelectorAll('[data-testid=message]')].filter(m => m.textContent.includes('Are you still interested?')).length`); n != 1 {
		t.Fatalf("the failed message is shown %d times", n)
	}

	doFrame(t, manager, app, "send the template with one value missing", `(() => {
		const f = document.querySelector('[data-testid=wa-template][data-template=order_update][data-language=ru]');
		f.querySelectorAll('[data-testid=wa-template-value]')[0].value = 'Ольга';
		f.querySelectorAll('[data-testid=wa-template-value]')[1].required = false; // past the browser's own check
		f.querySelector('[data-testid=wa-template-send]').click();
	})()`)
	waitFrame(t, manager, app, "the missing value refused", `document.querySelector('[id^=wa-template-error-] [data-testid=flash-error]').textContent.includes('Заполните все значения')`)
	doFrame(t, manager, app, "fill it and send", `(() => {
		const f = document.querySelector('[data-testid=wa-template][data-template=order_update][data-language=ru]');
		f.querySelectorAll('[data-testid=wa-template-value]')[1].value = 'A-42';
		f.querySelector('[data-testid=wa-template-send]').click();
	})()`)
	want := "Здравствуйте, Ольга! Ваш заказ A-42 готов к выдаче."
	waitFrame(t, manager, app, "the template in the dialog, delivered", `(() => {
		const out = [...document.querySelectorAll('[data-testid=message][data-direction=out][data-kind=template]')];
		return out.length === 1 && out[0].textContent.includes('`+want+`') && ['sent', 'delivered', 'read'].includes(out[0].dataset.status);
	})()`)
	phoneGetsOneTemplate(t, env, demoCoexID, "79990002001", want)
	screenshot(t, manager, "template-sent.png")
	waitFrame(t, manager, app, "the row previews the template", `[...document.querySelectorAll('[data-testid=dialog-row]')]
		.find(r => r.querySelector('[data-testid=dialog-client]').textContent.includes('+79990002001'))
		.querySelector('[data-testid=dialog-preview]').textContent.includes('Здравствуйте, Ольга!')`)
}

// TestATemplateStartsAConversationOnANewChannel: a client who wrote on
// Sales only is answered on Promotion. The switcher's composer says only a
// template starts that conversation and offers Promotion's approved
// templates; the one sent starts the dialog on Promotion and reaches the
// client's phone from that number, and the composer then writes in it.
func TestATemplateStartsAConversationOnANewChannel(t *testing.T) {
	env := runDemo(t)
	manager := newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL
	openSharedInbox(t, env, manager, 1)
	openPhoneOn(t, phone, env, "Sales", "79990007002", "Pavel Orlov")
	phoneSays(t, phone, "Hello Sales")
	waitFrame(t, manager, app, "Pavel's row", `[...document.querySelectorAll('[data-testid=dialog-client]')].some(c => c.textContent.includes('Pavel Orlov'))`)
	doFrame(t, manager, app, "open it", `[...document.querySelectorAll('[data-testid=dialog-row]')]
		.find(r => r.textContent.includes('Pavel Orlov')).querySelector('a').click()`)
	waitFrame(t, manager, app, "the open window on Sales: no templates offered", `document.querySelector('[data-testid=channel-switcher]')?.selectedOptions[0].textContent.trim() === 'Sales'
		&& !document.querySelector('[data-testid=wa-template-offer]') && !document.querySelector('[data-testid=window-closed]')`)

	doFrame(t, manager, app, "switch to Promotion", `
		const s = document.querySelector('[data-testid=channel-switcher]');
		s.value = [...s.options].find(o => o.textContent.trim() === 'Promotion').value;
		s.dispatchEvent(new Event('change', {bubbles: true}))`)
	waitFrame(t, manager, app, "only a template starts it, and Promotion's templates are offered", `(() => {
		const ts = [...document.querySelectorAll('[data-testid=wa-template]')];
		return document.querySelector('[data-testid=channel-switcher]').selectedOptions[0].textContent.trim() === 'Promotion'
			&& document.querySelector('[data-testid=window-closed]').textContent.includes('ещё не писал')
			&& document.querySelectorAll('[data-testid=wa-template-offer]').length === 1
			&& ts.map(t => t.dataset.template + '/' + t.dataset.language).join(' ') === 'order_update/ru order_update/en_US follow_up/ru'
			&& ts.every(t => t.getAttribute('hx-post').startsWith('/clients/'));
	})()`)
	doFrame(t, manager, app, "send the follow-up", `document.querySelector('[data-testid=wa-template][data-template=follow_up] [data-testid=wa-template-send]').click()`)
	want := "Добрый день! Остались ли у вас вопросы?"
	waitFrame(t, manager, app, "the template out on Promotion, the composer in its dialog", `(() => {
		const out = [...document.querySelectorAll('[data-testid=message][data-direction=out][data-kind=template]')];
		return out.length === 1 && out[0].textContent.includes('`+want+`')
			&& out[0].querySelector('[data-testid=message-channel]').textContent.includes('Promotion')
			&& document.querySelector('[data-testid=channel-switcher]').selectedOptions[0].textContent.trim() === 'Promotion'
			&& document.querySelector('[data-testid=composer]').getAttribute('hx-post').startsWith('/dialogs/')
			&& [...document.querySelectorAll('[data-testid=wa-template]')].every(t => t.getAttribute('hx-post').startsWith('/dialogs/'));
	})()`)
	phoneGetsOneTemplate(t, env, demoNumbers[1].phoneNumberID, "79990007002", want)
	screenshot(t, manager, "template-new-channel.png")
	if n := evalFrame[int](t, manager, app, `[...document.querySelectorAll('[data-testid=dialog-row]')].filter(r => r.textContent.includes('Pavel Orlov')).length`); n != 1 {
		t.Fatalf("after the template Pavel has %d rows, want 1", n)
	}
}

// phoneGetsOneTemplate waits until the client's phone shows exactly one
// template from the business number, containing want.
func phoneGetsOneTemplate(t *testing.T, env *demoEnv, phoneNumberID, client, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got []string
		for _, m := range env.emu.Conversation(phoneNumberID, client) {
			if m.Type == "template" {
				got = append(got, m.Text)
			}
		}
		if len(got) == 1 && strings.Contains(got[0], want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the phone of %s shows templates %q from %s, want one %q", client, got, phoneNumberID, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
