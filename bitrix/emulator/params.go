package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// obj is an ordered key/value set: what PHP calls an array. Request
// parameters are parsed into it (form brackets and JSON alike), and it
// marshals like PHP's json_encode: a list when its keys are 0..n-1 (so an
// empty one is []), an object otherwise.
type obj struct {
	keys []string
	vals map[string]any
}

func newObj() *obj { return &obj{vals: map[string]any{}} }

// set stores v under k, keeping the key's first position.
func (o *obj) set(k string, v any) *obj {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
	return o
}

func (o *obj) get(k string) (any, bool) {
	if o == nil {
		return nil, false
	}
	v, ok := o.vals[k]
	return v, ok
}

func (o *obj) del(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, key := range o.keys {
		if key == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
}

func (o *obj) len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

// first returns the value of the first of names present, so a handler can
// accept both spellings Bitrix accepts (fields/FIELDS).
func (o *obj) first(names ...string) (any, bool) {
	for _, n := range names {
		if v, ok := o.get(n); ok {
			return v, true
		}
	}
	return nil, false
}

// str is the string value of the first of names present.
func (o *obj) str(names ...string) string {
	v, _ := o.first(names...)
	return str(v)
}

// sub is the nested set under the first of names present.
func (o *obj) sub(names ...string) *obj {
	v, _ := o.first(names...)
	return asObj(v)
}

// nextIndex is the index PHP gives to `a[]=`: one past the largest int key.
func (o *obj) nextIndex() string {
	n := 0
	for _, k := range o.keys {
		if i, err := strconv.Atoi(k); err == nil && i >= n {
			n = i + 1
		}
	}
	return strconv.Itoa(n)
}

func (o *obj) isList() bool {
	for i, k := range o.keys {
		if k != strconv.Itoa(i) {
			return false
		}
	}
	return true
}

// MarshalJSON encodes like PHP json_encode.
func (o *obj) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	if o.isList() {
		b.WriteByte('[')
		for i, k := range o.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(&b, o.vals[k]); err != nil {
				return nil, err
			}
		}
		b.WriteByte(']')
		return b.Bytes(), nil
	}
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		if err := writeJSON(&b, o.vals[k]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, v any) error {
	enc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Write(enc)
	return nil
}

// clone copies o deeply.
func (o *obj) clone() *obj {
	if o == nil {
		return nil
	}
	c := newObj()
	for _, k := range o.keys {
		v := o.vals[k]
		if so, ok := v.(*obj); ok {
			v = so.clone()
		}
		c.set(k, v)
	}
	return c
}

// str converts a parameter value the way PHP would cast it to string.
func str(v any) string {
	if isNil(v) {
		return ""
	}
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		if t {
			return "1"
		}
		return ""
	case int:
		return strconv.Itoa(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case *obj, []any:
		return "Array"
	}
	return fmt.Sprint(v)
}

// isNil is true for nil and for a nil *obj inside an interface.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	o, ok := v.(*obj)
	return ok && o == nil
}

// num is the integer value of a parameter, 0 when it is not a number.
func num(v any) int {
	s := strings.TrimSpace(str(v))
	if i, err := strconv.Atoi(s); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int(f)
	}
	return 0
}

// truthy reads Y/N, 1/0, true/false flags.
func truthy(v any) bool {
	switch strings.ToUpper(strings.TrimSpace(str(v))) {
	case "", "0", "N", "FALSE", "NO":
		return false
	}
	return true
}

// asObj views a parameter as a set: JSON arrays and JSON-encoded strings
// (KEYBOARD, OPTIONS) included. Anything else is nil.
func asObj(v any) *obj {
	switch t := v.(type) {
	case *obj:
		return t
	case []any:
		o := newObj()
		for i, e := range t {
			o.set(strconv.Itoa(i), e)
		}
		return o
	case string:
		s := strings.TrimSpace(t)
		if strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
			if parsed, err := parseJSON([]byte(s)); err == nil {
				return asObj(parsed)
			}
		}
	}
	return nil
}

// list views a parameter as a list of values in key order; a scalar is a
// one-element list.
func list(v any) []any {
	if isNil(v) {
		return nil
	}
	if o := asObj(v); o != nil {
		out := make([]any, 0, o.len())
		for _, k := range o.keys {
			out = append(out, o.vals[k])
		}
		return out
	}
	if s := str(v); s != "" {
		return []any{s}
	}
	return nil
}

// plain converts parsed parameters into ordinary Go values for storage.
func plain(v any) any {
	switch t := v.(type) {
	case *obj:
		if t == nil {
			return nil
		}
		if t.len() > 0 && t.isList() {
			out := make([]any, 0, t.len())
			for _, k := range t.keys {
				out = append(out, plain(t.vals[k]))
			}
			return out
		}
		m := make(map[string]any, t.len())
		for _, k := range t.keys {
			m[k] = plain(t.vals[k])
		}
		return m
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plain(e)
		}
		return out
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return int(i)
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

// parseJSON decodes JSON keeping object key order.
func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("emulator: trailing data after JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := newObj()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(kt.(string), v)
			}
			_, err := dec.Token()
			return o, err
		case '[':
			o := newObj()
			for i := 0; dec.More(); i++ {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(strconv.Itoa(i), v)
			}
			_, err := dec.Token()
			return o, err
		}
		return nil, fmt.Errorf("emulator: unexpected %v", t)
	}
	return tok, nil
}

// parseQuery parses a query string with PHP parse_str semantics: `+` is a
// space, `%XX` is decoded, and `a[b][]=v` builds nested arrays.
func parseQuery(q string) *obj {
	out := newObj()
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			val = v
		}
		setBracketed(out, key, val)
	}
	return out
}

// setBracketed stores val under a PHP bracketed key like fields[PHONE][0][VALUE].
func setBracketed(o *obj, key string, val any) {
	base, rest, hasBracket := strings.Cut(key, "[")
	var path []string
	if hasBracket {
		rest = "[" + rest
		for strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				break
			}
			path = append(path, rest[1:end])
			rest = rest[end+1:]
		}
		if len(path) == 0 {
			// An unclosed bracket is kept as an underscore, as PHP does.
			base = base + "_" + rest[1:]
		}
	}
	base = strings.NewReplacer(".", "_", " ", "_").Replace(base)
	if base == "" {
		return
	}
	keys := append([]string{base}, path...)
	cur := o
	for i, k := range keys {
		if k == "" {
			k = cur.nextIndex()
		}
		if i == len(keys)-1 {
			cur.set(k, val)
			return
		}
		next, ok := cur.vals[k].(*obj)
		if !ok {
			next = newObj()
			cur.set(k, next)
		}
		cur = next
	}
}

// fromValues builds parameters from already-decoded form values (multipart),
// in a stable key order.
func fromValues(vals map[string][]string) *obj {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := newObj()
	for _, k := range keys {
		for _, v := range vals[k] {
			setBracketed(out, k, v)
		}
	}
	return out
}

// encodeForm flattens nested values into PHP bracket form encoding, in key
// order, the way Bitrix24 posts events.
func encodeForm(v *obj) string {
	var b strings.Builder
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if o := asObjStrict(v); o != nil {
			for _, k := range o.keys {
				name := k
				if prefix != "" {
					name = prefix + "[" + k + "]"
				}
				walk(name, o.vals[k])
			}
			return
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(prefix))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(str(v)))
	}
	walk("", v)
	return b.String()
}

// asObjStrict is asObj without the JSON-string decoding, for output.
func asObjStrict(v any) *obj {
	switch t := v.(type) {
	case *obj:
		return t
	case []any:
		return asObj(t)
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		o := newObj()
		for _, k := range keys {
			o.set(k, t[k])
		}
		return o
	}
	return nil
}
