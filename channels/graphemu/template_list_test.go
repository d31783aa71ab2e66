package graphemu

import (
	"context"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
)

func withTemplates(_ *Config, n *Number) {
	n.WABAID = "waba-1"
	n.Templates = []Template{
		{Name: "order_update", Language: "en_US", Body: "Your order {{1}} ships on {{2}}."},
		{Name: "order_update", Language: "ru", Body: "Ваш заказ {{1}} отправим {{2}}."},
		{Name: "spring_sale", Language: "en_US", Body: "Spring sale!", Category: "MARKETING", Status: "PAUSED"},
		{Name: "call_back", Language: "ru", Body: "Мы вам перезвоним."},
	}
}

// The template list is the Graph API's: the account's own token only,
// filters, and cursor paging whose next link works as given.
func TestTemplateList(t *testing.T) {
	f := newFixture(t, withTemplates)
	path := "/" + testVersion + "/waba-1/message_templates"

	code, out := f.call(t, "GET", path+"?status=APPROVED&limit=2", testToken, nil)
	if code != 200 {
		t.Fatalf("list: %d %v", code, out)
	}
	names := func(out map[string]any) []string {
		var got []string
		for _, d := range out["data"].([]any) {
			m := d.(map[string]any)
			got = append(got, m["name"].(string)+"/"+m["language"].(string)+"/"+m["status"].(string))
		}
		return got
	}
	if got := names(out); !reflect.DeepEqual(got, []string{"order_update/en_US/APPROVED", "order_update/ru/APPROVED"}) {
		t.Errorf("first page = %v", got)
	}
	next, _ := out["paging"].(map[string]any)["next"].(string)
	u, err := url.Parse(next)
	if err != nil || next == "" {
		t.Fatalf("no next page link: %v", out["paging"])
	}
	code, out = f.call(t, "GET", u.RequestURI(), testToken, nil)
	if got := names(out); code != 200 || !reflect.DeepEqual(got, []string{"call_back/ru/APPROVED"}) {
		t.Errorf("second page = %d %v", code, got)
	}
	if _, more := out["paging"].(map[string]any)["next"]; more {
		t.Errorf("the last page links further: %v", out["paging"])
	}
	if code, out := f.call(t, "GET", path, testToken, nil); code != 200 || len(out["data"].([]any)) != 4 {
		t.Errorf("unfiltered: %d %v", code, out)
	}
	if code, _ := f.call(t, "GET", path, testIGToken, nil); code != 401 {
		t.Errorf("another account's token: %d, want 401", code)
	}
	if code, _ := f.call(t, "GET", path, "", nil); code != 401 {
		t.Errorf("no token: %d, want 401", code)
	}
	if code, out := f.call(t, "GET", "/"+testVersion+"/waba-2/message_templates", testToken, nil); code != 400 {
		t.Errorf("an unknown account: %d %v, want 400", code, out)
	}
}

// The WhatsApp adapter lists the approved templates with their number of
// values, and a template it fills is what the client's phone shows.
func TestTemplatesThroughTheAdapter(t *testing.T) {
	f := newFixture(t, withTemplates)
	acct := channels.Account{Transport: channels.WhatsApp, ExternalID: testNumber, AccessToken: testToken,
		APIBase: f.srv.URL + "/" + testVersion, BusinessID: "waba-1"}
	wa := &whatsapp.Transport{}
	got, err := wa.Templates(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	want := []channels.Template{
		{Name: "order_update", Language: "en_US", Category: "UTILITY", Body: "Your order {{1}} ships on {{2}}.", Params: 2},
		{Name: "order_update", Language: "ru", Category: "UTILITY", Body: "Ваш заказ {{1}} отправим {{2}}.", Params: 2},
		{Name: "call_back", Language: "ru", Category: "UTILITY", Body: "Мы вам перезвоним.", Params: 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("templates = %+v\nwant %+v", got, want)
	}

	// Outside the window (the client never wrote) only the template goes.
	if _, err := wa.Send(context.Background(), acct, channels.Outgoing{To: "79990001234", Kind: channels.KindText, Text: "hi"}); err != nil {
		t.Fatalf("a text is accepted at first (it fails later, as 131047): %v", err)
	}
	_, err = wa.Send(context.Background(), acct, channels.Outgoing{To: "79990001234", Kind: channels.KindTemplate,
		Template: &channels.OutTemplate{Name: "order_update", Language: "ru", Params: []string{"A-42", "завтра"}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the filled template on the phone", func() bool {
		for _, m := range f.emu.Conversation(testNumber, "79990001234") {
			if m.Type == "template" && strings.Contains(m.Text, "Ваш заказ A-42 отправим завтра.") {
				return true
			}
		}
		return false
	})
	_, err = wa.Send(context.Background(), acct, channels.Outgoing{To: "79990001234", Kind: channels.KindTemplate,
		Template: &channels.OutTemplate{Name: "spring_sale", Language: "en_US"}})
	if err == nil {
		t.Error("a paused template was sent")
	}
}
