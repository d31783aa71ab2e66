package bitrix

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Values is loosely typed nested data: an event's `data`, placement options. Lists arrive
// as []any, objects as map[string]any (or Values), scalars as strings (form data) or JSON scalars.
type Values map[string]any

// Get returns the value at path (object keys or list indexes), or nil.
func (v Values) Get(path ...string) any {
	var cur any = map[string]any(v)
	for _, key := range path {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[key]
		case Values:
			cur = c[key]
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// String returns the value at path as a string ("" if absent or not a scalar).
func (v Values) String(path ...string) string {
	switch s := v.Get(path...).(type) {
	case string:
		return s
	case json.Number:
		return s.String()
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64)
	case bool:
		if s {
			return "Y"
		}
		return "N"
	}
	return ""
}

// Int returns the value at path as an integer (0 if absent or not a number).
func (v Values) Int(path ...string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v.String(path...)), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// Bool reports whether the value at path is true, "Y", "1" or "true".
func (v Values) Bool(path ...string) bool {
	switch strings.ToLower(v.String(path...)) {
	case "y", "1", "true":
		return true
	}
	return false
}

// Map returns the object at path (nil if absent or not an object).
func (v Values) Map(path ...string) Values {
	switch m := v.Get(path...).(type) {
	case map[string]any:
		return Values(m)
	case Values:
		return m
	}
	return nil
}

// Decode converts v into out (a struct with json tags; use Flex types for numbers).
func (v Values) Decode(out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("bitrix: encode values: %w", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("bitrix: decode values: %w", err)
	}
	return nil
}

// ParseForm decodes PHP bracket notation (data[FIELDS][ID]=1, a[]=x) into nested Values,
// the way PHP's parse_str does. Objects whose keys are exactly 0..n-1 become lists.
func ParseForm(form url.Values) Values {
	root := map[string]any{}
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := splitBrackets(k)
		for _, val := range form[k] {
			setPath(root, path, val)
		}
	}
	for k, child := range root {
		root[k] = listify(child)
	}
	return Values(root)
}

// splitBrackets splits "a[b][c]" into a, b, c ("a[]" gives a, "").
func splitBrackets(key string) []string {
	i := strings.IndexByte(key, '[')
	if i <= 0 {
		return []string{key}
	}
	path := []string{key[:i]}
	rest := key[i:]
	for strings.HasPrefix(rest, "[") {
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			// PHP keeps an unclosed bracket as part of the last name.
			path[len(path)-1] += rest
			return path
		}
		path = append(path, rest[1:j])
		rest = rest[j+1:]
	}
	return path
}

// setPath stores val at path inside m; an empty segment appends.
func setPath(m map[string]any, path []string, val string) {
	for i, key := range path {
		if key == "" && i > 0 {
			key = strconv.Itoa(len(m))
		}
		if i == len(path)-1 {
			m[key] = val
			return
		}
		next, ok := m[key].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[key] = next
		}
		m = next
	}
}

// listify turns every nested object keyed 0..n-1 into a list.
func listify(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, child := range m {
		m[k] = listify(child)
	}
	if len(m) == 0 {
		return m
	}
	list := make([]any, len(m))
	for k, child := range m {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(m) || strconv.Itoa(i) != k {
			return m
		}
		list[i] = child
	}
	return list
}
