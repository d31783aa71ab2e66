package graphemu

import (
	"context"
	"errors"
	"testing"

	"switchboard/channels"
	"switchboard/channels/instagram"
)

// The Instagram adapter reads a client's profile (only one who wrote to
// the account, with the account's token) and marks their messages seen.
func TestInstagramProfileAndMarkSeen(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	acct := channels.Account{Transport: channels.Instagram, ExternalID: testIG, AccessToken: testIGToken,
		APIBase: f.srv.URL + "/" + testVersion}
	ig := &instagram.Transport{}
	const igsid = "987650001"
	if _, err := f.emu.ClientSend(testIG, Client{ID: igsid, Name: "Sunny Shop"}, Content{Text: "Hi!"}); err != nil {
		t.Fatal(err)
	}
	got, err := ig.Profile(ctx, acct, igsid)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Sunny Shop" || got.Username != "sunny.shop" || got.PictureURL == "" {
		t.Errorf("profile = %+v", got)
	}
	var sendErr *channels.SendError
	if _, err := ig.Profile(ctx, acct, "111"); !errors.As(err, &sendErr) || sendErr.Transient {
		t.Errorf("a user who never wrote: %v, want a permanent refusal", err)
	}
	other := acct
	other.AccessToken = testToken
	if _, err := ig.Profile(ctx, other, igsid); err == nil {
		t.Error("another account's token read the profile")
	}
	if code, _ := f.call(t, "GET", "/"+testVersion+"/"+igsid, testIGToken, nil); code != 400 {
		t.Errorf("no fields: %d, want 400", code)
	}
	if code, _ := f.call(t, "GET", "/"+testVersion+"/"+igsid+"?fields=name,email", testIGToken, nil); code != 400 {
		t.Errorf("an unknown field: %d, want 400", code)
	}

	if err := ig.MarkRead(ctx, acct, igsid, ""); err != nil {
		t.Fatal(err)
	}
	for _, m := range f.emu.Conversation(testIG, igsid) {
		if m.From == FromClient && m.Status != "read" {
			t.Errorf("after mark_seen the client's %q shows %q", m.Text, m.Status)
		}
	}
}
