package views_test

import (
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/db"
	"switchboard/views"
)

func pausedMessage(period string, until time.Time, limit int) db.Message {
	return db.Message{ID: 5, DialogID: 7, Direction: "out", Status: "paused", Kind: "text", Body: "Hello",
		PausedUntil: &until, PauseLimit: limit, PausePeriod: period, PauseZone: "Europe/Moscow"}
}

func TestAPausedMessageSaysUntilWhenAndWhy(t *testing.T) {
	until := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC) // 15:00 in Moscow, the portal's zone
	for _, c := range []struct {
		lang, period string
		limit        int
		note         string
	}{
		{"en", "hour", 20, "⏸ paused until 15:00 — plan limit of 20 dialogs per hour."},
		{"ru", "hour", 21, "⏸ приостановлено до 15:00 — лимит тарифа: 21 диалог в час."},
		{"en", "month", 1, "⏸ paused until Dec 2, 2026 15:00 — plan limit of 1 dialog per month."},
		{"ru", "month", 500, "⏸ приостановлено до 02.12.2026 15:00 — лимит тарифа: 500 диалогов в месяц."},
	} {
		m := pausedMessage(c.period, until, c.limit)
		doc := render(t, c.lang, views.MessageItem(m, "Sales", channels.Failure{}, false))
		if got := text(doc, "message-paused"); got != c.note {
			t.Errorf("%s %s: %q, want %q", c.lang, c.period, got, c.note)
		}
		at, _ := doc.Find(`[data-testid=pause-until]`).Attr("datetime")
		if parsed, err := time.Parse(time.RFC3339, at); err != nil || !parsed.Equal(until) {
			t.Errorf("%s %s: the pause's time %q, want %v for the page to show in the viewer's zone", c.lang, c.period, at, until)
		}
	}
	composer := render(t, "en", views.ComposerPause(7, &[]db.Message{pausedMessage("hour", until, 20)}[0], false))
	if got := text(composer, "composer-pause"); got != "Sending to this client is paused until 15:00 — plan limit of 20 dialogs per hour. Messages wait and go out by themselves, in order." {
		t.Errorf("composer: %q", got)
	}
	if got := text(render(t, "en", views.ComposerPause(7, nil, true)), "composer-pause"); got != "" {
		t.Errorf("the composer of a dialog that waits for nothing says %q", got)
	}
}

func TestTheCounterChartsTheLast24Hours(t *testing.T) {
	moscow, _ := time.LoadLocation("Europe/Moscow")
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, moscow)
	since := now.Add(-30 * time.Minute)
	u := db.ChannelUsage{ChannelID: 3, ChannelName: "Sales", Rule: db.PlanRule{HourlyLimit: 20}, Location: moscow,
		ThisHour: 4, ThisMonth: 120, Waiting: 2, WaitingMessages: 3, WaitingSince: &since}
	for i := range 24 {
		u.Hours = append(u.Hours, db.WindowCount{StartsAt: now.Add(time.Duration(i-23) * time.Hour), Dialogs: i % 5})
	}
	for _, c := range []struct{ lang, limit, waiting string }{
		{"en", "20 dialogs per hour", "Waiting: 2 dialogs (3 messages) since 14:30"},
		{"ru", "20 диалогов в час", "Ожидают: 2 диалога (3 сообщения) с 14:30"},
	} {
		doc := render(t, c.lang, views.PlanUsage(views.NewPlanData(u)))
		bars := doc.Find(`[data-testid=plan-chart-bar]`)
		if bars.Length() != 24 || bars.Last().AttrOr("data-count", "") != "3" || doc.Find(`[data-testid=plan-chart-limit]`).Length() != 1 {
			t.Fatalf("%s chart: %d bars, the last %q", c.lang, bars.Length(), bars.Last().AttrOr("data-count", ""))
		}
		if text(doc, "plan-this-hour") != "4" || text(doc, "plan-this-month") != "120" || text(doc, "plan-limit") != c.limit || text(doc, "plan-waiting") != c.waiting {
			t.Errorf("%s counter: hour %q month %q limit %q waiting %q", c.lang, text(doc, "plan-this-hour"),
				text(doc, "plan-this-month"), text(doc, "plan-limit"), text(doc, "plan-waiting"))
		}
		if v := doc.Find(`[data-testid=plan-form-limit]`).AttrOr("value", ""); v != "20" {
			t.Errorf("%s form: limit %q, want the stored 20", c.lang, v)
		}
	}
}
