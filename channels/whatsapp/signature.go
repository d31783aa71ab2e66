package whatsapp

import "switchboard/channels/internal/meta"

// SignatureHeader carries the webhook body's HMAC-SHA256, as "sha256=<hex>".
const SignatureHeader = meta.SignatureHeader

// Sign returns the X-Hub-Signature-256 value Meta would send for body; the
// Graph API emulator and tests use it.
func Sign(secret string, body []byte) string { return meta.Sign(secret, body) }
