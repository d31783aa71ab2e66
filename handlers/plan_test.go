package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"switchboard/bitrix/emulator"
)

// postForm sends a form the way the page's htmx does: with the token header.
func (it *installed) postForm(t *testing.T, path, token string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, it.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-Switchboard-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func find(t *testing.T, html, selector string) *goquery.Selection {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	return doc.Find(selector)
}

func TestAnAdministratorSetsAChannelsLimitAndSeesItsCounter(t *testing.T) {
	it := newInstalled(t)
	// The administrator's profile carries a time zone of its own: it becomes
	// the portal's, where the plan's hours and months begin.
	// A manager's own zone is theirs alone.
	it.portal.AddUser(emulator.User{ID: 1, Name: "Anna", LastName: "Petrova", Admin: true, TimeZone: "Asia/Vladivostok"})
	it.portal.AddUser(emulator.User{ID: 2, Name: "Boris", LastName: "Ivanov", TimeZone: "Europe/London"})
	admin, manager := it.signedIn(t, 1), it.signedIn(t, 2)
	channel, _ := it.dialogIn(t, "member-a", "79990000001")
	_, foreign := it.dialogIn(t, "member-z", "79990000002")
	var zone string
	if err := it.store.DB.Get(&zone, `SELECT time_zone FROM portals WHERE member_id = 'member-a'`); err != nil || zone != "Asia/Vladivostok" {
		t.Fatalf("the portal's time zone: %q (%v), want the administrator's Asia/Vladivostok", zone, err)
	}
	base := "/settings/channels/" + strconv.FormatInt(channel, 10)

	status, body := it.get(t, base+"/usage", admin)
	if status != http.StatusOK || find(t, body, `[data-testid=plan-chart-bar]`).Length() != 24 ||
		find(t, body, `[data-testid=plan-this-hour]`).Text() != "0" || !strings.Contains(body, "Asia/Vladivostok") {
		t.Fatalf("the counter: %d\n%s", status, body)
	}
	// A manager, and another portal's channel: not found, nothing said.
	if status, _ := it.get(t, base+"/usage", manager); status != http.StatusNotFound {
		t.Fatalf("a manager reading the counter: %d, want 404", status)
	}
	if status, _ := it.postForm(t, base+"/limit", manager, url.Values{"limit": {"20"}, "period": {"hour"}}); status != http.StatusNotFound {
		t.Fatalf("a manager setting the limit: %d, want 404", status)
	}
	var foreignChannel int64
	if err := it.store.DB.Get(&foreignChannel, `SELECT channel_id FROM dialogs WHERE id = $1`, foreign); err != nil {
		t.Fatal(err)
	}
	other := "/settings/channels/" + strconv.FormatInt(foreignChannel, 10)
	if status, _ := it.postForm(t, other+"/limit", admin, url.Values{"limit": {"20"}, "period": {"hour"}}); status != http.StatusNotFound {
		t.Fatalf("another portal's channel: %d, want 404", status)
	}

	// Bad input is refused clearly, in the viewer's words, and keeps what was typed.
	for _, form := range []url.Values{
		{"limit": {"twenty"}, "period": {"hour"}},
		{"limit": {"-3"}, "period": {"hour"}},
		{"limit": {"20"}, "period": {"week"}},
		{"limit": {"1000001"}, "period": {"month"}},
	} {
		status, body := it.postForm(t, base+"/limit", admin, form)
		if status != http.StatusUnprocessableEntity || find(t, body, `[data-testid=plan-refused]`).Length() != 1 ||
			find(t, body, `[data-testid=plan-form-limit]`).AttrOr("value", "") != form.Get("limit") {
			t.Fatalf("%v: %d\n%s", form, status, body)
		}
	}
	var hourly, monthly int
	if err := it.store.DB.QueryRow(`SELECT hourly_limit, monthly_limit FROM channels WHERE id = $1`, channel).Scan(&hourly, &monthly); err != nil || hourly != 0 || monthly != 0 {
		t.Fatalf("a refused limit was stored: %d/%d %v", hourly, monthly, err)
	}

	status, body = it.postForm(t, base+"/limit", admin, url.Values{"limit": {"500"}, "period": {"month"}})
	if status != http.StatusOK || find(t, body, `[data-testid=plan-saved]`).Length() != 1 ||
		find(t, body, `[data-testid=plan-limit]`).Text() != "500 dialogs per month" {
		t.Fatalf("saving 500 per month: %d\n%s", status, body)
	}
	status, body = it.postForm(t, base+"/limit", admin, url.Values{"limit": {"20"}, "period": {"hour"}})
	if status != http.StatusOK || find(t, body, `[data-testid=plan-limit]`).Text() != "20 dialogs per hour" ||
		find(t, body, `[data-testid=plan-chart-limit]`).Length() != 1 {
		t.Fatalf("saving 20 per hour: %d\n%s", status, body)
	}
	if err := it.store.DB.QueryRow(`SELECT hourly_limit, monthly_limit FROM channels WHERE id = $1`, channel).Scan(&hourly, &monthly); err != nil || hourly != 20 || monthly != 0 {
		t.Fatalf("the stored limits: %d per hour, %d per month (%v); want 20 and none", hourly, monthly, err)
	}
}
