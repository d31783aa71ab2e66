package inbox_test

import (
	"context"
	"errors"
	"testing"

	"switchboard/channels/graphemu"
	"switchboard/inbox"
)

// A template is listed from the channel's Business Account, checked before
// anything is queued, and sent by the outbox like any message.
func TestTemplateSendGoesThroughTheOutbox(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	r.emu.AddWhatsAppNumber(graphemu.Number{PhoneNumberID: phoneID, DisplayPhone: "15550001001", Name: "Sales",
		AccessToken: token, AppSecret: appSecret, WebhookURL: r.hookURL, WABAID: "waba-9", Templates: []graphemu.Template{
			{Name: "order_ready", Language: "ru", Body: "{{1}}, заказ {{2}} готов."},
			{Name: "old_offer", Language: "ru", Body: "Скидка!", Status: "REJECTED"},
		}})
	if err := r.store.SetChannelBusiness(ctx, r.viewer.PortalID, r.channel.ID, "waba-9"); err != nil {
		t.Fatal(err)
	}

	list, err := r.in.WhatsAppTemplates(ctx, r.viewer, dialog)
	if err != nil || len(list) != 1 || list[0].Name != "order_ready" || list[0].Params != 2 {
		t.Fatalf("templates = %+v, %v; want only the approved order_ready with 2 values", list, err)
	}
	for _, c := range []struct {
		name   string
		values []string
		want   error
	}{
		{"order_ready", []string{"Иван"}, inbox.ErrTemplateValues},
		{"order_ready", []string{"Иван", "  "}, inbox.ErrTemplateValues},
		{"old_offer", nil, inbox.ErrNoTemplate},
		{"no_such", nil, inbox.ErrNoTemplate},
	} {
		if _, err := r.in.SendWhatsAppTemplate(ctx, r.viewer, dialog, c.name, "ru", c.values); !errors.Is(err, c.want) {
			t.Errorf("%s %q: %v, want %v", c.name, c.values, err, c.want)
		}
	}
	if n := r.jobCount(t, inbox.JobSend); n != 0 {
		t.Fatalf("%d sends queued by refused templates", n)
	}

	sent, err := r.in.SendWhatsAppTemplate(ctx, r.viewer, dialog, "order_ready", "ru", []string{" Иван ", "A-7"})
	if err != nil {
		t.Fatal(err)
	}
	m := sent.Messages[0]
	if m.Kind != "template" || m.Body != "Иван, заказ A-7 готов." || m.Status != "queued" {
		t.Fatalf("stored %s %q %s", m.Kind, m.Body, m.Status)
	}
	r.runJobs(t)
	got, err := r.store.Message(ctx, r.viewer.PortalID, m.ID)
	if err != nil || got.Status != "sent" || got.ProviderID == nil {
		t.Fatalf("after the job: %+v %v", got, err)
	}
	var shown []string
	for _, cm := range r.emu.Conversation(phoneID, clientWA) {
		if cm.Type == "template" {
			shown = append(shown, cm.Text)
		}
	}
	if len(shown) != 1 || shown[0] != "Иван, заказ A-7 готов." {
		t.Fatalf("the phone shows templates %q", shown)
	}
}
