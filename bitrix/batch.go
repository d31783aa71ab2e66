package bitrix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxBatch is the most commands one batch request may carry.
const MaxBatch = 50

// ErrNotExecuted marks a batch command that did not run because an earlier one failed with halt.
var ErrNotExecuted = errors.New("bitrix: batch command not executed")

// BatchCommand is one command of a batch. Params may reference earlier results of the same
// request of up to MaxBatch commands as "$result[key][FIELD]".
type BatchCommand struct {
	Key    string // name of the command in cmd[...] and in the results; default "c<index>"
	Method string
	Params any // JSON-object-shaped, like Call's params
}

// BatchResult is the outcome of one command.
type BatchResult struct {
	Key    string
	Method string
	Result json.RawMessage // `result[key]`
	Err    error           // *Error from result_error, ErrNotExecuted, or nil
	Total  int             // result_total[key]
	Next   int             // result_next[key]; 0 when there is none
	Time   *Time           // result_time[key]
}

// Decode decodes the command's result into out (returning its error, if it failed).
func (r BatchResult) Decode(out any) error {
	if r.Err != nil {
		return r.Err
	}
	if err := decodeResult(r.Result, out); err != nil {
		return fmt.Errorf("bitrix: batch %s (%s): %w", r.Key, r.Method, err)
	}
	return nil
}

// BatchResults are a batch's outcomes in command order.
type BatchResults []BatchResult

// Get returns the outcome of the command named key.
func (rs BatchResults) Get(key string) (BatchResult, bool) {
	for _, r := range rs {
		if r.Key == key {
			return r, true
		}
	}
	return BatchResult{}, false
}

// Err joins the errors of all failed commands (nil if every command succeeded).
func (rs BatchResults) Err() error {
	var errs []error
	for _, r := range rs {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return errors.Join(errs...)
}

// Batch runs cmds through `batch`, MaxBatch per request, and maps every command's result or
// error back. With halt, the portal stops at the first failing command and no further
// request is sent; the rest are marked ErrNotExecuted. The returned error is about the
// requests themselves (auth, limits, transport); command failures are in the results. When a
// request fails after earlier ones succeeded, the results come back too: the earlier
// commands ran, the failed request's commands carry its error (they may or may not have
// run), and later ones are ErrNotExecuted.
func (p *PortalClient) Batch(ctx context.Context, halt bool, cmds ...BatchCommand) (BatchResults, error) {
	// Validate and encode everything before the first request runs anything.
	results := make(BatchResults, len(cmds))
	lines := make([]string, len(cmds))
	seen := make(map[string]bool, len(cmds))
	for i, c := range cmds {
		if c.Key == "" {
			c.Key = "c" + strconv.Itoa(i)
		}
		if seen[c.Key] {
			return nil, fmt.Errorf("bitrix: batch: duplicate command key %q", c.Key)
		}
		if c.Method == "" {
			return nil, fmt.Errorf("bitrix: batch: command %q has no method", c.Key)
		}
		seen[c.Key] = true
		q, err := BuildQuery(c.Params)
		if err != nil {
			return nil, fmt.Errorf("bitrix: batch %s (%s): %w", c.Key, c.Method, err)
		}
		lines[i] = c.Method
		if q != "" {
			lines[i] += "?" + q
		}
		results[i] = BatchResult{Key: c.Key, Method: c.Method, Err: ErrNotExecuted}
	}
	for start := 0; start < len(cmds); start += MaxBatch {
		end := min(start+MaxBatch, len(cmds))
		if err := p.batchOnce(ctx, halt, lines[start:end], results[start:end]); err != nil {
			for i := start; i < end; i++ {
				results[i].Err = err
			}
			return results, err
		}
		if halt && results[start:end].Err() != nil {
			break
		}
	}
	return results, nil
}

// batchAnswer is the `result` of a batch call; each section may be {}, [] or a list.
type batchAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"result_error"`
	Total  json.RawMessage `json:"result_total"`
	Next   json.RawMessage `json:"result_next"`
	Time   json.RawMessage `json:"result_time"`
}

// batchOnce sends up to MaxBatch commands and fills their results.
func (p *PortalClient) batchOnce(ctx context.Context, halt bool, lines []string, out []BatchResult) error {
	cmd := encodeCommands(lines, out)
	h := 0
	if halt {
		h = 1
	}
	resp, err := p.Do(ctx, "batch", struct {
		Halt int             `json:"halt"`
		Cmd  json.RawMessage `json:"cmd"`
	}{h, cmd})
	if err != nil {
		return err
	}
	var ans batchAnswer
	if !isEmptyArray(resp.Result) {
		if err := json.Unmarshal(resp.Result, &ans); err != nil {
			return fmt.Errorf("bitrix: batch: decode answer: %w", err)
		}
	}
	sections := make([]map[string]json.RawMessage, 5)
	for i, raw := range []json.RawMessage{ans.Result, ans.Error, ans.Total, ans.Next, ans.Time} {
		if sections[i], err = section(raw); err != nil {
			return fmt.Errorf("bitrix: batch: decode answer: %w", err)
		}
	}
	results, errs, totals, nexts, times := sections[0], sections[1], sections[2], sections[3], sections[4]
	for i := range out {
		r := &out[i]
		if raw, ok := errs[r.Key]; ok {
			r.Err = commandError(raw, r.Method)
		} else if raw, ok := results[r.Key]; ok {
			r.Err, r.Result = nil, raw
		}
		var n FlexInt
		if raw, ok := totals[r.Key]; ok && json.Unmarshal(raw, &n) == nil {
			r.Total = int(n)
		}
		n = 0
		if raw, ok := nexts[r.Key]; ok && json.Unmarshal(raw, &n) == nil {
			r.Next = int(n)
		}
		if raw, ok := times[r.Key]; ok && !isEmptyArray(raw) {
			var t Time
			if json.Unmarshal(raw, &t) == nil {
				r.Time = &t
			}
		}
	}
	return nil
}

// commandError decodes one result_error entry.
func commandError(raw json.RawMessage, method string) error {
	var e struct {
		Error            FlexString `json:"error"`
		ErrorDescription FlexString `json:"error_description"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return &Error{Description: snippet(raw), Method: method}
	}
	return &Error{Code: string(e.Error), Description: string(e.ErrorDescription), Method: method}
}

// encodeCommands builds the `cmd` object in command order: key → "method?query".
func encodeCommands(lines []string, out []BatchResult) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, line := range lines {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(out[i].Key)
		v, _ := marshalJSON(line)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// BuildQuery encodes params (a JSON-object-shaped value) the way PHP's http_build_query does,
// for parse_str on the portal: nested keys in brackets (fields[PHONE][0][VALUE]=…), keys in
// their original order, booleans as 1/0, nulls and empty containers left out. Every value is
// percent-encoded (&, +, #, %, =, spaces, unicode); "$result[…]" references stay readable.
func BuildQuery(params any) (string, error) {
	if params == nil {
		return "", nil
	}
	raw, err := objectBody(params)
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(bytes.NewReader(append(append([]byte{'{'}, raw...), '}')))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	var parts []string
	if err := flatten(dec, tok, "", &parts); err != nil {
		return "", err
	}
	return strings.Join(parts, "&"), nil
}

// flatten walks one JSON value whose first token is tok, appending key=value pairs.
func flatten(dec *json.Decoder, tok json.Token, prefix string, parts *[]string) error {
	switch t := tok.(type) {
	case json.Delim:
		for i := 0; dec.More(); i++ {
			key := strconv.Itoa(i)
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ = k.(string)
			}
			next, err := dec.Token()
			if err != nil {
				return err
			}
			name := escapeQuery(key, false)
			if prefix != "" {
				name = prefix + "[" + name + "]"
			}
			if err := flatten(dec, next, name, parts); err != nil {
				return err
			}
		}
		_, err := dec.Token() // closing delimiter
		return err
	case string:
		*parts = append(*parts, prefix+"="+escapeQuery(t, true))
	case json.Number:
		*parts = append(*parts, prefix+"="+t.String())
	case bool:
		v := "0"
		if t {
			v = "1"
		}
		*parts = append(*parts, prefix+"="+v)
	case nil:
		// http_build_query drops nulls
	}
	return nil
}

// escapeQuery percent-encodes s for a query string; in values, $ [ ] are kept so that
// "$result[cmd][ID]" references read as written (parse_str decodes them the same either way).
func escapeQuery(s string, value bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case value && (c == '$' || c == '[' || c == ']'):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
