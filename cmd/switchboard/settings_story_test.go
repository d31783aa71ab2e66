package main

import (
	"context"
	"fmt"
	"testing"

	"switchboard/channels/graphemu"
)

// TestAnAdminSetsUpAChannelAndNarrowsVisibility plays issue 13's story in a
// real browser: the admin opens the settings from the shared chat, adds a
// WhatsApp number (checked against the Graph emulator), pastes the webhook
// URL and verify token into "Meta", which checks them, renames the
// channel; a client writes to it; the admin switches setting 6 from "all"
// to "only own", and a manager's open inbox loses the dialogs that are not
// theirs, live, without a reload.
func TestAnAdminSetsUpAChannelAndNarrowsVisibility(t *testing.T) {
	env := runDemo(t)
	admin, manager := newBrowser(t), newBrowser(t)
	app := env.appURL
	const number, token, secret = "777000111", "acme-token", "acme-secret"
	env.emu.AddWhatsAppNumber(graphemu.Number{PhoneNumberID: number, DisplayPhone: "15557770111", Name: "Acme",
		AccessToken: token, AppSecret: secret})

	openSharedInbox(t, env, admin, 1)
	doFrame(t, admin, app, "open the settings", `document.querySelector('[data-testid=settings-link]').click()`)
	waitFrame(t, admin, app, "the settings page", `document.querySelector('[data-testid=channel-add]')`)

	// Every new dialog goes to the admin, and managers see all dialogs.
	doFrame(t, admin, app, "everyone sees all; new clients go to Anna", `
		document.querySelector('[data-testid=visibility-all]').click();
		document.querySelector('[data-testid=settings-distribute]').value = 'one';
		[...document.querySelector('[data-testid=settings-distribute_to]').options].forEach(o => o.selected = o.value === '1');
		document.querySelector('[data-testid=settings-save]').click()`)
	waitFrame(t, admin, app, "saved", `document.querySelector('[data-testid=flash-saved]')`)

	doFrame(t, admin, app, "add the number", fmt.Sprintf(`
		document.querySelector('[data-testid=channel-add-transport]').value = 'whatsapp';
		document.querySelector('[data-testid=channel-add-id]').value = %q;
		document.querySelector('[data-testid=channel-add-token]').value = %q;
		document.querySelector('[data-testid=channel-add-secret]').value = %q;
		document.querySelector('[data-testid=channel-add-submit]').click()`, number, token, secret))
	waitFrame(t, admin, app, "the new channel waits for Meta", `[...document.querySelectorAll('[data-testid=channel-card]')]
		.some(c => c.querySelector('[data-testid=channel-name]').textContent === 'Acme'
			&& c.querySelector('[data-testid=channel-status]').dataset.state === 'waiting')`)
	card := `[...document.querySelectorAll('[data-testid=channel-card]')].find(c => c.querySelector('[data-testid=channel-name]').textContent.startsWith('Acme'))`
	hook := evalFrame[string](t, admin, app, card+`.querySelector('[data-testid=channel-webhook-url]').textContent`)
	verify := evalFrame[string](t, admin, app, card+`.querySelector('[data-testid=channel-verify-token]').textContent`)
	if evalFrame[bool](t, admin, app, fmt.Sprintf(`document.body.innerHTML.includes(%q) || document.body.innerHTML.includes(%q)`, token, secret)) {
		t.Fatal("the page shows a secret after saving")
	}

	// In Meta's dashboard: the callback URL and verify token, checked at once.
	env.emu.AddWhatsAppNumber(graphemu.Number{PhoneNumberID: number, DisplayPhone: "15557770111", Name: "Acme",
		AccessToken: token, AppSecret: secret, WebhookURL: hook})
	if err := env.emu.VerifyWebhook(context.Background(), number, verify); err != nil {
		t.Fatalf("Meta's handshake with %s: %v", hook, err)
	}
	waitFrame(t, admin, app, "the channel connected", card+`.querySelector('[data-testid=channel-status]').dataset.state === 'verified'`)
	doFrame(t, admin, app, "rename it", card+`.querySelector('[data-testid=channel-rename]').value = 'Acme — North';
		`+card+`.querySelector('[data-testid=channel-save]').click()`)
	waitFrame(t, admin, app, "renamed", card+` && `+card+`.querySelector('[data-testid=channel-name]').textContent === 'Acme — North'`)

	// A client writes to the new number; the manager, who sees all, has it.
	openSharedInbox(t, env, manager, 2)
	if _, err := env.emu.SendText(number, graphemu.Client{ID: "79995557788", Name: "Lena Fox"}, "Do you deliver on Sundays?"); err != nil {
		t.Fatal(err)
	}
	lenasRow := `[...document.querySelectorAll('[data-testid=dialog-row]')].find(r => r.textContent.includes('Lena Fox'))`
	waitFrame(t, manager, app, "Lena's dialog on the renamed channel, live", lenasRow+` && `+lenasRow+`.querySelector('[data-testid=dialog-channel]').textContent.includes('Acme — North')`)
	if c := waitContact(t, env.portal, "79995557788"); fmt.Sprint(c["ASSIGNED_BY_ID"]) != "1" {
		t.Fatalf("Lena's contact is %v's, want Anna's (distribution: always one person)", c["ASSIGNED_BY_ID"])
	}

	// Only own: Lena's dialog is Anna's, so it leaves Boris's open inbox.
	doFrame(t, admin, app, "switch to only own", `
		document.querySelector('[data-testid=visibility-own]').click();
		document.querySelector('[data-testid=settings-save]').click()`)
	waitFrame(t, admin, app, "saved again", `document.querySelector('[data-testid=flash-saved]')`)
	waitFrame(t, manager, app, "Lena's dialog gone from Boris's inbox, without a reload", `!(`+lenasRow+`)
		&& performance.getEntriesByType('navigation').length === 1`)
}
