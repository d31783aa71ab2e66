package bitrix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Config configures a Client; only Tokens is needed for app calls (CallWithToken needs nothing).
type Config struct {
	ClientID     string        // application client_id (app.xxx or local.xxx)
	ClientSecret string        // application client_secret; only ever sent to OAuthURL
	OAuthURL     string        // OAuth server; default "https://oauth.bitrix.info"
	HTTP         *http.Client  // default: a client with a 60 s timeout; redirects are never followed
	Tokens       TokenStore    // per-portal OAuth tokens
	Limiter      Limiter       // per-portal request admission; nil: none
	Logger       *slog.Logger  // default: slog.Default()
	MaxRetries   int           // retries after 503/429 answers; 0: 5, negative: none
	RetryBase    time.Duration // first backoff; default 500 ms
	RetryMax     time.Duration // backoff cap; default 30 s
	UserAgent    string        // default "switchboard-bitrix/1"
}

// Client talks to Bitrix24 portals on behalf of one application; safe for concurrent use.
type Client struct {
	cfg   Config
	http  *http.Client
	log   *slog.Logger
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns a Client with cfg's defaults filled in.
func New(cfg Config) *Client {
	if cfg.OAuthURL == "" {
		cfg.OAuthURL = "https://oauth.bitrix.info"
	}
	cfg.OAuthURL = strings.TrimRight(cfg.OAuthURL, "/")
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = 5
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 500 * time.Millisecond
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 30 * time.Second
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "switchboard-bitrix/1"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	hc := http.Client{Timeout: 60 * time.Second}
	if cfg.HTTP != nil {
		hc = *cfg.HTTP
	}
	// A renamed portal answers 302; following it would turn our POST into a GET.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{cfg: cfg, http: &hc, log: cfg.Logger, sleep: sleepContext}
}

// PortalClient calls one portal, with the app's stored tokens or with one fixed user token.
type PortalClient struct {
	c         *Client
	memberID  string
	baseURL   string
	userToken bool   // calls use token: no store, no refresh
	token     string // the fixed user token
}

// Portal returns a client for the portal identified by memberID (the TokenStore and Limiter
// key) at baseURL (e.g. "https://acme.bitrix24.com" or "http://localhost:8081").
func (c *Client) Portal(memberID, baseURL string) *PortalClient {
	return &PortalClient{c: c, memberID: memberID, baseURL: normalizeBase(baseURL)}
}

// AsUser returns a client that calls baseURL with a user's access token (e.g. a placement's
// AUTH_ID): no TokenStore, no refresh. memberID keys the Limiter; "" skips it.
func (c *Client) AsUser(memberID, baseURL, accessToken string) *PortalClient {
	return &PortalClient{c: c, memberID: memberID, baseURL: normalizeBase(baseURL), userToken: true, token: accessToken}
}

// CallWithToken calls method at baseURL with a given access token, without refresh or store.
func (c *Client) CallWithToken(ctx context.Context, baseURL, token, method string, params, out any) error {
	return c.AsUser("", baseURL, token).Call(ctx, method, params, out)
}

// PortalURL builds a portal base URL from a stored domain and scheme flag.
func PortalURL(domain string, https bool) string {
	if https {
		return "https://" + domain
	}
	return "http://" + domain
}

// normalizeBase turns "acme.bitrix24.com", "https://acme.bitrix24.com/" or a client_endpoint
// "https://acme.bitrix24.com/rest/" into "https://acme.bitrix24.com".
func normalizeBase(base string) string {
	base = strings.TrimSpace(base)
	if !strings.Contains(base, "://") {
		base = "https://" + base
	}
	base = strings.TrimRight(base, "/")
	base = strings.TrimSuffix(base, "/rest")
	return base
}

// MemberID returns the portal's member_id.
func (p *PortalClient) MemberID() string { return p.memberID }

// BaseURL returns the portal's base URL.
func (p *PortalClient) BaseURL() string { return p.baseURL }

// Response is a successful REST answer.
type Response struct {
	Result json.RawMessage // `result`, undecoded
	Next   int             // `next`: offset of the next page; 0 when there is none
	Total  int             // `total` of list methods
	Time   *Time           // `time`
}

// Time is the `time` block of an answer.
type Time struct {
	Start            float64 `json:"start"`
	Finish           float64 `json:"finish"`
	Duration         float64 `json:"duration"`
	Processing       float64 `json:"processing"`
	DateStart        string  `json:"date_start"`
	DateFinish       string  `json:"date_finish"`
	OperatingResetAt FlexInt `json:"operating_reset_at"`
	Operating        float64 `json:"operating"`
}

// Decode decodes the result into out, treating PHP's [] as an empty object.
func (r *Response) Decode(out any) error {
	if err := decodeResult(r.Result, out); err != nil {
		return fmt.Errorf("bitrix: %w", err)
	}
	return nil
}

// decodeResult unmarshals raw into out; a [] result leaves a non-slice out untouched.
func decodeResult(raw json.RawMessage, out any) error {
	if out == nil || len(raw) == 0 {
		return nil
	}
	if isEmptyArray(raw) {
		if _, ok := out.(*json.RawMessage); !ok && !isSliceTarget(out) {
			return nil
		}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode result: %w", err)
	}
	return nil
}

// isSliceTarget reports whether out points at something a JSON array can fill.
func isSliceTarget(out any) bool {
	t := reflect.TypeOf(out)
	if t == nil || t.Kind() != reflect.Pointer {
		return false
	}
	if _, ok := out.(json.Unmarshaler); ok {
		return true // custom decoders (FlexMap, FlexList…) handle [] themselves
	}
	switch t.Elem().Kind() {
	case reflect.Slice, reflect.Array, reflect.Interface:
		return true
	}
	return false
}

// Call calls method with params and decodes `result` into out (which may be nil).
func (p *PortalClient) Call(ctx context.Context, method string, params, out any) error {
	resp, err := p.Do(ctx, method, params)
	if err != nil {
		return err
	}
	if err := decodeResult(resp.Result, out); err != nil {
		return fmt.Errorf("bitrix: %s: %w", method, err)
	}
	return nil
}

// Do calls method with params and returns the whole answer. With the app's tokens it
// refreshes them first when they are known to have expired, or else once after an
// expired_token/invalid_token answer, and retries; 503/429 are retried with backoff; other
// errors come back as *Error.
func (p *PortalClient) Do(ctx context.Context, method string, params any) (*Response, error) {
	if p.userToken {
		return p.doWith(ctx, method, params, p.token)
	}
	if p.c.cfg.Tokens == nil {
		return nil, fmt.Errorf("bitrix: %s: no TokenStore configured", method)
	}
	toks, err := p.c.cfg.Tokens.Tokens(ctx, p.memberID)
	if err != nil {
		return nil, fmt.Errorf("bitrix: %s: load tokens: %w", method, unwrapPrefix(err))
	}
	if toks.Access == "" || (!toks.Expires.IsZero() && !time.Now().Before(toks.Expires)) {
		// Known to be dead: spare the portal a call (and a unit of its rate limit).
		if toks, err = p.refresh(ctx, toks.Access); err != nil {
			return nil, err
		}
		return p.doWith(ctx, method, params, toks.Access)
	}
	resp, err := p.doWith(ctx, method, params, toks.Access)
	// A token can die again between its refresh and its use (another
	// instance's refresh, or an expiry tick): refresh and retry a few times.
	for round := 0; round < maxRefreshRounds && refreshable(err); round++ {
		if toks, err = p.refresh(ctx, toks.Access); err != nil {
			return nil, err
		}
		resp, err = p.doWith(ctx, method, params, toks.Access)
	}
	return resp, err
}

// maxRefreshRounds bounds the refresh-and-retry rounds of one call.
const maxRefreshRounds = 3

// refreshable reports whether err asks for a token refresh (and one retry).
func refreshable(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Code == "expired_token" || e.Code == "invalid_token")
}

// refresh replaces the stale access token through the TokenStore's per-portal lock. Once the
// OAuth server is asked, the rotated pair must be saved even if the caller gives up, so the
// refresh runs detached from ctx's cancellation (bounded by its own timeout).
func (p *PortalClient) refresh(ctx context.Context, stale string) (Tokens, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	toks, err := p.c.cfg.Tokens.RefreshTokens(ctx, p.memberID, stale,
		func(ctx context.Context, current Tokens) (Tokens, error) {
			p.c.log.InfoContext(ctx, "bitrix: refreshing tokens", "portal", p.memberID)
			next, err := p.c.RefreshTokens(ctx, current.Refresh)
			if err == nil && next.Refresh == "" {
				next.Refresh = current.Refresh
			}
			return next, err
		})
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return Tokens{}, err
		}
		return Tokens{}, fmt.Errorf("bitrix: refresh tokens of %s: %w", p.memberID, unwrapPrefix(err))
	}
	return toks, nil
}

// doWith sends one logical call with a fixed token, retrying limit answers with backoff.
func (p *PortalClient) doWith(ctx context.Context, name string, params any, token string) (*Response, error) {
	body, err := requestBody(params, member{"auth", token})
	if err != nil {
		return nil, fmt.Errorf("bitrix: %s: %w", name, err)
	}
	endpoint := p.baseURL + "/rest/" + name + ".json"
	for attempt := 0; ; attempt++ {
		if p.c.cfg.Limiter != nil && p.memberID != "" {
			if err := p.c.cfg.Limiter.Wait(ctx, p.memberID); err != nil {
				return nil, fmt.Errorf("bitrix: %s: wait for rate limiter: %w", name, err)
			}
		}
		resp, retryAfter, err := p.c.post(ctx, endpoint, name, body)
		if err == nil || !IsRateLimited(err) || attempt >= p.c.cfg.MaxRetries {
			return resp, err
		}
		wait := p.c.backoff(attempt, retryAfter)
		p.c.log.WarnContext(ctx, "bitrix: portal limit, backing off", "portal", p.memberID,
			"method", name, "attempt", attempt+1, "wait", wait, "error", err)
		if serr := p.c.sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("bitrix: %s: %w while backing off from %w", name, serr, unwrapPrefix(err))
		}
	}
}

// backoff returns the wait before retry number attempt+1: exponential, capped, with jitter
// (half fixed, half random), and never shorter than a Retry-After the server asked for.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	d := c.cfg.RetryBase << min(attempt, 30)
	if d <= 0 || d > c.cfg.RetryMax {
		d = c.cfg.RetryMax
	}
	d = d/2 + rand.N(d/2+1)
	if retryAfter > d {
		d = min(retryAfter, c.cfg.RetryMax)
	}
	return d
}

// envelope is the JSON shape of every REST answer.
type envelope struct {
	Result           json.RawMessage `json:"result"`
	Next             FlexInt         `json:"next"`
	Total            FlexInt         `json:"total"`
	Time             *Time           `json:"time"`
	Error            *FlexString     `json:"error"`
	ErrorDescription FlexString      `json:"error_description"`
}

// maxAnswer bounds how much of an answer is read.
const maxAnswer = 64 << 20

// post sends one HTTP request and decodes the envelope; it returns the Retry-After delay too.
func (c *Client) post(ctx context.Context, endpoint, method string, body []byte) (*Response, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("bitrix: %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("bitrix: %s: %w", method, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return nil, 0, fmt.Errorf("bitrix: %s: read answer: %w", method, err)
	}
	c.log.DebugContext(ctx, "bitrix: call", "method", method, "status", res.StatusCode,
		"duration", time.Since(start))
	retryAfter := parseRetryAfter(res.Header.Get("Retry-After"))
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		loc := res.Header.Get("Location")
		if i := strings.Index(loc, "/rest/"); i >= 0 {
			loc = loc[:i]
		}
		return nil, 0, &Error{HTTPStatus: res.StatusCode, Code: codePortalMoved, Description: loc, Method: method}
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		if res.StatusCode >= 400 {
			return nil, retryAfter, &Error{HTTPStatus: res.StatusCode, Description: snippet(data), Method: method}
		}
		return nil, 0, fmt.Errorf("bitrix: %s: decode answer (%d): %w", method, res.StatusCode, err)
	}
	if env.Error != nil || res.StatusCode >= 400 {
		e := &Error{HTTPStatus: res.StatusCode, Description: string(env.ErrorDescription), Method: method}
		if env.Error != nil {
			e.Code = string(*env.Error)
		}
		return nil, retryAfter, e
	}
	return &Response{Result: env.Result, Next: int(env.Next), Total: int(env.Total), Time: env.Time}, 0, nil
}

// parseRetryAfter reads a Retry-After header given in seconds.
func parseRetryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// snippet returns the start of a non-JSON answer for an error message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// unwrapPrefix keeps an inner error from repeating the "bitrix: " prefix when rewrapped.
func unwrapPrefix(err error) error {
	msg := err.Error()
	if !strings.HasPrefix(msg, "bitrix: ") {
		return err
	}
	return prefixless{err: err, msg: strings.TrimPrefix(msg, "bitrix: ")}
}

// prefixless is err with its "bitrix: " prefix removed from the message.
type prefixless struct {
	err error
	msg string
}

// Error returns the message without the prefix.
func (p prefixless) Error() string { return p.msg }

// Unwrap returns the original error.
func (p prefixless) Unwrap() error { return p.err }
