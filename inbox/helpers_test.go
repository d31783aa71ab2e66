package inbox_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"time"
)

// signed is the header Meta sends with body.
func signed(body []byte) http.Header {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	h := http.Header{}
	h.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	return h
}

func timeout() <-chan time.Time { return time.After(10 * time.Second) }

func errorsAs[T error](err error, target *T) bool { return errors.As(err, target) }
