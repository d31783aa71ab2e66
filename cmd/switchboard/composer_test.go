package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// openClientDialog opens the shared inbox as user and the dialog of the
// client named name, who writes first from the phone page.
func openClientDialog(t *testing.T, env *demoEnv, manager, phone contextTab, user int, number, name, says string) {
	t.Helper()
	openSharedInbox(t, env, manager, user)
	openPhone(t, phone, env, number, name)
	phoneSays(t, phone, says)
	app := env.appURL
	waitFrame(t, manager, app, name+"'s dialog", fmt.Sprintf(`[...document.querySelectorAll('[data-testid=dialog-client]')].some(c => c.textContent.includes(%q))`, name))
	doFrame(t, manager, app, "open "+name+"'s dialog", fmt.Sprintf(`[...document.querySelectorAll('[data-testid=dialog-row]')]
		.find(r => r.querySelector('[data-testid=dialog-client]').textContent.includes(%q)).querySelector('a').click()`, name))
	waitFrame(t, manager, app, "the composer", `document.querySelector('[data-testid=composer-input]')`)
}

// TestComposerEmoji picks an emoji from the picker (vendored data, under
// the page policy, in the portal's iframe with third-party cookies
// blocked), searching in the viewer's language, and sends it.
func TestComposerEmoji(t *testing.T) {
	env := runDemo(t)
	manager, phone := newBrowser(t), newBrowser(t)
	app := env.appURL
	openClientDialog(t, env, manager, phone, 1, "79990007001", "Emma Smile", "Hi")

	waitFrame(t, manager, app, "labelled icon buttons", `(() => {
		const attach = document.querySelector('[data-testid=composer-attach]');
		const emoji = document.querySelector('[data-testid=composer-emoji]');
		return attach.getAttribute('aria-label').includes('50') && attach.textContent.includes('Файл')
			&& emoji.getAttribute('aria-label') === 'Вставить эмодзи' && emoji.textContent.includes('Эмодзи');
	})()`)
	doFrame(t, manager, app, "type a greeting", `document.querySelector('[data-testid=composer-input]').value = 'Hello '`)
	doFrame(t, manager, app, "open the picker", `document.querySelector('[data-testid=composer-emoji]').click()`)
	waitFrame(t, manager, app, "the picker filled, by group, in Russian", `(() => {
		const p = document.querySelector('[data-testid=emoji-panel]');
		return !p.hidden && p.dataset.state === 'ready'
			&& p.querySelectorAll('[data-testid=emoji]').length > 1000
			&& [...p.querySelectorAll('.emoji-group')].some(g => g.textContent === 'смайлики и люди');
	})()`)
	doFrame(t, manager, app, "search in Russian", `(() => {
		const s = document.querySelector('[data-testid=emoji-search]');
		s.value = 'широко улыб';
		s.dispatchEvent(new Event('input', {bubbles: true}));
	})()`)
	waitFrame(t, manager, app, "the grinning face found", `(() => {
		const found = [...document.querySelectorAll('[data-testid=emoji-panel] [data-testid=emoji]')];
		return found.length > 0 && found.length < 20 && found[0].textContent === '😀' && found[0].getAttribute('aria-label') === 'широко улыбается';
	})()`)
	screenshot(t, manager, "emoji-picker.png")
	doFrame(t, manager, app, "pick it", `document.querySelector('[data-testid=emoji-panel] [data-testid=emoji]').click()`)
	waitFrame(t, manager, app, "the emoji in the text at the caret", `document.querySelector('[data-testid=composer-input]').value === 'Hello 😀'`)
	doFrame(t, manager, app, "close the picker with a click outside", `document.querySelector('[data-testid=messages]').click()`)
	waitFrame(t, manager, app, "the picker closed", `document.querySelector('[data-testid=emoji-panel]').hidden
		&& document.querySelector('[data-testid=composer-emoji]').getAttribute('aria-expanded') === 'false'`)
	doFrame(t, manager, app, "open the picker again", `document.querySelector('[data-testid=composer-emoji]').click()`)
	waitFrame(t, manager, app, "every emoji again, the last search gone", `(() => {
		const p = document.querySelector('[data-testid=emoji-panel]');
		return !p.hidden && document.querySelector('[data-testid=emoji-search]').value === ''
			&& p.querySelectorAll('[data-testid=emoji]').length > 1000;
	})()`)
	doFrame(t, manager, app, "close it with Escape", `document.querySelector('[data-testid=emoji-search]').dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))`)
	waitFrame(t, manager, app, "the picker closed again", `document.querySelector('[data-testid=emoji-panel]').hidden`)
	doFrame(t, manager, app, "send", `document.querySelector('[data-testid=composer-send]').click()`)
	waitJS(t, phone, "the emoji on the phone", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')].some(m => m.textContent.includes('Hello 😀'))`)
}

// TestComposerUploadProgress sends a file over a slow link: the bar shows
// how far the upload is, Cancel stops it and nothing is sent, and the same
// file then goes through with the bar reaching its end.
func TestComposerUploadProgress(t *testing.T) {
	env := runDemo(t)
	manager, phone := newBrowser(t), newBrowser(t)
	app := env.appURL
	openClientDialog(t, env, manager, phone, 1, "79990007002", "Paul Upload", "Send the price list")

	throttleUploads(t, manager, app+"/dialogs/*", 200<<10) // 200 KB/s: 3 MB take 15 s
	doFrame(t, manager, app, "pick a 3 MB file and a caption", `(() => {
		const input = document.querySelector('[data-testid=composer-files]');
		const dt = new DataTransfer();
		dt.items.add(new File([new Uint8Array(3 * 1024 * 1024)], 'prices.pdf', {type: 'application/pdf'}));
		input.files = dt.files;
		input.dispatchEvent(new Event('change', {bubbles: true}));
		document.querySelector('[data-testid=composer-input]').value = 'Our prices';
		document.querySelector('[data-testid=composer-send]').click();
	})()`)
	waitFrame(t, manager, app, "the bar part way", `(() => {
		const up = document.querySelector('[data-testid=upload-progress]');
		const bar = document.querySelector('[data-testid=upload-bar]');
		return !up.hidden && up.dataset.state === 'uploading' && bar.value > 0 && bar.value < 100
			&& document.querySelector('[data-testid=upload-percent]').textContent === bar.value + '%';
	})()`)
	screenshot(t, manager, "upload-progress.png")
	doFrame(t, manager, app, "cancel", `document.querySelector('[data-testid=upload-cancel]').click()`)
	waitFrame(t, manager, app, "cancelled, the text and the file kept", `(() => {
		const up = document.querySelector('[data-testid=upload-progress]');
		return up.dataset.state === 'cancelled' && document.querySelector('[data-testid=upload-note]').textContent.includes('отменена')
			&& document.querySelector('[data-testid=composer-input]').value === 'Our prices'
			&& document.querySelector('[data-testid=composer-files]').files.length === 1
			&& document.querySelectorAll('[data-testid=message][data-direction=out]').length === 0;
	})()`)

	throttleUploads(t, manager, app+"/dialogs/*", -1)
	doFrame(t, manager, app, "send again", `document.querySelector('[data-testid=composer-send]').click()`)
	waitFrame(t, manager, app, "sent once, the bar done and hidden", `(() => {
		const up = document.querySelector('[data-testid=upload-progress]');
		const out = document.querySelectorAll('[data-testid=message][data-direction=out]');
		return out.length === 1 && out[0].textContent.includes('prices.pdf') && up.hidden && up.dataset.state === 'done'
			&& document.querySelector('[data-testid=upload-bar]').value === 100;
	})()`)
	waitJS(t, phone, "one file on the phone", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')]
		.filter(m => (m.querySelector('[data-testid=phone-file-link]') || {}).textContent?.includes('prices.pdf')).length === 1`)
}

// throttleUploads limits the tab's upload speed to requests matching
// pattern (bytes per second; -1 lifts the limit).
func throttleUploads(t *testing.T, tab contextTab, pattern string, bytesPerSecond float64) {
	t.Helper()
	_, err := chromedp.Run(tab, chromedp.Action[chromedp.Void](func(ctx context.Context, target *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, target, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{URLPattern: pattern, DownloadThroughput: -1, UploadThroughput: bytesPerSecond}},
		})
		return chromedp.Void{}, err
	}))
	if err != nil {
		t.Fatalf("throttle uploads: %v", err)
	}
}
