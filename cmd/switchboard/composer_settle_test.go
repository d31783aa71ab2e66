package main

import "testing"

// TestEnterRightAfterTheDialogOpensSends: htmx takes a swapped-in form over
// only once it settles, 20 ms after the swap. Enter pressed in that moment
// (here, in the very swap's event) must still send through htmx, not
// submit the form the browser's way (a page load without the page's token,
// the text in its URL). Every htmx form is guarded so (static/app.js).
func TestEnterRightAfterTheDialogOpensSends(t *testing.T) {
	env := runDemo(t)
	app := env.appURL
	manager := newBrowser(t)
	phone := newBrowser(t)

	ivanWritesHello(t, env, manager, phone)
	doFrame(t, manager, app, "open the dialog and press Enter as it is swapped in", `
		document.body.dataset.page = "before";
		document.addEventListener("htmx:afterSwap", function typeOnce(e) {
			const input = document.querySelector('[data-testid=composer-input]');
			if (!input) return;
			document.removeEventListener("htmx:afterSwap", typeOnce);
			document.body.dataset.typedSettling = String(!!document.querySelector('.htmx-settling'));
			input.value = "Hi at once";
			input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
		});
		document.querySelector('[data-testid=dialog-row] a').click()`)
	waitFrame(t, manager, app, "the reply sent from the same page", `document.body.dataset.page === "before"
		&& [...document.querySelectorAll('[data-testid=message][data-direction=out]')].some(m => m.textContent.includes('Hi at once'))`)
	if settling := evalFrame[string](t, manager, app, `document.body.dataset.typedSettling`); settling != "true" {
		t.Fatalf("Enter was pressed after the swap settled (%s): the test proves nothing", settling)
	}
	waitJS(t, phone, "the reply on the phone", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')].some(m => m.textContent.includes('Hi at once'))`)
}
