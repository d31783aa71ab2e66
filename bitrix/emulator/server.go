package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// pageSize is Bitrix24's fixed list page (IRestService::LIST_LIMIT).
const pageSize = 50

// method is one REST method: its scope and the handler, which runs with
// p.mu held.
type method struct {
	scope   string // "" needs none
	appOnly bool   // needs an OAuth application token (not webhook/session)
	fn      func(c *call) (any, error)
}

// call is one REST method invocation.
type call struct {
	ctx    context.Context
	name   string
	params *obj
	tok    *accessToken
	user   *User
	now    time.Time
	batch  bool
	// latency is the injected latency of the HTTP request; a batch spreads
	// it over its commands' operating time.
	latency time.Duration
	queued  []queuedEvent // events to deliver once p.mu is released
}

// listResult is a page of a list method: total and next go to the top level.
type listResult struct {
	items   any
	total   int
	next    int // 0: no more rows
	noCount bool
}

// Handler serves the portal: REST, OAuth, the admin endpoints and the
// portal page.
func (p *Portal) Handler() http.Handler {
	r := chi.NewRouter()
	r.HandleFunc("/rest/{method}", p.serveREST)
	r.HandleFunc("/rest/{uid}/{secret}/{method}", p.serveREST)
	r.HandleFunc("/oauth/token", p.serveToken)
	r.HandleFunc("/oauth/token/", p.serveToken)
	r.Get("/oauth/authorize", p.serveAuthorize)
	r.Get("/oauth/authorize/", p.serveAuthorize)
	r.HandleFunc("/emulator/faults", p.serveFaults)
	r.Get("/emulator/stats", p.serveStats)
	r.Post("/emulator/install", p.serveAdminInstall)
	r.Post("/emulator/events", p.serveAdminEvent)
	r.Get("/emulator/deliveries", p.serveDeliveries)
	p.pageRoutes(r)
	return r
}

func (p *Portal) serveREST(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		// CORS preflight of BX24.callMethod from an app frame.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	p.mu.Lock()
	latency, movedTo := p.faults.Latency, p.movedTo
	p.mu.Unlock()
	if movedTo != "" {
		// A renamed portal's old domain only redirects.
		http.Redirect(w, r, movedTo+r.URL.RequestURI(), http.StatusFound)
		return
	}
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	name := strings.TrimSuffix(strings.ToLower(chi.URLParam(r, "method")), ".json")
	params := requestParams(r)

	started := p.now()
	if err := p.admit(name); err != nil {
		p.writeError(w, err)
		return
	}

	p.mu.Lock()
	tok, aerr := p.authRequest(r, params)
	if aerr != nil {
		p.stats.reject(aerr.code)
		p.mu.Unlock()
		p.writeError(w, aerr)
		return
	}
	if err := p.checkOperating(name, started); err != nil {
		p.stats.reject(err.code)
		p.mu.Unlock()
		p.writeError(w, err)
		return
	}
	c := &call{ctx: r.Context(), name: name, params: params, tok: tok, user: p.users[tok.userID], now: started, latency: latency}
	res, err := p.invoke(c)
	p.recordOperating(name, started, latency)
	queued := c.queued
	p.mu.Unlock()

	p.deliverAsync(queued)
	if p.loseAnswer(name) {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, herr := hj.Hijack(); herr == nil {
				conn.Close()
				return
			}
		}
	}
	if err != nil {
		ae := asAPIError(err)
		p.log.Debug("rest call failed", "method", name, "status", ae.status, "error", ae.code, "description", ae.desc)
		p.writeError(w, ae)
		return
	}
	p.log.Debug("rest call", "method", name, "user", tok.userID)
	p.writeResult(w, name, res, started, p.secureSignature(name, params.str("state"), res))
}

// invoke runs a method by name with scope and context checks; p.mu held.
// A panicking handler becomes a 500 so the lock is never left held.
func (p *Portal) invoke(c *call) (res any, err error) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("method panicked", "method", c.name, "panic", r)
			res, err = nil, newErr(http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", fmt.Sprint(r))
		}
	}()
	m, ok := p.methods[c.name]
	if !ok {
		return nil, p.errMethodNotFound()
	}
	if m.scope != "" && !p.hasScope(c.tok, m.scope) {
		return nil, p.errScope()
	}
	if m.appOnly && c.tok.kind != kindApp {
		return nil, errAppContext
	}
	return m.fn(c)
}

func asAPIError(err error) *apiError {
	if ae, ok := err.(*apiError); ok {
		return ae
	}
	return newErr(http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", err.Error())
}

// requestParams merges query and body parameters; body keys win, as in
// PHP's array_replace. A GET body is ignored; broken JSON means no body.
func requestParams(r *http.Request) *obj {
	params := parseQuery(r.URL.RawQuery)
	if r.Method == http.MethodGet || r.Body == nil {
		return params
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var body *obj
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err == nil {
			body = fromValues(r.MultipartForm.Value)
		}
	case "application/json":
		data, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		if v, err := parseJSON(data); err == nil {
			body = asObjStrict(v)
		}
	default:
		data, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		body = parseQuery(string(data))
	}
	for _, k := range body.keysOrNil() {
		params.set(k, body.vals[k])
	}
	return params
}

func (o *obj) keysOrNil() []string {
	if o == nil {
		return nil
	}
	return o.keys
}

// timeBlock is the "time" member of a success answer.
func (p *Portal) timeBlock(start time.Time, operating float64, resetAt int64) *obj {
	finish := p.now()
	if finish.Before(start) {
		finish = start
	}
	d := finish.Sub(start).Seconds()
	return newObj().
		set("start", unixFloat(start)).
		set("finish", unixFloat(finish)).
		set("duration", d).
		set("processing", d).
		set("date_start", start.UTC().Format("2006-01-02T15:04:05+00:00")).
		set("date_finish", finish.UTC().Format("2006-01-02T15:04:05+00:00")).
		set("operating_reset_at", resetAt).
		set("operating", operating)
}

func unixFloat(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }

func (p *Portal) writeResult(w http.ResponseWriter, name string, res any, started time.Time, signature string) {
	body := newObj()
	if lr, ok := res.(listResult); ok {
		body.set("result", lr.items)
		if !lr.noCount {
			if lr.next > 0 {
				body.set("next", lr.next)
			}
			body.set("total", lr.total)
		}
	} else {
		body.set("result", res)
	}
	if signature != "" {
		body.set("signature", signature)
	}
	p.mu.Lock()
	op, reset := p.operatingState(name, started)
	body.set("time", p.timeBlock(started, op, reset))
	p.mu.Unlock()
	writeJSONResponse(w, http.StatusOK, body)
}

func (p *Portal) writeError(w http.ResponseWriter, e *apiError) {
	writeJSONResponse(w, e.status, e.body())
}

func writeJSONResponse(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"error":"WRONG_ENCODING","error_description":"Wrong request encoding"}`)
	}
	data = phpSlashes(data)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// phpSlashes escapes "/" as PHP's json_encode does ("https:\/\/…"); a
// slash can only occur inside JSON strings, so a plain replace is exact.
func phpSlashes(data []byte) []byte {
	return bytes.ReplaceAll(data, []byte("/"), []byte(`\/`))
}

// paginate cuts rows for a classic list: start is floored to a page, as
// CDBResult does; start=-1 skips the count.
func paginate[T any](params *obj, rows []T) listResult {
	startRaw := strings.TrimSpace(params.str("start", "START"))
	start, _ := strconv.Atoi(startRaw)
	if startRaw == "-1" {
		end := min(len(rows), pageSize)
		return listResult{items: toList(rows[:end]), noCount: true}
	}
	if start < 0 {
		start = 0
	}
	from := (start / pageSize) * pageSize
	if from > len(rows) {
		from = len(rows)
	}
	to := min(from+pageSize, len(rows))
	lr := listResult{items: toList(rows[from:to]), total: len(rows)}
	if to < len(rows) {
		lr.next = to
	}
	return lr
}

// toList keeps an empty page a JSON [] rather than null.
func toList[T any](rows []T) []T {
	if rows == nil {
		return []T{}
	}
	return rows
}

// NewServer starts a portal on a local httptest server, with Domain set to
// the server's address (cfg.Domain is ignored); the caller closes it.
func NewServer(cfg Config) (*Portal, *httptest.Server) {
	srv := httptest.NewUnstartedServer(nil)
	cfg.Domain = srv.Listener.Addr().String()
	if cfg.Scheme == "https" {
		cfg.Scheme = "http" // httptest serves plain HTTP here
	}
	p := New(cfg)
	srv.Config.Handler = p.Handler()
	srv.Start()
	return p, srv
}

// loseAnswer reports whether the answer to a call of method is to be lost
// (Faults.LoseAnswers).
func (p *Portal) loseAnswer(method string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Contains(p.faults.LoseAnswers, method)
}
