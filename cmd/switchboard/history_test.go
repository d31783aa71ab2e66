package main

import (
	"fmt"
	"testing"
)

// TestALongConversationReadsBack: a conversation opens at its latest 200
// messages; "Earlier messages" loads the page above without moving what
// was in view, and a message arriving meanwhile does not pull the reader
// down. A search hit older than the latest messages opens the part of the
// history around it, read only (what arrives live is not put after it),
// with a way back to the latest.
func TestALongConversationReadsBack(t *testing.T) {
	env := runDemo(t)
	app := env.appURL
	manager := newBrowser(t)
	phone := newBrowser(t)

	ivanWritesHello(t, env, manager, phone)
	// 259 messages before "Hello", a minute apart, two days ago; the 8th
	// has a rare word.
	res, err := env.app.store.DB.Exec(`INSERT INTO messages (portal_id, dialog_id, channel_id, direction, kind, body, status, created_at)
		SELECT d.portal_id, d.id, d.channel_id, 'in', 'text',
			CASE WHEN g = 7 THEN 'История 7: мой кактус' ELSE 'История ' || g END, 'received',
			now() - interval '2 days' + g * interval '1 minute'
		FROM dialogs d JOIN clients c ON c.id = d.client_id, generate_series(0, 258) g
		WHERE c.external_id = '79990001122' AND d.portal_id = $1`, env.portalID)
	if n, _ := res.RowsAffected(); err != nil || n != 259 {
		t.Fatalf("seeding the history: %d rows, %v", n, err)
	}
	const shown = `document.querySelectorAll('[data-testid=messages] [data-testid=message]').length`
	const says = `[...document.querySelectorAll('[data-testid=messages] [data-testid=message]')].some(m => m.textContent.includes(%q))`

	doFrame(t, manager, app, "open the dialog", `document.querySelector('[data-testid=dialog-row] a').click()`)
	waitFrame(t, manager, app, "the latest 200, from История 60, and a way further back", shown+` === 200
		&& document.querySelector('[data-testid=messages] [data-testid=message]').textContent.includes('История 60')
		&& document.querySelector('[data-testid=messages-earlier]')
		&& document.querySelector('[data-testid=composer]')`)
	doFrame(t, manager, app, "scroll to the top, note where История 60 is, load earlier messages", `
		const list = document.querySelector('[data-testid=messages]');
		list.scrollTop = 0;
		const first = list.querySelector('[data-testid=message]');
		document.body.dataset.firstId = first.id;
		document.body.dataset.firstAt = String(first.getBoundingClientRect().top);
		document.querySelector('[data-testid=messages-earlier]').click()`)
	const firstMoved = `Math.abs(document.getElementById(document.body.dataset.firstId).getBoundingClientRect().top - Number(document.body.dataset.firstAt))`
	waitFrame(t, manager, app, "all 260, from История 0, История 60 still where it was", shown+` === 260
		&& !document.querySelector('[data-testid=messages-earlier]')
		&& document.querySelector('[data-testid=messages] [data-testid=message]').textContent.includes('История 0')
		&& `+firstMoved+` < 2`)

	phoneSays(t, phone, "Новое сообщение")
	waitFrame(t, manager, app, "the new message in the conversation", fmt.Sprintf(says, "Новое сообщение"))
	if moved := evalFrame[float64](t, manager, app, firstMoved); moved >= 2 {
		t.Fatalf("a message arriving moved what the reader reads by %.0f px", moved)
	}

	doFrame(t, manager, app, "search the rare word", `
		const input = document.querySelector('[data-testid=search-input]');
		input.value = 'кактус';
		input.form.requestSubmit()`)
	waitFrame(t, manager, app, "one hit", `document.querySelectorAll('[data-testid=search-message]').length === 1`)
	doFrame(t, manager, app, "open the hit", `document.querySelector('[data-testid=search-message] a').click()`)
	waitFrame(t, manager, app, "the history around the hit: 7 before it, 150 from it, read only", `(() => {
		const m = document.querySelector('.msg.focus');
		return m && m.textContent.includes('мой кактус') && `+shown+` === 157
			&& document.querySelector('[data-testid=history-bar]') && !document.querySelector('[data-testid=composer]')
			&& !document.querySelector('[data-testid=messages-earlier]');
	})()`)
	screenshot(t, manager, "history-hit.png")

	phoneSays(t, phone, "Ещё одно")
	waitFrame(t, manager, app, "the list has it, the history part does not", `[...document.querySelectorAll('[data-testid=dialog-preview]')].some(p => p.textContent.includes('Ещё одно'))
		&& !`+fmt.Sprintf(says, "Ещё одно"))
	doFrame(t, manager, app, "back to the latest", `document.querySelector('[data-testid=history-latest]').click()`)
	waitFrame(t, manager, app, "the latest messages with the composer", shown+` === 200 && `+fmt.Sprintf(says, "Ещё одно")+`
		&& document.querySelector('[data-testid=composer]') && !document.querySelector('[data-testid=history-bar]')
		&& document.querySelector('[data-testid=messages-earlier]') && !location.search.includes('m=')`)
}
