package meta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"switchboard/channels"
)

// FlexInt decodes an integer Meta sends as a JSON number or a string
// (error_subcode, a media file_size). null and "" leave it 0.
type FlexInt int64

func (n *FlexInt) UnmarshalJSON(b []byte) error {
	v, ok, err := flexInt(b)
	if ok {
		*n = FlexInt(v)
	}
	return err
}

// flexInt reads a JSON number or numeric string; ok is false for null and "".
func flexInt(b []byte) (v int64, ok bool, err error) {
	s := string(bytes.Trim(b, `"`))
	if s == "" || s == "null" {
		return 0, false, nil
	}
	v, err = strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("integer %s: %w", b, err)
	}
	return v, true, nil
}

// UnixSeconds decodes a timestamp in Unix seconds sent as a JSON string
// (WhatsApp's usual form) or a number; null, "" and a value that is not a
// whole number leave it zero: a message is not lost over its time, it
// takes the time it was received.
type UnixSeconds struct{ time.Time }

func (u *UnixSeconds) UnmarshalJSON(b []byte) error {
	if v, ok, err := flexInt(b); ok && err == nil {
		u.Time = time.Unix(v, 0).UTC()
	}
	return nil
}

// UnixMillis decodes a timestamp in Unix milliseconds sent as a JSON number
// (Instagram's usual form) or a string; like UnixSeconds, anything else
// leaves it zero.
type UnixMillis struct{ time.Time }

func (m *UnixMillis) UnmarshalJSON(b []byte) error {
	if v, ok, err := flexInt(b); ok && err == nil {
		m.Time = time.UnixMilli(v).UTC()
	}
	return nil
}

// DecodeWebhook checks a webhook body's X-Hub-Signature-256 value against
// the app secret (channels.ErrBadSignature) and decodes its entries, of the
// adapter's type E; a body that is not JSON or whose "object" is not object
// is an error wrapping channels.ErrMalformed.
func DecodeWebhook[E any](secret, signature string, body []byte, object string) ([]E, error) {
	if err := CheckSignature(secret, signature, body); err != nil {
		return nil, err
	}
	var env struct {
		Object string `json:"object"`
		Entry  []E    `json:"entry"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("decode webhook: %w: %w", channels.ErrMalformed, err)
	}
	if env.Object != object {
		return nil, fmt.Errorf("webhook object %q: %w", env.Object, channels.ErrMalformed)
	}
	return env.Entry, nil
}
