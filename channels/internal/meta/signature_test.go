package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"switchboard/channels"
)

func TestSign(t *testing.T) {
	body := []byte(`{"object":"whatsapp_business_account"}`)
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if got := Sign("s3cret", body); got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

func TestCheckSignature(t *testing.T) {
	const secret = "app-secret"
	body := []byte(`{"entry":[]}`)
	right := Sign(secret, body)
	digest := right[len("sha256="):]
	tests := []struct {
		name   string
		secret string
		header *string // nil: no header at all
		want   error
	}{
		{"right digest", secret, ptr(right), nil},
		{"uppercase hex", secret, ptr("sha256=" + strings.ToUpper(digest)), nil},
		{"missing header", secret, nil, channels.ErrBadSignature},
		{"empty header", secret, ptr(""), channels.ErrBadSignature},
		{"no prefix", secret, ptr(digest), channels.ErrBadSignature},
		{"wrong prefix", secret, ptr("sha1=" + digest), channels.ErrBadSignature},
		{"prefix only", secret, ptr("sha256="), channels.ErrBadSignature},
		{"not hex", secret, ptr("sha256=zz" + digest[2:]), channels.ErrBadSignature},
		{"wrong digest", secret, ptr(Sign("other-secret", body)), channels.ErrBadSignature},
		{"digest of another body", secret, ptr(Sign(secret, []byte(`{}`))), channels.ErrBadSignature},
		{"truncated digest", secret, ptr(right[:len(right)-2]), channels.ErrBadSignature},
		{"account without secret", "", ptr(Sign("", body)), channels.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sig string
			if tt.header != nil {
				sig = *tt.header
			}
			if err := CheckSignature(tt.secret, sig, body); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("CheckSignature = %v, want %v", err, tt.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestVerifyHandshake(t *testing.T) {
	const token = "verify-me"
	q := func(kv ...string) map[string][]string {
		m := map[string][]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = append(m[kv[i]], kv[i+1])
		}
		return m
	}
	tests := []struct {
		name      string
		token     string
		query     map[string][]string
		challenge string
		err       error
	}{
		{"good", token, q("hub.mode", "subscribe", "hub.verify_token", token, "hub.challenge", "1158201444"), "1158201444", nil},
		{"good, no challenge", token, q("hub.mode", "subscribe", "hub.verify_token", token), "", nil},
		{"first value wins", token, q("hub.mode", "subscribe", "hub.verify_token", token, "hub.verify_token", "x", "hub.challenge", "7"), "7", nil},
		{"bad token", token, q("hub.mode", "subscribe", "hub.verify_token", "guess", "hub.challenge", "1"), "", channels.ErrBadVerifyToken},
		{"token prefix", token, q("hub.mode", "subscribe", "hub.verify_token", "verify", "hub.challenge", "1"), "", channels.ErrBadVerifyToken},
		{"no token", token, q("hub.mode", "subscribe", "hub.challenge", "1"), "", channels.ErrBadVerifyToken},
		{"bad mode", token, q("hub.mode", "unsubscribe", "hub.verify_token", token, "hub.challenge", "1"), "", channels.ErrBadVerifyToken},
		{"no mode", token, q("hub.verify_token", token, "hub.challenge", "1"), "", channels.ErrBadVerifyToken},
		{"account without token", "", q("hub.mode", "subscribe", "hub.verify_token", "", "hub.challenge", "1"), "", channels.ErrBadVerifyToken},
		{"nil query", token, nil, "", channels.ErrBadVerifyToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := VerifyHandshake(tt.token, tt.query)
			if got != tt.challenge || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Errorf("VerifyHandshake = %q, %v; want %q, %v", got, err, tt.challenge, tt.err)
			}
		})
	}
}
