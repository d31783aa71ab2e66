package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"switchboard/handlers"
)

// postRead marks a dialog read as the page does: a POST with the token.
func (it *installed) postRead(t *testing.T, dialog int64, token string) int {
	t.Helper()
	status, _ := it.post(t, "/dialogs/"+strconv.FormatInt(dialog, 10)+"/read", token)
	return status
}

// Marking read a dialog the user may not see is a 404, like every other
// route, and changes nothing.
func TestMarkingAHiddenDialogReadIsNotFound(t *testing.T) {
	it := newInstalled(t)
	token := it.signedIn(t, 2)
	_, own := it.dialogIn(t, "member-a", "79990000001")
	_, colleagues := it.dialogIn(t, "member-a", "79990000003")
	_, foreign := it.dialogIn(t, "member-z", "79990000002")
	// Another manager is responsible for the colleague's dialog: under the
	// default rule (own + without responsible) Boris does not see it.
	if _, err := it.store.DB.Exec(`UPDATE dialogs SET unread_count = 3,
		responsible_user_id = (SELECT id FROM users WHERE bitrix_user_id = 1) WHERE id IN ($1, $2)`, colleagues, foreign); err != nil {
		t.Fatal(err)
	}
	if status := it.postRead(t, own, token); status != http.StatusNoContent {
		t.Fatalf("own dialog: %d, want 204", status)
	}
	for name, id := range map[string]int64{"another manager's": colleagues, "another portal's": foreign, "a missing": 999999} {
		if status := it.postRead(t, id, token); status != http.StatusNotFound {
			t.Errorf("%s dialog: %d, want 404", name, status)
		}
	}
	var unread int
	if err := it.store.DB.Get(&unread, `SELECT unread_count FROM dialogs WHERE id = $1`, colleagues); err != nil || unread != 3 {
		t.Fatalf("the hidden dialog's unread count is %d (%v), want 3 untouched", unread, err)
	}
}

// A card placement whose entity is gone, or whose PLACEMENT_OPTIONS are
// broken, opens a clear page with a 404, not a 500.
func TestAPlacementWithoutItsCardSaysSo(t *testing.T) {
	it := newInstalled(t)
	cases := map[string]func() (string, url.Values){
		"a deleted deal": func() (string, url.Values) {
			pr, err := it.portal.PlacementPost(2, "CRM_DEAL_DETAIL_TAB", it.app.URL+handlers.PathPlacement, map[string]any{"ID": "987654"}, "en")
			if err != nil {
				t.Fatal(err)
			}
			return pr.URL, pr.Form
		},
		"broken options": func() (string, url.Values) {
			pr, err := it.portal.PlacementPost(2, "CRM_LEAD_DETAIL_TAB", it.app.URL+handlers.PathPlacement, map[string]any{"ID": "1"}, "en")
			if err != nil {
				t.Fatal(err)
			}
			pr.Form.Set("PLACEMENT_OPTIONS", `{"ID": `)
			return pr.URL, pr.Form
		},
		"no options": func() (string, url.Values) {
			pr, err := it.portal.PlacementPost(2, "CRM_CONTACT_DETAIL_TAB", it.app.URL+handlers.PathPlacement, nil, "en")
			if err != nil {
				t.Fatal(err)
			}
			return pr.URL, pr.Form
		},
	}
	for name, post := range cases {
		target, form := post()
		resp, body := it.placement(t, form, target)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "no longer exists") {
			t.Errorf("%s: %d, want 404 and a page that says the card is gone\n%s", name, resp.StatusCode, body)
		}
	}
}
