// Package meta holds what the WhatsApp and Instagram adapters share of Meta's
// platform: the X-Hub-Signature-256 webhook signature, the GET subscription
// handshake and the webhook envelope, the Graph API client (bearer token,
// JSON, the error body) with its guarded media downloads (public https
// addresses only), the limit errors and media rules, and Meta's loosely
// typed numbers and timestamps.
package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"switchboard/channels"
)

// SignatureHeader carries the webhook body's HMAC-SHA256, as "sha256=<hex>".
const SignatureHeader = "X-Hub-Signature-256"

// signaturePrefix names the scheme in the SignatureHeader value.
const signaturePrefix = "sha256="

// Sign returns the X-Hub-Signature-256 value Meta would send for body,
// "sha256=" and the hex HMAC-SHA256 of body keyed by the app secret.
func Sign(secret string, body []byte) string {
	return signaturePrefix + hex.EncodeToString(bodyMAC(secret, body))
}

// CheckSignature compares the X-Hub-Signature-256 value with the HMAC-SHA256
// of the raw body keyed by the app secret. A value that is empty, not
// "sha256=<hex>", or does not match is channels.ErrBadSignature. An account
// without an app secret accepts nothing: an unsigned webhook could be anyone's.
func CheckSignature(secret, signature string, body []byte) error {
	got, ok := strings.CutPrefix(signature, signaturePrefix)
	if !ok || secret == "" {
		return channels.ErrBadSignature
	}
	sum, err := hex.DecodeString(got)
	if err != nil {
		return channels.ErrBadSignature
	}
	if !hmac.Equal(sum, bodyMAC(secret, body)) {
		return channels.ErrBadSignature
	}
	return nil
}

func bodyMAC(secret string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return mac.Sum(nil)
}

// VerifyHandshake answers Meta's GET subscription handshake: with
// hub.mode=subscribe and hub.verify_token equal to verifyToken it returns
// hub.challenge, to be written back as the plain-text body; otherwise
// channels.ErrBadVerifyToken. An empty verifyToken accepts nothing.
func VerifyHandshake(verifyToken string, query map[string][]string) (string, error) {
	get := func(key string) string {
		if v := query[key]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	token := get("hub.verify_token")
	if get("hub.mode") != "subscribe" || verifyToken == "" ||
		subtle.ConstantTimeCompare([]byte(token), []byte(verifyToken)) != 1 {
		return "", channels.ErrBadVerifyToken
	}
	return get("hub.challenge"), nil
}
