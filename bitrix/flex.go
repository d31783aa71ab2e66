package bitrix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// FlexInt is an integer that Bitrix may send as a JSON number or a string ("" and null are 0).
type FlexInt int64

// UnmarshalJSON accepts 42, "42", "", null, true and false.
func (n *FlexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0, string(b) == "null", string(b) == "false", string(b) == `""`, string(b) == "[]":
		*n = 0
		return nil
	case string(b) == "true":
		*n = 1
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	s = strings.TrimSpace(s)
	if s == "" {
		*n = 0
		return nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = FlexInt(v)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("bitrix: %q is not an integer", s)
	}
	*n = FlexInt(f)
	return nil
}

// Int64 returns n as an int64.
func (n FlexInt) Int64() int64 { return int64(n) }

// String formats n in decimal.
func (n FlexInt) String() string { return strconv.FormatInt(int64(n), 10) }

// FlexString is a string that Bitrix may send as a number, a boolean or null.
type FlexString string

// UnmarshalJSON accepts strings, numbers (kept verbatim), booleans ("Y"/"" ) and null.
func (s *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0, string(b) == "null", string(b) == "false", string(b) == "[]", string(b) == "{}":
		*s = ""
		return nil
	case string(b) == "true":
		*s = "Y"
		return nil
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = FlexString(v)
		return nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*s = FlexString(b)
		return nil
	}
	return fmt.Errorf("bitrix: cannot read %.20s as a string", b)
}

// FlexBool is a boolean that Bitrix may send as true/false, "Y"/"N", 1/0 or "1"/"0".
type FlexBool bool

// UnmarshalJSON accepts true, "Y", "y", 1, "1", "true" as true and anything else as false.
func (v *FlexBool) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	switch strings.ToLower(s) {
	case "true", "y", "1", "yes":
		*v = true
	default:
		*v = false
	}
	return nil
}

// MarshalJSON writes "Y" or "N", the form Bitrix expects on input.
func (v FlexBool) MarshalJSON() ([]byte, error) {
	if v {
		return []byte(`"Y"`), nil
	}
	return []byte(`"N"`), nil
}

// FlexMap is a JSON object that PHP sends as [] when empty (and as a list when its keys are 0..n-1).
type FlexMap[V any] map[string]V

// UnmarshalJSON accepts an object, null, or an array (keyed by index).
func (m *FlexMap[V]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*m = nil
		return nil
	}
	if b[0] == '[' {
		var list []V
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		out := make(FlexMap[V], len(list))
		for i, v := range list {
			out[strconv.Itoa(i)] = v
		}
		*m = out
		return nil
	}
	var obj map[string]V
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	*m = obj
	return nil
}

// FlexList is a JSON array that PHP may send as an object keyed by index (or by id).
type FlexList[V any] []V

// UnmarshalJSON accepts an array, null, or an object whose values become the list in key order.
func (l *FlexList[V]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" || string(b) == "false" {
		*l = nil
		return nil
	}
	if b[0] == '[' {
		var list []V
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*l = list
		return nil
	}
	raws, err := orderedObject(b)
	if err != nil {
		return err
	}
	out := make(FlexList[V], 0, len(raws))
	for _, kv := range raws {
		var v V
		if err := json.Unmarshal(kv.value, &v); err != nil {
			return err
		}
		out = append(out, v)
	}
	*l = out
	return nil
}

// rawMember is one key of a JSON object, in document order.
type rawMember struct {
	key   string
	value json.RawMessage
}

// orderedObject splits a JSON object into its members, keeping their order.
func orderedObject(b []byte) ([]rawMember, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("bitrix: expected a JSON object, got %.20s", b)
	}
	var out []rawMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, rawMember{key: key, value: v})
	}
	return out, nil
}

// section decodes a PHP associative array that may arrive as an object, a list or [] into a map.
func section(b json.RawMessage) (map[string]json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return map[string]json.RawMessage{}, nil
	}
	if b[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, err
		}
		out := make(map[string]json.RawMessage, len(list))
		for i, v := range list {
			out[strconv.Itoa(i)] = v
		}
		return out, nil
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// isEmptyArray reports whether b is the JSON text [] (PHP's empty array).
func isEmptyArray(b []byte) bool {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' {
		return false
	}
	return len(bytes.TrimSpace(b[1:len(b)-1])) == 0
}
