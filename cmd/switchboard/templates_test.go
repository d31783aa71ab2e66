package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// PNGs of 2×2 and 3×3 pixels: with the 1×1 one, the phone tells the three
// images apart by their width.
const (
	png2B64 = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg=="
	png3B64 = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAADCAIAAADZSiLoAAAAEElEQVR4nGP4z8AAQQxYWACPjgj4kWPEuQAAAABJRU5ErkJggg=="
)

// templateFileNames is the template form's files, in their order.
const templateFileNames = `[...document.querySelectorAll('[data-testid=template-file]')].map(f => f.dataset.name).join(',')`

// TestATemplateWithReorderedImages plays issue 12's story: a manager creates
// a template with a text, an emoji and three images, drags the third to the
// first place, saves, reopens it (the order kept) and sends it from a
// dialog; the client's phone shows the images in the new order with the
// text. Another manager can neither list, open nor send it.
func TestATemplateWithReorderedImages(t *testing.T) {
	env := runDemo(t)
	manager := newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL

	openPhone(t, phone, env, "79990007777", "Olga Templates")
	phoneSays(t, phone, "Do you have new photos?")
	openSharedInbox(t, env, manager, 1)

	doFrame(t, manager, app, "open the templates page from the menu", `document.querySelector('[data-testid=menu-templates]').click()`)
	waitFrame(t, manager, app, "the empty templates page", `document.querySelector('[data-testid=template-list-empty]')`)
	doFrame(t, manager, app, "start a new template", `document.querySelector('[data-testid=template-new]').click()`)
	waitFrame(t, manager, app, "the template form", `document.querySelector('[data-testid=template-form]')`)
	doFrame(t, manager, app, "name it, write a text with an emoji, add three images", `
		document.querySelector('[data-testid=template-name]').value = 'New collection';
		document.querySelector('[data-testid=template-text]').value = 'Our new collection 🌸';
		const input = document.querySelector('[data-testid=template-add-files]');
		const dt = new DataTransfer();
		dt.items.add(`+jsFile("one.png", "image/png", pngB64)+`);
		dt.items.add(`+jsFile("two.png", "image/png", png2B64)+`);
		dt.items.add(`+jsFile("three.png", "image/png", png3B64)+`);
		input.files = dt.files;
		input.dispatchEvent(new Event('change', {bubbles: true}))`)
	waitFrame(t, manager, app, "three files listed", templateFileNames+` === 'one.png,two.png,three.png'`)

	// Drag the third image's handle above the first, with the mouse.
	dragInFrame(t, manager, app,
		`document.querySelectorAll('[data-testid=template-file-drag]')[2]`,
		`document.querySelectorAll('[data-testid=template-file]')[0]`)
	waitFrame(t, manager, app, "the third image first", templateFileNames+` === 'three.png,one.png,two.png'`)
	// And with the keyboard's buttons: two up, then back down.
	doFrame(t, manager, app, "move two.png up and down again", `
		document.querySelectorAll('[data-testid=template-file]')[2].querySelector('[data-move="-1"]').click();
		document.querySelectorAll('[data-testid=template-file]')[1].querySelector('[data-move="1"]').click()`)
	waitFrame(t, manager, app, "the order as dragged", templateFileNames+` === 'three.png,one.png,two.png'`)

	doFrame(t, manager, app, "save", `document.querySelector('[data-testid=template-save]').click()`)
	waitFrame(t, manager, app, "the template listed with its three files", `[...document.querySelectorAll('[data-testid=template-item]')].some(i =>
		i.textContent.includes('New collection') && i.querySelector('.template-count').textContent.startsWith('3 ') && i.textContent.includes('Our new collection 🌸'))`)
	templateURL := evalFrame[string](t, manager, app, `document.querySelector('[data-testid=template-link]').href`)

	doFrame(t, manager, app, "reopen it", `document.querySelector('[data-testid=template-link]').click()`)
	waitFrame(t, manager, app, "the order kept, with thumbnails", templateFileNames+` === 'three.png,one.png,two.png'
		&& [...document.querySelectorAll('[data-testid=template-file] img')].map(i => i.complete && i.naturalWidth).join(',') === '3,1,2'
		&& document.querySelector('[data-testid=template-text]').value === 'Our new collection 🌸'`)

	doFrame(t, manager, app, "back to the chat", `document.querySelector('[data-testid=back-to-templates]').click()`)
	waitFrame(t, manager, app, "the templates list", `document.querySelector('[data-testid=back-to-inbox]')`)
	doFrame(t, manager, app, "back to the chat", `document.querySelector('[data-testid=back-to-inbox]').click()`)
	openRowOf(t, manager, app, "Olga Templates")
	doFrame(t, manager, app, "open the composer's templates", `document.querySelector('[data-testid=composer-templates]').click()`)
	waitFrame(t, manager, app, "the picker with the template", `document.querySelector('[data-testid=template-choice]:not([disabled])')`)
	doFrame(t, manager, app, "choose it", `document.querySelector('[data-testid=template-choice]').click()`)
	waitFrame(t, manager, app, "its text in the composer, the template named", `document.querySelector('[data-testid=composer-input]').value === 'Our new collection 🌸'
		&& !document.querySelector('[data-testid=composer-template]').hidden`)
	doFrame(t, manager, app, "send", `document.querySelector('[data-testid=composer-send]').click()`)
	waitFrame(t, manager, app, "three images sent", `[...document.querySelectorAll('[data-testid=message][data-direction=out] [data-testid=attachment-image]')].length === 3`)
	waitFrame(t, manager, app, "the composer free of the template", `document.querySelector('[data-testid=composer-template]').hidden
		&& document.querySelector('[data-testid=composer-input]').value === ''`)

	business := `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')]`
	waitJS(t, phone, "the three images on the phone, in the new order, the text with the first", `(() => {
		const imgs = `+business+`.map(m => m.querySelector('[data-testid=phone-image]')).filter(Boolean);
		return imgs.length === 3 && imgs.every(i => i.complete) && imgs.map(i => i.naturalWidth).join(',') === '3,1,2'
			&& `+business+`.find(m => m.querySelector('[data-testid=phone-image]')).textContent.includes('Our new collection 🌸');
	})()`)

	// Boris, another manager: not in his list, not by its URL, not by a
	// forged id in his own send.
	other := newBrowser(t)
	openSharedInbox(t, env, other, 2)
	doFrame(t, other, app, "open his templates page", `document.querySelector('[data-testid=menu-templates]').click()`)
	waitFrame(t, other, app, "his empty list", `document.querySelector('[data-testid=template-list-empty]') && !document.body.textContent.includes('New collection')`)
	id := templateURL[len(app)+len("/templates/"):]
	if i := strings.IndexByte(id, '?'); i >= 0 {
		id = id[:i]
	}
	status := asyncInFrame(t, other, app, fmt.Sprintf(`
		const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-Switchboard-Token'];
		const r = await fetch('/templates/%s?st=' + encodeURIComponent(token));
		return String(r.status)`, id))
	if status != "404" {
		t.Fatalf("Boris opening her template by its URL: %v, want 404", status)
	}
	doFrame(t, other, app, "back to his chat", `document.querySelector('[data-testid=back-to-inbox]').click()`)
	// Two new clients: the round robin gives one of them to Boris, who has
	// signed in by now.
	openPhone(t, phone, env, "79990007778", "Pavel Second")
	phoneSays(t, phone, "Hello")
	openPhone(t, phone, env, "79990007779", "Rita Third")
	phoneSays(t, phone, "Hello")
	waitFrame(t, other, app, "a dialog Boris may write to", `document.querySelector('[data-testid=dialog-row]')`)
	forged := asyncInFrame(t, other, app, fmt.Sprintf(`
		const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-Switchboard-Token'];
		const dialog = document.querySelector('[data-testid=dialog-row]').dataset.dialog;
		const post = async (extra) => {
			const f = new FormData();
			f.append('text', 'hello');
			for (const [k, v] of extra) f.append(k, v);
			return (await fetch('/dialogs/' + dialog + '/messages', {method: 'POST', body: f,
				headers: {'X-Switchboard-Token': token, 'HX-Request': 'true'}})).status;
		};
		return (await post([['template', '%s']])) + ',' + (await post([]))`, id))
	if forged != "404,200" {
		t.Fatalf("Boris sending her template id, then nothing: %s, want 404,200 (refused, though he may write there)", forged)
	}
}

// asyncInFrame runs an async function body in the app's frame and returns
// what it resolves to.
func asyncInFrame(t *testing.T, tab contextTab, app, body string) string {
	t.Helper()
	doFrame(t, tab, app, "start", `document.body.removeAttribute('data-test-result');
		(async () => { `+body+` })().then(v => document.body.setAttribute('data-test-result', v),
			e => document.body.setAttribute('data-test-result', 'error: ' + e))`)
	waitFrame(t, tab, app, "the result", `document.body.hasAttribute('data-test-result')`)
	return evalFrame[string](t, tab, app, `document.body.getAttribute('data-test-result')`)
}

// openRowOf opens the dialog of a client in the app's list.
func openRowOf(t *testing.T, tab contextTab, app, client string) {
	t.Helper()
	row := fmt.Sprintf(`[...document.querySelectorAll('[data-testid=dialog-row]')].find(r => r.querySelector('[data-testid=dialog-client]').textContent.includes(%q))`, client)
	waitFrame(t, tab, app, client+"'s dialog", row)
	doFrame(t, tab, app, "open "+client+"'s dialog", row+`.querySelector('a').click()`)
	waitFrame(t, tab, app, client+"'s composer", `document.querySelector('[data-testid=composer]')`)
}

// dragInFrame drags, with the mouse, the element from to just above the
// top of element to, both found by JavaScript inside the app's frame.
func dragInFrame(t *testing.T, tab contextTab, app, from, to string) {
	t.Helper()
	frame := evalJS[[]float64](t, tab, `(() => {
		const f = document.querySelector('[data-testid=app-frame]');
		const r = f.getBoundingClientRect();
		return [r.left + f.clientLeft, r.top + f.clientTop];
	})()`)
	pts := evalFrame[[]float64](t, tab, app, `(() => {
		const a = (`+from+`).getBoundingClientRect(), b = (`+to+`).getBoundingClientRect();
		return [a.left + a.width / 2, a.top + a.height / 2, b.left + b.width / 2, b.top + 2];
	})()`)
	do(t, tab, "drag", chromedp.DragAndDropXY(frame[0]+pts[0], frame[1]+pts[1], frame[0]+pts[2], frame[1]+pts[3]))
}
