package bitrix

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestFlexInt(t *testing.T) {
	for in, want := range map[string]FlexInt{
		`42`: 42, `"42"`: 42, `" 7 "`: 7, `""`: 0, `null`: 0, `[]`: 0, `true`: 1, `false`: 0, `"12.0"`: 12, `-3`: -3,
	} {
		var n FlexInt
		if err := json.Unmarshal([]byte(in), &n); err != nil || n != want {
			t.Errorf("%s → %d, %v; want %d", in, n, err, want)
		}
	}
	var n FlexInt
	if err := json.Unmarshal([]byte(`"abc"`), &n); err == nil {
		t.Error(`"abc" accepted as an integer`)
	}
}

func TestFlexStringAndBool(t *testing.T) {
	for in, want := range map[string]FlexString{`"x"`: "x", `12`: "12", `null`: "", `false`: "", `[]`: "", `1.5`: "1.5"} {
		var s FlexString
		if err := json.Unmarshal([]byte(in), &s); err != nil || s != want {
			t.Errorf("%s → %q, %v", in, s, err)
		}
	}
	for in, want := range map[string]FlexBool{`true`: true, `"Y"`: true, `"1"`: true, `1`: true, `"N"`: false, `false`: false, `""`: false, `null`: false} {
		var b FlexBool
		if err := json.Unmarshal([]byte(in), &b); err != nil || b != want {
			t.Errorf("%s → %v, %v", in, b, err)
		}
	}
	if b, _ := json.Marshal(FlexBool(true)); string(b) != `"Y"` {
		t.Errorf("FlexBool marshals as %s", b)
	}
}

func TestFlexMapAndList(t *testing.T) {
	var m FlexMap[int]
	if err := json.Unmarshal([]byte(`[]`), &m); err != nil || len(m) != 0 {
		t.Fatalf("[] → %v, %v", m, err)
	}
	if err := json.Unmarshal([]byte(`{"a":1}`), &m); err != nil || m["a"] != 1 {
		t.Fatalf("object → %v, %v", m, err)
	}
	if err := json.Unmarshal([]byte(`[5,6]`), &m); err != nil || m["1"] != 6 {
		t.Fatalf("list → %v, %v", m, err)
	}
	var l FlexList[FlexInt]
	if err := json.Unmarshal([]byte(`{"3":"30","1":10}`), &l); err != nil || !reflect.DeepEqual(l, FlexList[FlexInt]{30, 10}) {
		t.Fatalf("object → %v, %v", l, err)
	}
	if err := json.Unmarshal([]byte(`[1,"2"]`), &l); err != nil || !reflect.DeepEqual(l, FlexList[FlexInt]{1, 2}) {
		t.Fatalf("list → %v, %v", l, err)
	}
	if err := json.Unmarshal([]byte(`false`), &l); err != nil || l != nil {
		t.Fatalf("false → %v, %v", l, err)
	}
}

func TestDecodeResultToleratesEmptyArray(t *testing.T) {
	var p Profile
	if err := decodeResult(json.RawMessage(`[]`), &p); err != nil || p.ID != 0 {
		t.Fatalf("[] into struct: %v", err)
	}
	var m map[string]any
	if err := decodeResult(json.RawMessage(`[]`), &m); err != nil || m != nil {
		t.Fatalf("[] into map: %v", err)
	}
	var s []int
	if err := decodeResult(json.RawMessage(`[]`), &s); err != nil || s == nil {
		t.Fatalf("[] into slice: %v %v", s, err)
	}
	var a any
	if err := decodeResult(json.RawMessage(`[]`), &a); err != nil || a == nil {
		t.Fatalf("[] into any: %v %v", a, err)
	}
}

func TestValuesAccessors(t *testing.T) {
	v := Values{"a": map[string]any{"b": []any{"x", json.Number("7")}}, "f": 2.5, "t": true}
	if v.String("a", "b", "0") != "x" || v.Int("a", "b", "1") != 7 || v.String("f") != "2.5" || !v.Bool("t") {
		t.Fatal("accessors")
	}
	if v.Get("a", "b", "9") != nil || v.Get("missing", "x") != nil || v.Map("a") == nil || v.Map("f") != nil {
		t.Fatal("missing paths")
	}
}
