package bitrix

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func placementRequest(query string, body url.Values) *http.Request {
	r := httptest.NewRequest("POST", "/app?"+query, strings.NewReader(body.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestParsePlacementDealTab(t *testing.T) {
	body := url.Values{
		"AUTH_ID": {"9d4c71"}, "AUTH_EXPIRES": {"3600"}, "REFRESH_ID": {"8c3b99"},
		"SERVER_ENDPOINT": {"https://oauth.bitrix.info/rest/"}, "APPLICATION_TOKEN": {"ec1b20"},
		"APPLICATION_SCOPE": {"crm,placement, im"}, "member_id": {"d89706"}, "status": {"L"},
		"PLACEMENT":         {"CRM_DEAL_DETAIL_TAB"},
		"PLACEMENT_OPTIONS": {`{"ID":"8061","URI":"\/crm\/deal\/details\/8061\/?any=details%2F8061%2F&IFRAME=Y&IFRAME_TYPE=SIDE_SLIDER"}`},
	}
	p, err := ParsePlacement(placementRequest("DOMAIN=xxx.bitrix24.com&PROTOCOL=1&LANG=en&APP_SID=5552d7", body))
	if err != nil {
		t.Fatal(err)
	}
	if p.Domain != "xxx.bitrix24.com" || !p.HTTPS || p.Lang != "en" || p.AppSID != "5552d7" || p.AuthID != "9d4c71" ||
		p.AuthExpires != 3600 || p.RefreshID != "8c3b99" || p.MemberID != "d89706" || p.Status != "L" ||
		p.Placement != "CRM_DEAL_DETAIL_TAB" || strings.Join(p.Scope, "|") != "crm|placement|im" {
		t.Fatalf("placement = %+v", p)
	}
	if p.EntityID() != 8061 || p.EntityType() != EntityDeal || p.BaseURL() != "https://xxx.bitrix24.com" {
		t.Fatalf("entity %d/%d base %s", p.EntityID(), p.EntityType(), p.BaseURL())
	}
	if !strings.HasPrefix(p.Options.String("URI"), "/crm/deal/details/8061/?any=details%2F8061%2F&IFRAME=Y") {
		t.Fatalf("URI = %q", p.Options.String("URI"))
	}
	if !p.VerifyApplicationToken("ec1b20") || p.VerifyApplicationToken("nope") {
		t.Fatal("VerifyApplicationToken")
	}
}

func TestParsePlacementTolerantOptions(t *testing.T) {
	for name, opts := range map[string]string{
		"undefined": "undefined", "empty": "", "list": "[]", "string": `"x"`, "broken": "{", "null": "null",
	} {
		t.Run(name, func(t *testing.T) {
			body := url.Values{"AUTH_ID": {"a"}, "member_id": {"m"}, "PLACEMENT": {"DEFAULT"}, "PLACEMENT_OPTIONS": {opts}}
			p, err := ParsePlacement(placementRequest("DOMAIN=localhost:8081&PROTOCOL=0", body))
			if err != nil {
				t.Fatal(err)
			}
			if p.Options == nil || len(p.Options) != 0 || p.EntityID() != 0 || p.EntityType() != 0 {
				t.Fatalf("options = %#v", p.Options)
			}
			if p.BaseURL() != "http://localhost:8081" {
				t.Fatalf("base = %s", p.BaseURL())
			}
		})
	}
}

func TestParsePlacementConnectorSettings(t *testing.T) {
	body := url.Values{"AUTH_ID": {"a"}, "member_id": {"m"}, "PLACEMENT": {"SETTING_CONNECTOR"},
		"PLACEMENT_OPTIONS": {`{"CONNECTOR":"switchboard_wa","LINE":"3","STATUS":false,"ACTIVE_STATUS":true}`}}
	p, err := ParsePlacement(placementRequest("DOMAIN=x.bitrix24.com", body))
	if err != nil {
		t.Fatal(err)
	}
	if p.Options.String("CONNECTOR") != "switchboard_wa" || p.Options.Int("LINE") != 3 ||
		!p.Options.Bool("ACTIVE_STATUS") || p.Options.Bool("STATUS") {
		t.Fatalf("options = %#v", p.Options)
	}
}

func TestParsePlacementRejectsIncompletePosts(t *testing.T) {
	for name, tc := range map[string]struct {
		query string
		body  url.Values
	}{
		"no domain":    {"", url.Values{"AUTH_ID": {"a"}, "member_id": {"m"}}},
		"no auth":      {"DOMAIN=x", url.Values{"member_id": {"m"}}},
		"no member id": {"DOMAIN=x", url.Values{"AUTH_ID": {"a"}}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParsePlacement(placementRequest(tc.query, tc.body)); !errors.Is(err, ErrBadPlacement) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestPlacementEntityTypes(t *testing.T) {
	for code, want := range map[string]EntityTypeID{
		"CRM_LEAD_DETAIL_TAB": EntityLead, "CRM_CONTACT_DETAIL_TOOLBAR": EntityContact,
		"CRM_COMPANY_DETAIL_ACTIVITY": EntityCompany, "CRM_DYNAMIC_128_DETAIL_TAB": 128,
		"LEFT_MENU": 0, "DEFAULT": 0, "CRM_DYNAMIC_X_DETAIL_TAB": 0,
	} {
		if got := placementEntityType(code); got != want {
			t.Errorf("%s: %d, want %d", code, got, want)
		}
	}
}

func TestVerifyPlacement(t *testing.T) {
	f := newFakePortal(t)
	c, _ := testClient(t, f)
	user := f.issue(false)
	body := url.Values{"AUTH_ID": {user.Access}, "REFRESH_ID": {user.Refresh}, "AUTH_EXPIRES": {"3600"}, "member_id": {"m1"},
		"APPLICATION_TOKEN": {"app-tok"}, "PLACEMENT": {"DEFAULT"}}
	pl, err := ParsePlacement(placementRequest("DOMAIN=evil.example.com&PROTOCOL=1", body))
	if err != nil {
		t.Fatal(err)
	}
	if tk := pl.Tokens(); tk.Access != user.Access || tk.Refresh != user.Refresh || time.Until(tk.Expires) < 59*time.Minute {
		t.Fatalf("tokens = %+v", tk)
	}
	u, err := c.VerifyPlacement(context.Background(), pl, f.srv.URL, "app-tok")
	if err != nil || u.ID != 1 {
		t.Fatalf("user = %+v, %v", u, err)
	}
	if calls := f.callsOf("user.current"); len(calls) != 1 || calls[0].Auth != user.Access {
		t.Fatalf("calls = %+v", calls)
	}
	if _, err := c.VerifyPlacement(context.Background(), pl, f.srv.URL, "other"); !errors.Is(err, ErrBadPlacement) {
		t.Fatalf("wrong app token: %v", err)
	}
	pl.AuthID = "forged"
	if _, err := c.VerifyPlacement(context.Background(), pl, f.srv.URL, ""); !IsAuthError(err) {
		t.Fatalf("forged AUTH_ID: %v", err)
	}
	if f.refreshCount() != 0 {
		t.Fatal("verification refreshed a token")
	}
}
