package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"switchboard/bitrix/emulator"
)

// TestAnUnknownClientInTheCRM plays the CRM mirror's story in a real
// browser: a client writes from an unknown number on "Sales"; a contact
// appears with source "WhatsApp — Sales" and a round-robin responsible, who
// is notified and opens the dialog from the notification; they reply; the
// contact's timeline shows both messages, newest first, the reply authored
// by them; the other manager no longer sees the dialog.
func TestAnUnknownClientInTheCRM(t *testing.T) {
	env := runDemo(t)
	managers := map[int]contextTab{1: newBrowser(t), 2: newBrowser(t)}
	phone := newBrowser(t)
	app := env.appURL
	for id, tab := range managers { // both open the app: both are users with access
		openSharedInbox(t, env, tab, id)
	}

	openPhone(t, phone, env, "79995550101", "Nadia Volkova")
	phoneSays(t, phone, "Hello, is this the flower shop?")

	contact := waitContact(t, env.portal, "79995550101")
	if contact["NAME"] != "Nadia Volkova" || contact["SOURCE_DESCRIPTION"] != "WhatsApp — Sales" {
		t.Fatalf("the new contact: %v", contact)
	}
	var responsible int
	fmt.Sscan(fmt.Sprint(contact["ASSIGNED_BY_ID"]), &responsible)
	other := 3 - responsible
	tab, ok := managers[responsible]
	if !ok {
		t.Fatalf("the contact's responsible is user %d, not one of the two managers with access", responsible)
	}
	var id int
	fmt.Sscan(fmt.Sprint(contact["ID"]), &id)

	waitPage(t, tab, env.bitrixURL+"/notifications/", "the notification about the new client", `[...document.querySelectorAll('[data-testid=notification]')]
		.some(n => n.textContent.includes('Nadia Volkova') && n.querySelector('a[href*="/marketplace/app/"]'))`)
	link := evalJS[string](t, tab, `[...document.querySelectorAll('[data-testid=notification]')]
		.find(n => n.textContent.includes('Nadia Volkova')).querySelector('a[href*="/marketplace/app/"]').href`)
	do(t, tab, "follow the notification's link", chromedp.Navigate(link))
	waitFrame(t, tab, app, "the app opened on Nadia's dialog", `[...document.querySelectorAll('[data-testid=message][data-direction=in]')]
		.some(m => m.textContent.includes('flower shop'))`)
	waitFrame(t, tab, app, "the live stream", `document.body.dataset.liveState === "open"`)
	managerTypes(t, tab, app, "Yes! Which bouquet would you like?")
	waitJS(t, phone, "the reply on the phone", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')].some(m => m.textContent.includes('Which bouquet'))`)

	name := userName(env.portal, responsible)
	card := fmt.Sprintf("%s/crm/contact/details/%d/", env.bitrixURL, id)
	waitPage(t, tab, card, "both messages in the timeline, newest first, the reply by its author", fmt.Sprintf(`(() => {
		const items = [...document.querySelectorAll('[data-testid=timeline-item]')];
		return items.length === 2 && items[0].textContent.includes('Which bouquet')
			&& items[0].querySelector('[data-testid=timeline-author]').textContent.includes(%q)
			&& items[1].textContent.includes('flower shop')
			&& document.querySelector('[data-testid=card-source-description]').textContent.includes('WhatsApp — Sales')
	})()`, name))

	// The other manager: the dialog has a responsible now, and it is not them.
	openSharedInbox(t, env, managers[other], other)
	if evalFrame[bool](t, managers[other], app, `document.querySelector('[data-testid=dialog-list]').textContent.includes('Nadia Volkova')`) {
		t.Fatalf("user %d, not responsible, still sees Nadia's dialog", other)
	}
}

// waitPage loads a page of the portal again until expr holds on it.
func waitPage(t *testing.T, tab contextTab, url, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		do(t, tab, "open "+url, chromedp.Navigate(url))
		if evalJS[bool](t, tab, "!!("+expr+")") {
			return
		}
		if time.Now().After(deadline) {
			waitJS(t, tab, what, expr) // fails, with the page
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// waitContact waits for the CRM sync to create a contact with the phone.
func waitContact(t *testing.T, p *emulator.Portal, phone string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, id := range p.EntityIDs("contact") {
			c, _ := p.Entity("contact", id)
			b, _ := json.Marshal(c["PHONE"])
			if strings.Contains(string(b), phone) {
				return c
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no contact with %s appeared", phone)
	return nil
}

func userName(p *emulator.Portal, id int) string {
	for _, u := range p.Users() {
		if u.ID == id {
			return u.Name + " " + u.LastName
		}
	}
	return ""
}
