package emulator

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// maxBatch is the most commands one batch runs.
const maxBatch = 50

// notInBatch are methods a batch refuses to run.
var notInBatch = map[string]bool{"batch": true, "disk.folder.uploadfile": true, "disk.storage.uploadfile": true}

var batchRef = regexp.MustCompile(`\$(result|result_error|result_total|result_next|result_time)((?:\[[^\]\s]*\])+)`)

// batch runs up to 50 commands with the caller's auth (checked once for the
// whole request) and collects their answers per command key. The request is
// one for the leaky bucket and the injected faults (both ran before), but
// each command counts against its own method's operating time, and one
// whose method is over the limit fails with OPERATION_TIME_LIMIT ([D]
// limits.md: the outer batch is not counted, nested calls are).
func (p *Portal) batch(c *call) (any, error) {
	cmds := c.params.sub("cmd", "CMD")
	share := time.Duration(0)
	if n := min(cmds.len(), maxBatch); n > 0 {
		share = c.latency / time.Duration(n)
	}
	halt := truthy(c.params.str("halt", "HALT"))
	sections := map[string]*obj{}
	for _, s := range []string{"result", "result_error", "result_total", "result_next", "result_time"} {
		sections[s] = newObj()
	}
	for i, key := range cmds.keysOrNil() {
		if i >= maxBatch {
			sections["result_error"].set(key, newErr(400, "ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded").body())
			continue
		}
		name, query, _ := strings.Cut(str(cmds.vals[key]), "?")
		name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), ".json"))
		params := substituteRefs(parseQuery(query), sections).(*obj)
		started := p.now()
		var res any
		var err error
		if notInBatch[name] {
			err = badRequest("ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage")
		} else if oe := p.checkOperating(name, started); oe != nil {
			p.stats.reject(oe.code)
			err = oe
		} else {
			sub := &call{ctx: c.ctx, name: name, params: params, tok: c.tok, user: c.user, now: started, batch: true}
			res, err = p.invoke(sub)
			c.queued = append(c.queued, sub.queued...)
			p.stats.s.BatchCalls++
			p.recordOperating(name, started, share)
		}
		if err != nil {
			sections["result_error"].set(key, asAPIError(err).body())
			if halt {
				break
			}
			continue
		}
		if lr, ok := res.(listResult); ok {
			res = lr.items
			if !lr.noCount {
				sections["result_total"].set(key, lr.total)
				if lr.next > 0 {
					sections["result_next"].set(key, lr.next)
				}
			}
		}
		sections["result"].set(key, res)
		tb := p.timeBlock(started, 0, 0)
		tb.del("operating")
		tb.del("operating_reset_at")
		sections["result_time"].set(key, tb)
	}
	out := newObj()
	for _, s := range []string{"result", "result_error", "result_total", "result_next", "result_time"} {
		out.set(s, sections[s])
	}
	return out, nil
}

// substituteRefs replaces $result[cmd][field]… references in every string
// value: a value that is only a reference takes the referenced value as is
// (an array stays an array), otherwise the text is replaced.
func substituteRefs(v any, sections map[string]*obj) any {
	switch t := v.(type) {
	case *obj:
		for _, k := range t.keys {
			t.vals[k] = substituteRefs(t.vals[k], sections)
		}
		return t
	case string:
		if m := batchRef.FindStringSubmatchIndex(t); m != nil && m[0] == 0 && m[1] == len(t) {
			if o, ok := resolveRef(t, sections).(*obj); ok {
				return o.clone()
			}
			return resolveRef(t, sections)
		}
		return batchRef.ReplaceAllStringFunc(t, func(ref string) string {
			return str(resolveRef(ref, sections))
		})
	}
	return v
}

// resolveRef walks a reference path; a missing key stops at the last level
// that resolved.
func resolveRef(ref string, sections map[string]*obj) any {
	m := batchRef.FindStringSubmatch(ref)
	var cur any = sections[m[1]]
	path := strings.Split(strings.Trim(m[2], "[]"), "][")
	for _, key := range path {
		next, ok := dig(cur, key)
		if !ok {
			break
		}
		cur = next
	}
	return cur
}

func dig(v any, key string) (any, bool) {
	switch t := v.(type) {
	case *obj:
		return t.get(key)
	case map[string]any:
		x, ok := t[key]
		return x, ok
	case []any:
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(t) {
			return nil, false
		}
		return t[i], true
	case []*obj:
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(t) {
			return nil, false
		}
		return t[i], true
	case []int:
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(t) {
			return nil, false
		}
		return t[i], true
	}
	return nil, false
}
