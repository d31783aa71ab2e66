package instagram

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"switchboard/channels"
)

// SignatureHeader carries the webhook body's HMAC-SHA256, as "sha256=<hex>".
const SignatureHeader = "X-Hub-Signature-256"

// checkSignature compares the X-Hub-Signature-256 header with the HMAC-SHA256
// of the raw body keyed by the app secret. An account without an app secret
// accepts nothing: an unsigned webhook could be anyone's.
func checkSignature(secret string, header http.Header, body []byte) error {
	got, ok := strings.CutPrefix(header.Get(SignatureHeader), "sha256=")
	if !ok || secret == "" {
		return channels.ErrBadSignature
	}
	sum, err := hex.DecodeString(got)
	if err != nil {
		return channels.ErrBadSignature
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(sum, mac.Sum(nil)) {
		return channels.ErrBadSignature
	}
	return nil
}

// Sign returns the X-Hub-Signature-256 value Meta would send for body; the
// Graph API emulator and tests use it.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
