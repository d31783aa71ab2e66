package graphemu

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// VerifyWebhook performs Meta's subscription handshake against an account's
// WebhookURL, as when a callback URL is saved in the App Dashboard: GET with
// hub.mode=subscribe, hub.challenge and hub.verify_token; the endpoint must
// answer 200 with the bare challenge.
func (e *Emulator) VerifyWebhook(ctx context.Context, account, verifyToken string) error {
	target := ""
	if n, ok := e.number(account); ok {
		target = n.WebhookURL
	} else if a, ok := e.igAccount(account); ok {
		target = a.WebhookURL
	} else {
		return fmt.Errorf("%w %q", ErrUnknownAccount, account)
	}
	if target == "" {
		return fmt.Errorf("graphemu: account %s has no webhook URL", account)
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000_000))
	challenge := n.String()
	q := url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {challenge}, "hub.verify_token": {verifyToken}}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target+sep+q.Encode(), nil)
	if err != nil {
		return fmt.Errorf("graphemu: bad webhook URL: %w", err)
	}
	resp, err := e.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("graphemu: verification request failed: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("graphemu: verification answered %d", resp.StatusCode)
	}
	if string(body) != challenge {
		return fmt.Errorf("graphemu: verification answered %q, want the challenge %q", body, challenge)
	}
	return nil
}

// handleVerify serves POST /admin/verify?account=&verify_token=.
func (e *Emulator) handleVerify(w http.ResponseWriter, r *http.Request) {
	if err := e.VerifyWebhook(r.Context(), r.FormValue("account"), r.FormValue("verify_token")); err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}
