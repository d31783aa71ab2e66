package bitrix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePortal is a small, faithful stand-in for a Bitrix24 portal and its OAuth server,
// speaking the wire shapes of rest-reference.md: JSON envelopes, 401/403/404/429/503 errors,
// rotating refresh tokens, batch with parse_str semantics, start/next pagination.
type fakePortal struct {
	t   testing.TB
	srv *httptest.Server

	mu           sync.Mutex
	access       map[string]time.Time // valid access tokens → expiry
	refresh      map[string]bool      // valid refresh tokens
	seq          int
	refreshCalls int
	refreshDelay time.Duration
	calls        []fakeCall
	script       map[string][]fakeReply // queued raw replies per method, served first
	methods      map[string]fakeMethod
	now          func() time.Time
	intercept    func(method string) *fakeReply // called under mu before anything else; nil: none
}

// fakeCall records one REST request the portal received.
type fakeCall struct {
	Method string
	Auth   string
	Params map[string]any
	Raw    []byte
}

// fakeReply is a raw HTTP answer.
type fakeReply struct {
	Status int
	Body   string
	Header http.Header
}

// fakeMethod answers a method call: a result, or an error reply.
type fakeMethod func(params Values, start int) (result any, extra map[string]any, err *fakeReply)

const (
	fakeClientID = "local.test"
	fakeSecret   = "s3cret"
)

func newFakePortal(t testing.TB) *fakePortal {
	t.Helper()
	f := &fakePortal{
		t:       t,
		access:  map[string]time.Time{},
		refresh: map[string]bool{},
		script:  map[string][]fakeReply{},
		methods: map[string]fakeMethod{},
		now:     time.Now,
	}
	f.methods["user.current"] = func(Values, int) (any, map[string]any, *fakeReply) {
		return map[string]any{"ID": "1", "ACTIVE": true, "NAME": "Anna", "LAST_NAME": "Admin",
			"EMAIL": "anna@example.com", "UF_DEPARTMENT": []any{1}}, nil, nil
	}
	f.methods["echo"] = func(p Values, _ int) (any, map[string]any, *fakeReply) { return p, nil, nil }
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// issue creates a token pair; expired tokens are already past their expiry.
func (f *fakePortal) issue(expired bool) Tokens {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issueLocked(expired)
}

func (f *fakePortal) issueLocked(expired bool) Tokens {
	f.seq++
	exp := f.now().Add(time.Hour)
	if expired {
		exp = f.now().Add(-time.Minute)
	}
	t := Tokens{Access: fmt.Sprintf("acc-%d", f.seq), Refresh: fmt.Sprintf("ref-%d", f.seq), Expires: exp}
	f.access[t.Access] = exp
	f.refresh[t.Refresh] = true
	return t
}

// queue makes the next calls of method answer with the given raw replies.
func (f *fakePortal) queue(method string, replies ...fakeReply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script[method] = append(f.script[method], replies...)
}

// callsOf returns the recorded calls of method.
func (f *fakePortal) callsOf(method string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakePortal) refreshCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshCalls
}

func errReply(status int, code, desc string) *fakeReply {
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
	return &fakeReply{Status: status, Body: string(b)}
}

func (f *fakePortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/oauth/token/":
		f.serveToken(w, r)
	case strings.HasPrefix(r.URL.Path, "/rest/"):
		f.serveREST(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakePortal) serveToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.refreshCalls++
	delay := f.refreshDelay
	f.mu.Unlock()
	time.Sleep(delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method != http.MethodGet:
		writeReply(w, errReply(400, "invalid_request", "bad request"))
	case q.Get("client_id") != fakeClientID || q.Get("client_secret") != fakeSecret:
		writeReply(w, errReply(401, "invalid_client", "Invalid client"))
	case q.Get("grant_type") == "authorization_code" && q.Get("code") != "good-code":
		writeReply(w, errReply(400, "invalid_grant", "Invalid authorization code"))
	case q.Get("grant_type") == "refresh_token" && !f.refresh[q.Get("refresh_token")]:
		writeReply(w, errReply(400, "invalid_grant", "Invalid refresh token"))
	case q.Get("grant_type") != "refresh_token" && q.Get("grant_type") != "authorization_code":
		writeReply(w, errReply(400, "invalid_request", "Unsupported grant_type"))
	default:
		delete(f.refresh, q.Get("refresh_token")) // rotation: a refresh token works once
		t := f.issueLocked(false)
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": t.Access, "refresh_token": t.Refresh, "expires": t.Expires.Unix(),
			"expires_in": 3600, "domain": "oauth.bitrix.info", "member_id": "m1",
			"client_endpoint": f.srv.URL + "/rest/", "server_endpoint": "https://oauth.bitrix.info/rest/",
			"scope": "crm,im", "status": "L", "user_id": 1,
		})
	}
}

func writeReply(w http.ResponseWriter, rep *fakeReply) {
	for k, v := range rep.Header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(rep.Status)
	fmt.Fprint(w, rep.Body)
}

func (f *fakePortal) serveREST(w http.ResponseWriter, r *http.Request) {
	method := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/rest/"), ".json"))
	raw, _ := readAll(r)
	var params map[string]any
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&params); err != nil {
			params = map[string]any{} // Bitrix: invalid JSON silently becomes empty params
		}
	}
	auth, _ := params["auth"].(string)
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Method: method, Auth: auth, Params: params, Raw: raw})
	var scripted *fakeReply
	if f.intercept != nil {
		scripted = f.intercept(method)
	}
	if q := f.script[method]; scripted == nil && len(q) > 0 {
		scripted = &q[0]
		f.script[method] = q[1:]
	}
	exp, known := f.access[auth]
	now := f.now()
	handler := f.methods[method]
	f.mu.Unlock()

	switch {
	case scripted != nil:
		writeReply(w, scripted)
		return
	case auth == "":
		writeReply(w, errReply(401, "NO_AUTH_FOUND", "Wrong authorization data"))
		return
	case !known:
		writeReply(w, errReply(401, "invalid_token", "Unable to get application by token"))
		return
	case now.After(exp):
		writeReply(w, errReply(401, "expired_token", "The access token provided has expired"))
		return
	}
	if method == "batch" {
		f.serveBatch(w, raw)
		return
	}
	if handler == nil {
		writeReply(w, errReply(404, "ERROR_METHOD_NOT_FOUND", "Method not found!"))
		return
	}
	start := Values(params).Int("start")
	result, extra, rep := handler(Values(params), int(start))
	if rep != nil {
		writeReply(w, rep)
		return
	}
	env := map[string]any{"result": result, "time": fakeTime()}
	for k, v := range extra {
		env[k] = v
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(env)
}

func fakeTime() map[string]any {
	return map[string]any{"start": 1721722262.960948, "finish": 1721722262.985244, "duration": 0.0242,
		"processing": 0.0013, "date_start": "2024-07-23T08:11:02+00:00", "date_finish": "2024-07-23T08:11:02+00:00"}
}

// serveBatch runs cmd in order with parse_str semantics; empty sections are PHP's [].
func (f *fakePortal) serveBatch(w http.ResponseWriter, raw []byte) {
	var body struct {
		Halt json.RawMessage `json:"halt"`
		Cmd  json.RawMessage `json:"cmd"`
	}
	json.Unmarshal(raw, &body)
	halt := strings.Trim(string(body.Halt), `"`) == "1" || string(body.Halt) == "true"
	cmds, err := orderedObject(body.Cmd)
	if err != nil {
		writeReply(w, errReply(400, "ERROR_BATCH", err.Error()))
		return
	}
	results, errs, totals, nexts, times := newPHPArray(), newPHPArray(), newPHPArray(), newPHPArray(), newPHPArray()
	for i, c := range cmds {
		var line string
		json.Unmarshal(c.value, &line)
		if i >= MaxBatch {
			errs.set(c.key, map[string]any{"error": "ERROR_BATCH_LENGTH_EXCEEDED", "error_description": "Max batch length exceeded"})
			continue
		}
		method, query, _ := strings.Cut(line, "?")
		form, perr := url.ParseQuery(query)
		if perr != nil {
			errs.set(c.key, map[string]any{"error": "WRONG_QUERY", "error_description": perr.Error()})
			continue
		}
		params := ParseForm(form)
		f.mu.Lock()
		f.calls = append(f.calls, fakeCall{Method: "batch:" + strings.ToLower(method), Params: params})
		handler := f.methods[strings.ToLower(method)]
		f.mu.Unlock()
		if handler == nil {
			errs.set(c.key, map[string]any{"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"})
			if halt {
				break
			}
			continue
		}
		result, extra, rep := handler(params, int(params.Int("start")))
		if rep != nil {
			var e map[string]any
			json.Unmarshal([]byte(rep.Body), &e)
			errs.set(c.key, e)
			if halt {
				break
			}
			continue
		}
		results.set(c.key, result)
		if v, ok := extra["total"]; ok {
			totals.set(c.key, v)
		}
		if v, ok := extra["next"]; ok {
			nexts.set(c.key, v)
		}
		times.set(c.key, fakeTime())
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{"result": map[string]any{
		"result": results, "result_error": errs, "result_total": totals,
		"result_next": nexts, "result_time": times,
	}, "time": fakeTime()})
}

// phpArray marshals like a PHP array: [] when empty, a list when keyed 0..n-1, else an object.
type phpArray struct {
	keys []string
	vals map[string]any
}

func newPHPArray() *phpArray { return &phpArray{vals: map[string]any{}} }

func (a *phpArray) set(k string, v any) {
	if _, ok := a.vals[k]; !ok {
		a.keys = append(a.keys, k)
	}
	a.vals[k] = v
}

func (a *phpArray) MarshalJSON() ([]byte, error) {
	sequential := true
	for i, k := range a.keys {
		if k != fmt.Sprint(i) {
			sequential = false
		}
	}
	if sequential {
		list := make([]any, len(a.keys))
		for i, k := range a.keys {
			list[i] = a.vals[k]
		}
		return json.Marshal(list)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range a.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(a.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func readAll(r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
}

// listOf serves rows page by page like a classic list method (50 per page, total, next).
func listOf(rows []any) fakeMethod {
	return func(_ Values, start int) (any, map[string]any, *fakeReply) {
		if start < 0 || start > len(rows) {
			start = len(rows)
		}
		end := min(start+PageSize, len(rows))
		extra := map[string]any{"total": len(rows)}
		if end < len(rows) {
			extra["next"] = end
		}
		page := rows[start:end]
		if page == nil {
			page = []any{}
		}
		return page, extra, nil
	}
}

// testClient returns a Client wired to f with instant backoff, and the store it uses.
func testClient(t *testing.T, f *fakePortal) (*Client, *MemoryTokens) {
	t.Helper()
	store := NewMemoryTokens()
	c := New(Config{
		ClientID: fakeClientID, ClientSecret: fakeSecret, OAuthURL: f.srv.URL,
		Tokens: store, Logger: testLogger(t), RetryBase: time.Millisecond, RetryMax: 4 * time.Millisecond,
	})
	return c, store
}
