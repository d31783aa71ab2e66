package bitrix

import (
	"context"
	"net/url"
	"testing"
)

func BenchmarkCallRoundTrip(b *testing.B) {
	f := newFakePortal(b)
	store := NewMemoryTokens()
	store.Set("m1", f.issue(false))
	c := New(Config{Tokens: store, Logger: discardLogger()})
	p := c.Portal("m1", f.srv.URL)
	ctx := context.Background()
	for b.Loop() {
		var u User
		if err := p.Call(ctx, "user.current", nil, &u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildQuery(b *testing.B) {
	params := Params{"fields": Params{"TITLE": "Tom & Jerry #1 100%", "NAME": "Ünïcode 😀",
		"PHONE": []Params{{"VALUE": "+7 999 123-45-67", "VALUE_TYPE": "MOBILE"}}}, "params": Params{"REGISTER_SONET_EVENT": "N"}}
	for b.Loop() {
		if _, err := BuildQuery(params); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseEvent(b *testing.B) {
	f := url.Values{}
	for k, v := range map[string]string{
		"event": "ONIMCONNECTORMESSAGEADD", "event_handler_id": "555", "data[CONNECTOR]": "c", "data[LINE]": "107",
		"data[MESSAGES][0][im][chat_id]": "1807", "data[MESSAGES][0][im][message_id]": "86497",
		"data[MESSAGES][0][message][text]": "hello", "data[MESSAGES][0][chat][id]": "x", "ts": "1773759161",
		"auth[access_token]": "a", "auth[member_id]": "m", "auth[application_token]": "t",
	} {
		f.Set(k, v)
	}
	for b.Loop() {
		ev, err := ParseEvent(f)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseConnectorEvent(ev); err != nil {
			b.Fatal(err)
		}
	}
}
