package bitrix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
)

// Params are a method's parameters; any JSON-object-shaped value (struct, map) works as well.
type Params map[string]any

// member is one extra top-level parameter added to a request body.
type member struct {
	key   string
	value any
}

// requestBody encodes params (a JSON object, or nil) and appends extra keys, which win over
// same-named params (PHP and Go JSON decoders keep the last duplicate).
func requestBody(params any, extra ...member) ([]byte, error) {
	inner, err := objectBody(params)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteByte('{')
	b.Write(inner)
	for i, m := range extra {
		if i > 0 || len(inner) > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		v, err := marshalJSON(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// objectBody returns the members of params' JSON object without the braces.
func objectBody(params any) ([]byte, error) {
	if params == nil {
		return nil, nil
	}
	if v, ok := params.(url.Values); ok {
		flat := make(map[string]string, len(v))
		for k := range v {
			flat[k] = v.Get(k)
		}
		params = flat
	}
	raw, err := marshalJSON(params)
	if err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	if len(raw) < 2 || raw[0] != '{' {
		return nil, fmt.Errorf("params must encode as a JSON object, got %.20s", raw)
	}
	return bytes.TrimSpace(raw[1 : len(raw)-1]), nil
}

// marshalJSON encodes v without HTML escaping.
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode params: %w", err)
	}
	return bytes.TrimSpace(b.Bytes()), nil
}

// withMembers returns params with extra top-level keys added (they win over same-named ones).
func withMembers(params any, extra ...member) json.Marshaler {
	return extended{params: params, extra: extra}
}

// extended marshals as params plus extra members.
type extended struct {
	params any
	extra  []member
}

// MarshalJSON encodes the merged object.
func (e extended) MarshalJSON() ([]byte, error) {
	return requestBody(e.params, e.extra...)
}
