package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Files the browser tests send, base64: a 1×1 PNG and a one-page PDF.
const (
	pngB64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
	pdfB64 = "JVBERi0xLjQKMSAwIG9iaiA8PCAvVHlwZSAvQ2F0YWxvZyA+PiBlbmRvYmoKdHJhaWxlciA8PCAvUm9vdCAxIDAgUiA+PgolJUVPRgo="
)

// jsFile is JavaScript building a File from base64.
func jsFile(name, mimeType, b64 string) string {
	return fmt.Sprintf(`new File([Uint8Array.from(atob(%q), c => c.charCodeAt(0))], %q, {type: %q})`, b64, name, mimeType)
}

// phoneAttaches picks a file on the phone page as its file chooser would.
func phoneAttaches(t *testing.T, phone contextTab, name, mimeType, b64 string) {
	t.Helper()
	evalJS[bool](t, phone, `(() => {
		const input = document.querySelector('[data-testid=phone-file]');
		const dt = new DataTransfer();
		dt.items.add(`+jsFile(name, mimeType, b64)+`);
		input.files = dt.files;
		input.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	})()`)
}

// phoneShows waits until the phone's conversation holds n messages.
func phoneShows(t *testing.T, phone contextTab, n int) {
	t.Helper()
	waitJS(t, phone, fmt.Sprintf("%d messages on the phone", n), fmt.Sprintf(`document.querySelectorAll('[data-testid=phone-message]').length >= %d`, n))
}

// TestEveryKindBothWays sends each kind from the client phone page (text,
// photo, file, voice note, location, contact card) and sees each rendered
// in the inbox, then sends a picture and a PDF from the composer that the
// phone shows. It also finds the coexistence number's backfilled history:
// its last three conversations.
func TestEveryKindBothWays(t *testing.T) {
	env := runDemo(t)
	manager := newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL

	openSharedInbox(t, env, manager, 1)
	waitFrame(t, manager, app, "the Support number's history: its last three dialogs of four, none unread", `(() => {
		const rows = [...document.querySelectorAll('[data-testid=dialog-row]')]
			.filter(r => r.querySelector('[data-testid=dialog-channel]').textContent.includes('Support'));
		return rows.length === 3 && rows.every(r => r.querySelector('[data-testid=dialog-unread]').textContent.trim() === '0')
			&& !rows.some(r => r.textContent.includes('Dmitry Ivanov')); // the oldest, 100 days ago
	})()`)

	openPhone(t, phone, env, "79990005555", "Nina Media")
	phoneSays(t, phone, "Hi, sending you things")
	phoneShows(t, phone, 1)
	phoneAttaches(t, phone, "photo.png", "image/png", pngB64)
	phoneShows(t, phone, 2)
	phoneAttaches(t, phone, "contract.pdf", "application/pdf", pdfB64)
	phoneShows(t, phone, 3)
	do(t, phone, "send a voice note", chromedp.Click(chromedp.CSS(`[data-testid=phone-voice]`)))
	phoneShows(t, phone, 4)
	do(t, phone, "share a location",
		chromedp.Click(chromedp.CSS(`[data-testid=phone-location]`)),
		chromedp.SetValue(chromedp.CSS(`[data-testid=phone-location-lat]`), "55.7539"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=phone-location-lon]`), "37.6208"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=phone-location-name]`), "Red Square"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=phone-location-address]`), "Moscow"),
		chromedp.Click(chromedp.CSS(`[data-testid=phone-location-send]`)),
	)
	phoneShows(t, phone, 5)
	do(t, phone, "send a contact card",
		chromedp.Click(chromedp.CSS(`[data-testid=phone-contact]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=phone-contact-send]`)),
	)
	phoneShows(t, phone, 6)

	waitFrame(t, manager, app, "Nina's dialog", `[...document.querySelectorAll('[data-testid=dialog-row]')]
		.some(r => r.querySelector('[data-testid=dialog-client]').textContent.includes('Nina Media'))`)
	doFrame(t, manager, app, "open Nina's dialog", `[...document.querySelectorAll('[data-testid=dialog-row]')]
		.find(r => r.querySelector('[data-testid=dialog-client]').textContent.includes('Nina Media')).querySelector('a').click()`)
	in := `[...document.querySelectorAll('[data-testid=message][data-direction=in]')]`
	waitFrame(t, manager, app, "the text", in+`.some(m => m.textContent.includes('Hi, sending you things'))`)
	waitFrame(t, manager, app, "the photo shown", in+`.some(m => { const i = m.querySelector('[data-testid=attachment-image]'); return i && i.complete && i.naturalWidth === 1; })`)
	waitFrame(t, manager, app, "the file as a download link", in+`.some(m => { const a = m.querySelector('[data-testid=attachment-file]'); return a && a.textContent.includes('contract.pdf') && a.getAttribute('download') === 'contract.pdf'; })`)
	waitFrame(t, manager, app, "the voice note playable", in+`.some(m => m.dataset.kind === 'voice' && (() => { const a = m.querySelector('audio[data-testid=attachment-audio]'); return a && a.controls && a.readyState >= 1 && a.duration > 0; })())`)
	waitFrame(t, manager, app, "the location as a Google Maps link", in+`.some(m => { const a = m.querySelector('[data-testid=location-link]'); return a && a.href.startsWith('https://maps.google.com/?q=55.7539,37.6208') && a.textContent.includes('Red Square'); })`)
	waitFrame(t, manager, app, "the contact as text", in+`.some(m => { const c = m.querySelector('[data-testid=contact-card]'); return c && c.textContent.includes('Boris Friend') && c.textContent.includes('+7 999 000 33 44'); })`)

	// The file downloads with its name and type, through the viewer's link.
	href := evalFrame[string](t, manager, app, `document.querySelector('[data-testid=message][data-direction=in] [data-testid=attachment-file]').href`)
	resp, err := http.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(body), "%PDF-1.4") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "contract.pdf") {
		t.Fatalf("download %s: %d %v %q", href, resp.StatusCode, resp.Header, body)
	}

	doFrame(t, manager, app, "attach a picture and a PDF and send them with a caption", `(() => {
		const form = document.querySelector('[data-testid=composer]');
		const input = form.querySelector('[data-testid=composer-files]');
		const dt = new DataTransfer();
		dt.items.add(`+jsFile("answer.png", "image/png", pngB64)+`);
		dt.items.add(`+jsFile("offer.pdf", "application/pdf", pdfB64)+`);
		input.files = dt.files;
		input.dispatchEvent(new Event('change', {bubbles: true}));
		form.querySelector('[data-testid=composer-input]').value = 'Here is our offer';
		form.requestSubmit();
	})()`)
	out := `[...document.querySelectorAll('[data-testid=message][data-direction=out]')]`
	waitFrame(t, manager, app, "both files in the dialog", out+`.some(m => m.querySelector('[data-testid=attachment-image]') && m.textContent.includes('Here is our offer'))
		&& `+out+`.some(m => (m.querySelector('[data-testid=attachment-file]') || {}).textContent?.includes('offer.pdf'))`)
	business := `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')]`
	waitJS(t, phone, "the picture on the phone", business+`.some(m => { const i = m.querySelector('[data-testid=phone-image]'); return i && i.complete && i.naturalWidth === 1 && m.textContent.includes('Here is our offer'); })`)
	waitJS(t, phone, "the PDF on the phone", business+`.some(m => (m.querySelector('[data-testid=phone-file-link]') || {}).textContent?.includes('offer.pdf'))`)
}

// TestComposerRefusesFilesOver50MB checks the composer says so before
// uploading anything.
func TestComposerRefusesFilesOver50MB(t *testing.T) {
	env := runDemo(t)
	manager := newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL
	signInToPortal(t, env, manager, 1, "/")
	do(t, manager, "open the app from the left menu", chromedp.Click(chromedp.CSS(`[data-testid=menu-app]`)))
	openPhone(t, phone, env, "79990006666", "Oleg Big")
	phoneSays(t, phone, "Send me the video")
	waitFrame(t, manager, app, "Oleg's dialog", `[...document.querySelectorAll('[data-testid=dialog-client]')].some(c => c.textContent.includes('Oleg Big'))`)
	doFrame(t, manager, app, "open Oleg's dialog", `[...document.querySelectorAll('[data-testid=dialog-row]')]
		.find(r => r.querySelector('[data-testid=dialog-client]').textContent.includes('Oleg Big')).querySelector('a').click()`)
	waitFrame(t, manager, app, "the composer", `document.querySelector('[data-testid=composer-files]')`)
	doFrame(t, manager, app, "pick a 60 MB file", `(() => {
		const input = document.querySelector('[data-testid=composer-files]');
		const dt = new DataTransfer();
		dt.items.add(new File([new Uint8Array(60 * 1024 * 1024)], 'film.mp4', {type: 'video/mp4'}));
		input.files = dt.files;
		input.dispatchEvent(new Event('change', {bubbles: true}));
	})()`)
	waitFrame(t, manager, app, "a clear refusal", `(() => {
		const e = document.querySelector('.composer-error [data-testid=flash-error]');
		return e && e.textContent.includes('film.mp4') && /50 (MB|МБ)/.test(e.textContent)
			&& document.querySelector('[data-testid=composer-files]').files.length === 0;
	})()`)
}
