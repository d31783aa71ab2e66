package main

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"switchboard/channels/graphemu"
	"switchboard/db"
	"switchboard/inbox"
	"switchboard/inbox/inboxtest"
)

// TestAPausedAnswerGoesOutWhenTheHourTurns plays the plan limit in a real
// browser, on the app's fake clock: with a limit of one dialog an hour, the
// manager answers Ivan (the hour's dialog), then a second client; that
// answer waits, the composer and the message say until when, and when the
// hour turns it goes out by itself, live, and the pause is gone.
func TestAPausedAnswerGoesOutWhenTheHourTurns(t *testing.T) {
	clock := inboxtest.NewClock(time.Now())
	env := runDemo(t, beforeStart(func(env *demoEnv) { env.app.inbox.Clock = clock }))
	manager := newBrowser(t)
	phone := newBrowser(t)
	app := env.appURL
	ctx := context.Background()

	openSharedInbox(t, env, manager, 1)
	openPhone(t, phone, env, "79990001122", "Ivan Petrov")
	phoneSays(t, phone, "Hello")
	ivan := waitDialog(t, env, "79990001122")
	ch, err := env.app.store.Channel(ctx, env.portalID, ivan.ChannelID)
	if err != nil {
		t.Fatal(err)
	}
	admin := inbox.Viewer{PortalID: env.portalID, IsAdmin: true}
	if err := env.app.inbox.SetLimit(ctx, admin, ch.ID, inbox.PeriodHour, 1); err != nil {
		t.Fatal(err)
	}

	openDialogRow(t, manager, app, ivan.ID)
	managerTypes(t, manager, app, "Hi Ivan!")
	waitJS(t, phone, "Ivan has the answer", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')].some(m => m.textContent.includes('Hi Ivan!'))`)

	// A second client writes; the hour's one dialog is Ivan's.
	if _, err := env.emu.SendText(ch.ExternalID, graphemu.Client{ID: "79995556677", Name: "Olga Sokolova"}, "Do you deliver on Sundays?"); err != nil {
		t.Fatal(err)
	}
	olga := waitDialog(t, env, "79995556677")
	openDialogRow(t, manager, app, olga.ID)
	managerTypes(t, manager, app, "Yes, we do.")
	// The portal's hours are Moscow's (its administrator's time zone); the
	// page shows the time in the viewer's own.
	moscow, _ := time.LoadLocation("Europe/Moscow")
	hour := clock.Now().In(moscow).Truncate(time.Hour).Add(time.Hour)
	until := fmt.Sprintf(`(el => el && new Date(el.getAttribute('datetime')).getTime() === %d && el.textContent.trim() !== '')`, hour.UnixMilli())
	waitFrame(t, manager, app, "the answer paused, saying until when and why", fmt.Sprintf(`(() => {
		const m = [...document.querySelectorAll('[data-testid=message][data-direction=out]')].filter(m => m.textContent.includes('Yes, we do.'));
		const note = m.length === 1 && m[0].querySelector('[data-testid=message-paused]');
		return m[0].dataset.status === 'paused' && note && %s(note.querySelector('[data-testid=pause-until]'))
			&& note.textContent.includes('1 ');
	})()`, until))
	waitFrame(t, manager, app, "the composer says the dialog waits", fmt.Sprintf(
		`%s(document.querySelector('[data-testid=composer-pause] [data-testid=pause-until]'))`, until))
	screenshot(t, manager, "paused.png")
	time.Sleep(time.Second) // the worker has had its chances: nothing is due before the hour
	if got := businessTexts(env, ch.ExternalID, "79995556677"); len(got) != 0 {
		t.Fatalf("Olga got %v before the hour", got)
	}

	clock.Set(hour.Add(time.Second)) // the fake hour turns; the worker does the rest
	waitFrame(t, manager, app, "the answer sent, live, and the pause gone", `(() => {
		const m = [...document.querySelectorAll('[data-testid=message][data-direction=out]')].find(m => m.textContent.includes('Yes, we do.'));
		return ['sent', 'delivered', 'read'].includes(m.dataset.status) && !m.querySelector('[data-testid=message-paused]')
			&& document.querySelector('[data-testid=composer-pause]').textContent.trim() === '';
	})()`)
	if got := businessTexts(env, ch.ExternalID, "79995556677"); len(got) != 1 || got[0] != "Yes, we do." {
		t.Fatalf("Olga got %v, want the answer once", got)
	}

	// The administrator's counter of the channel, as the settings embed it.
	doFrame(t, manager, app, "open the channel's counter", fmt.Sprintf(`
		const headers = JSON.parse(document.querySelector('[hx-headers]').getAttribute('hx-headers'));
		fetch('/settings/channels/%d/usage', {headers: {...headers, 'HX-Request': 'true'}})
			.then(r => r.text()).then(html => { document.querySelector('#dialog-pane').innerHTML = html; })`, ch.ID))
	waitFrame(t, manager, app, "the counter: one dialog this hour, two this month, 24 bars", `
		document.querySelector('[data-testid=plan-this-hour]').textContent === '1'
		&& document.querySelector('[data-testid=plan-this-month]').textContent === '2'
		&& document.querySelectorAll('[data-testid=plan-chart-bar]').length === 24`)
	screenshot(t, manager, "counter.png")
}

// waitDialog waits for the dialog of a client (by WhatsApp id) to be stored.
func waitDialog(t *testing.T, env *demoEnv, client string) db.DialogRow {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		rows, err := env.app.store.Dialogs(context.Background(), db.Visibility{PortalID: env.portalID, All: true}, db.DialogFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range rows {
			if d.ClientExternalID == client {
				return d
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no dialog of %s", client)
	return db.DialogRow{}
}

// openDialogRow opens a dialog from the shared inbox's list, once it shows.
func openDialogRow(t *testing.T, tab contextTab, app string, dialogID int64) {
	t.Helper()
	row := `document.querySelector('[data-testid=dialog-row][data-dialog="` + strconv.FormatInt(dialogID, 10) + `"] a')`
	waitFrame(t, tab, app, "the dialog's row", row)
	doFrame(t, tab, app, "open the dialog", row+`.click()`)
	waitFrame(t, tab, app, "the dialog open", `document.querySelector('[data-testid=dialog-view][data-dialog="`+strconv.FormatInt(dialogID, 10)+`"]')`)
}

// businessTexts is what a client's phone got from the business number.
func businessTexts(env *demoEnv, number, client string) []string {
	var texts []string
	for _, m := range env.emu.Conversation(number, client) {
		if m.From == graphemu.FromBusiness {
			texts = append(texts, m.Text)
		}
	}
	return texts
}
