package graphemu

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// Delivery is one webhook body and every attempt to POST it.
type Delivery struct {
	ID        int             `json:"id"`
	Account   string          `json:"account"` // phone_number_id or IG account id
	Field     string          `json:"field"`   // messages, smb_message_echoes, history, or instagram
	URL       string          `json:"url"`
	Body      json.RawMessage `json:"body"`
	Signature string          `json:"signature"` // the X-Hub-Signature-256 header value
	Replay    bool            `json:"replay,omitempty"`
	Attempts  []Attempt       `json:"attempts"`
	Done      bool            `json:"done"` // delivered, or given up after the last retry

	secret    string
	notBefore time.Time
}

// Attempt is one POST of a webhook.
type Attempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"` // 0 on a network error
	Error      string    `json:"error,omitempty"`
}

// Delivered reports whether some attempt got a 2xx answer.
func (d Delivery) Delivered() bool {
	for _, a := range d.Attempts {
		if a.StatusCode >= 200 && a.StatusCode < 300 {
			return true
		}
	}
	return false
}

// maxDeliveries bounds the delivery log of a long-running demo.
const maxDeliveries = 10000

// Deliveries returns a copy of the webhook delivery log, oldest first (the
// most recent few thousand in a long run).
func (e *Emulator) Deliveries() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Delivery, 0, len(e.deliveries))
	for _, d := range e.deliveries {
		cp := *d
		cp.Body = append(json.RawMessage(nil), d.Body...)
		cp.Attempts = append([]Attempt(nil), d.Attempts...)
		out = append(out, cp)
	}
	return out
}

// Replay re-delivers the most recent webhook n more times, as Meta does when
// it believes a delivery failed.
func (e *Emulator) Replay(n int) error {
	e.mu.Lock()
	var last *Delivery
	for i := len(e.deliveries) - 1; i >= 0; i-- {
		if !e.deliveries[i].Replay {
			last = e.deliveries[i]
			break
		}
	}
	e.mu.Unlock()
	if last == nil {
		return errors.New("graphemu: no webhook to replay")
	}
	for range n {
		e.enqueue(webhook{
			account: last.Account, field: last.Field, url: last.URL, secret: last.secret,
			body: last.Body, replay: true,
		})
	}
	return nil
}

// webhook is a body ready to be queued for one account.
type webhook struct {
	account, field, url, secret string
	body                        []byte
	delay                       time.Duration
	replay                      bool
}

// Sign computes the X-Hub-Signature-256 header value for body.
func Sign(appSecret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// enqueue logs a delivery and hands it to the worker of its URL, which POSTs
// deliveries to one URL in order; failed ones are retried on the side.
func (e *Emulator) enqueue(w webhook) {
	if w.url == "" {
		e.log.Warn("graphemu: account has no webhook URL, webhook dropped", "account", w.account, "field", w.field)
		return
	}
	select {
	case <-e.done:
		return
	default:
	}
	d := &Delivery{
		Account: w.account, Field: w.field, URL: w.url, Body: w.body, Replay: w.replay,
		Signature: Sign(w.secret, w.body), secret: w.secret, notBefore: time.Now().Add(w.delay),
	}
	e.mu.Lock()
	e.deliveryN++
	d.ID = e.deliveryN
	e.deliveries = append(e.deliveries, d)
	if len(e.deliveries) > maxDeliveries {
		e.deliveries = append([]*Delivery(nil), e.deliveries[len(e.deliveries)-maxDeliveries/2:]...)
	}
	q, ok := e.queues[w.url]
	if !ok {
		q = make(chan *Delivery, 4096)
		e.queues[w.url] = q
	}
	e.mu.Unlock()
	if !ok {
		e.background(func(ctx context.Context) { e.deliverLoop(ctx, q) })
	}
	select {
	case q <- d:
	case <-e.done:
	}
	if !w.replay && e.currentFaults().DuplicateWebhooks {
		w.replay = true
		e.enqueue(w)
	}
}

// deliverLoop POSTs the deliveries of one URL in order.
func (e *Emulator) deliverLoop(ctx context.Context, q chan *Delivery) {
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-q:
			if wait := time.Until(d.notBefore); wait > 0 && !sleepCtx(ctx, wait) {
				return
			}
			if e.attempt(ctx, d) {
				continue
			}
			e.background(func(ctx context.Context) { e.retry(ctx, d) })
		}
	}
}

// retry re-POSTs a failed delivery after each of the configured delays.
func (e *Emulator) retry(ctx context.Context, d *Delivery) {
	for _, delay := range e.cfg.RetryDelays {
		if !sleepCtx(ctx, delay) {
			return
		}
		if e.attempt(ctx, d) {
			return
		}
	}
	e.mu.Lock()
	d.Done = true
	e.mu.Unlock()
	e.log.Warn("graphemu: webhook given up", "delivery", d.ID, "url", d.URL)
}

// attempt POSTs a delivery once and records the outcome.
func (e *Emulator) attempt(ctx context.Context, d *Delivery) bool {
	at := Attempt{At: e.now()}
	err := e.post(ctx, d, &at)
	if err != nil {
		at.Error = err.Error()
	}
	ok := at.StatusCode >= 200 && at.StatusCode < 300
	e.mu.Lock()
	d.Attempts = append(d.Attempts, at)
	if ok {
		d.Done = true
	}
	e.mu.Unlock()
	if !ok {
		e.log.Warn("graphemu: webhook delivery failed", "delivery", d.ID, "url", d.URL, "status", at.StatusCode, "err", err)
	}
	return ok
}

func (e *Emulator) post(ctx context.Context, d *Delivery, at *Attempt) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return fmt.Errorf("graphemu: unable to build webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", d.Signature)
	req.Header.Set("User-Agent", "facebookexternalua")
	resp, err := e.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("graphemu: webhook POST failed: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	at.StatusCode = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("graphemu: webhook answered %d", resp.StatusCode)
	}
	return nil
}

// sleepCtx waits d; false if ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// metaJSON encodes v the way Meta does: non-ASCII as \uXXXX and "/" as "\/",
// so a receiver that re-encodes the body before checking the signature fails
// as it would in production.
func metaJSON(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("graphemu: unable to encode webhook: %v", err))
	}
	var out bytes.Buffer
	out.Grow(len(raw) + len(raw)/8)
	for i := 0; i < len(raw); {
		c := raw[i]
		if c == '/' {
			out.WriteString(`\/`)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			out.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(raw[i:])
		i += size
		if r >= 0x10000 {
			r -= 0x10000
			writeU(&out, 0xD800+(r>>10))
			writeU(&out, 0xDC00+(r&0x3FF))
			continue
		}
		writeU(&out, r)
	}
	return out.Bytes()
}

func writeU(b *bytes.Buffer, r rune) {
	s := strconv.FormatInt(int64(r), 16)
	b.WriteString(`\u`)
	for range 4 - len(s) {
		b.WriteByte('0')
	}
	b.WriteString(s)
}
