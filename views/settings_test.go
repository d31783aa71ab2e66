package views_test

import (
	"strings"
	"testing"
	"time"

	"switchboard/db"
	"switchboard/views"
)

// TestAChannelCardNeverShowsItsSecrets: the page shows the webhook URL and
// verify token until the handshake, and never the access token or app
// secret.
func TestAChannelCardNeverShowsItsSecrets(t *testing.T) {
	ch := db.Channel{ID: 5, Transport: "whatsapp", ExternalID: "555", Name: "Sales", Mode: "wz", Enabled: true,
		AccessToken: "EAAG-secret-token", AppSecret: "app-secret-value", VerifyToken: "verify-123"}
	page := func(c db.Channel) string {
		html, _ := render(t, "en", views.SettingsBody(views.SettingsData{Channels: []views.ChannelData{
			views.ChannelDataOf(c, "https://app.example/hooks/whatsapp/5")}})).Html()
		return html
	}
	waiting := page(ch)
	if strings.Contains(waiting, "EAAG-secret-token") || strings.Contains(waiting, "app-secret-value") {
		t.Fatalf("a secret on the page:\n%s", waiting)
	}
	if !strings.Contains(waiting, "verify-123") || !strings.Contains(waiting, "https://app.example/hooks/whatsapp/5") || !strings.Contains(waiting, `data-state="waiting"`) {
		t.Fatalf("the set-up to paste into Meta is missing:\n%s", waiting)
	}
	now := time.Now()
	ch.VerifiedAt = &now
	if done := page(ch); strings.Contains(done, "verify-123") || !strings.Contains(done, `data-state="verified"`) {
		t.Fatalf("after the handshake:\n%s", done)
	}
}

// TestEveryRefusalOfASettingHasWords: each field and reason the rules can
// refuse reads as a sentence in both languages.
func TestEveryRefusalOfASettingHasWords(t *testing.T) {
	fields := []string{"visibility", "see_all", "create", "deal_category", "deal_stage", "timeline_on", "distribute",
		"distribute_to", "transport", "external_id", "access_token", "app_secret", "name", "mode", "source", "notify_member"}
	codes := []string{"choice", "pipeline", "stage", "user", "one_user", "required", "too_long", "source", "account", "taken", "owner"}
	for _, f := range fields {
		for _, c := range codes {
			en, ru := views.Invalid("en", f, c), views.Invalid("ru", f, c)
			if en == ru || strings.Contains(en+ru, "settings.") || strings.Contains(en+ru, "%!") {
				t.Errorf("%s/%s: %q / %q", f, c, en, ru)
			}
		}
	}
}
