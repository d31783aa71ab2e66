package inbox_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"
)

// signed is the header Meta sends with body.
func signed(body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func timeout() <-chan time.Time { return time.After(10 * time.Second) }

func errorsAs[T error](err error, target *T) bool { return errors.As(err, target) }
