package graphemu

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Template listing defaults, as the Graph API's.
const (
	templatePageDefault = 25
	templatePageMax     = 1000
)

// numberByWABA returns a copy of the number whose Business Account is id.
func (e *Emulator) numberByWABA(id string) (Number, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, n := range e.numbers {
		if n.WABAID == id {
			return *n, true
		}
	}
	return Number{}, false
}

// handleTemplateList serves GET /{ver}/{waba-id}/message_templates: the
// Business Account's templates, with the status, name and language filters
// and the limit/after cursor paging of the Graph API, each as
// {name, language, status, category, components, id}. Only the account's
// own token may read them.
func (e *Emulator) handleTemplateList(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "objectID")
	tok := bearer(r)
	if tok == "" {
		writeGraphError(w, http.StatusUnauthorized, errNoToken())
		return
	}
	n, ok := e.numberByWABA(id)
	if !ok {
		if !e.knownToken(tok) {
			writeGraphError(w, http.StatusUnauthorized, errBadToken())
			return
		}
		writeGraphError(w, http.StatusBadRequest, errUnsupported("get", id))
		return
	}
	if n.AccessToken != tok {
		writeGraphError(w, http.StatusUnauthorized, errBadToken())
		return
	}
	q := r.URL.Query()
	limit := templatePageDefault
	if s := q.Get("limit"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			writeGraphError(w, http.StatusBadRequest, invalidParam("Param limit must be a positive integer."))
			return
		}
		limit = min(v, templatePageMax)
	}
	start := 0
	if s := q.Get("after"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			writeGraphError(w, http.StatusBadRequest, invalidParam("Param after is not a valid cursor."))
			return
		}
		start = v
	}
	var matched []map[string]any
	for i, t := range n.Templates {
		status := t.status()
		if s := q.Get("status"); s != "" && !strings.EqualFold(s, status) {
			continue
		}
		if s := q.Get("name"); s != "" && !strings.Contains(t.Name, s) {
			continue
		}
		if s := q.Get("language"); s != "" && s != t.Language {
			continue
		}
		matched = append(matched, map[string]any{
			"name": t.Name, "language": t.Language, "status": status, "category": t.category(),
			"components": []map[string]string{{"type": "BODY", "text": t.Body}},
			"id":         n.WABAID + strconv.Itoa(1000+i),
		})
	}
	page := []map[string]any{}
	if start < len(matched) {
		page = matched[start:min(start+limit, len(matched))]
	}
	paging := map[string]any{"cursors": map[string]string{"before": strconv.Itoa(start), "after": strconv.Itoa(start + len(page))}}
	if start+len(page) < len(matched) {
		next := *r.URL
		next.Scheme, next.Host = "http", r.Host
		if strings.HasPrefix(e.cfg.PublicURL, "https://") {
			next.Scheme = "https"
		}
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("after", strconv.Itoa(start+len(page)))
		nq.Set("limit", strconv.Itoa(limit))
		next.RawQuery = nq.Encode()
		paging["next"] = next.String()
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": page, "paging": paging})
}
