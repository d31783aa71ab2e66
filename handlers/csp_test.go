package handlers_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"switchboard/handlers"
)

// policy splits a Content-Security-Policy into its directives.
func policy(t *testing.T, resp *http.Response) map[string]string {
	t.Helper()
	csps := resp.Header.Values("Content-Security-Policy")
	if len(csps) != 1 {
		t.Fatalf("%s: %d Content-Security-Policy headers %q, want one", resp.Request.URL.Path, len(csps), csps)
	}
	out := map[string]string{}
	for _, d := range strings.Split(csps[0], ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		out[name] = value
	}
	return out
}

// wantPolicy checks the directives every page carries, and those given.
func wantPolicy(t *testing.T, what string, got map[string]string, want map[string]string) {
	t.Helper()
	base := map[string]string{
		"default-src": "'self'", "script-src": "'self'", "style-src": "'self'",
		"object-src": "'none'", "base-uri": "'none'", "form-action": "'self'",
	}
	for k, v := range want {
		base[k] = v
	}
	for k, v := range base {
		if v == "" {
			if _, ok := got[k]; ok {
				t.Errorf("%s: %s is set (%q), want it absent", what, k, got[k])
			}
			continue
		}
		if got[k] != v {
			t.Errorf("%s: %s is %q, want %q (policy %v)", what, k, got[k], v, got)
		}
	}
	for k := range got {
		if _, ok := base[k]; !ok {
			t.Errorf("%s: unexpected directive %s %q", what, k, got[k])
		}
	}
}

const bx24 = "https://api.bitrix24.example/api/v1/"

// TestPagesCarryTheContentSecurityPolicy: no inline script, no eval, no
// plugin, no <base>; the portal alone frames the pages, and only the pages
// it frames may load Bitrix24's SDK, from its origin.
func TestPagesCarryTheContentSecurityPolicy(t *testing.T) {
	it := newInstalled(t, func(c *handlers.Config) { c.BX24ScriptURL = bx24 })
	ctx := context.Background()
	portal := it.psrv.URL

	resp, err := it.portal.OpenPlacement(ctx, 1, "DEFAULT", it.app.URL+handlers.PathInstall, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `src="`+bx24+`"`) {
		t.Fatalf("install page: %d\n%s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "<script>") {
		t.Errorf("the install page has an inline script:\n%s", body)
	}
	wantPolicy(t, "install page", policy(t, resp), map[string]string{
		"script-src": "'self' https://api.bitrix24.example", "frame-ancestors": "'self' " + portal})

	pr, err := it.portal.PlacementPost(2, "LEFT_MENU", it.app.URL+handlers.PathPlacement, nil, "en")
	if err != nil {
		t.Fatal(err)
	}
	resp, body2 := it.placement(t, pr.Form, pr.URL)
	if resp.StatusCode != 200 || strings.Contains(body2, "<script>") || strings.Contains(body2, "hx-on") {
		t.Fatalf("shared inbox: %d, or inline script:\n%s", resp.StatusCode, body2)
	}
	// Pages inside the portal load Bitrix24's SDK too (CRM links open in its slider).
	wantPolicy(t, "shared inbox", policy(t, resp), map[string]string{
		"script-src": "'self' https://api.bitrix24.example", "frame-ancestors": "'self' " + portal})
	if !strings.Contains(body2, `src="`+bx24+`"`) {
		t.Errorf("the shared inbox does not load Bitrix24's SDK:\n%s", body2)
	}

	// A page before any portal is known (here: no session) keeps the policy,
	// without frame-ancestors, as before.
	resp, err = http.Get(it.app.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantPolicy(t, "page without a session", policy(t, resp), map[string]string{"frame-ancestors": ""})
}
