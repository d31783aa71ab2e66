package bitrix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// PageSize is the fixed number of rows a Bitrix list method returns per page.
const PageSize = 50

// ErrStop, returned by a List/Each callback, ends the iteration without an error.
var ErrStop = errors.New("bitrix: stop listing")

// ListQuery is the usual filter/select/order triple of CRM list methods.
type ListQuery struct {
	Filter map[string]any    `json:"filter,omitempty"`
	Select []string          `json:"select,omitempty"`
	Order  map[string]string `json:"order,omitempty"`
}

// List calls a list method page by page, following `next` from start=0, and hands each
// page's answer to fn. params must not set `start`.
func (p *PortalClient) List(ctx context.Context, method string, params any, fn func(page *Response) error) error {
	start := 0
	for {
		resp, err := p.Do(ctx, method, withMembers(params, member{"start", start}))
		if err != nil {
			return err
		}
		if err := fn(resp); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
		if resp.Next <= start {
			return nil
		}
		start = resp.Next
	}
}

// Each lists every row of a list method, decoded into T, and calls fn for each.
func Each[T any](ctx context.Context, p *PortalClient, method string, params any, fn func(T) error) error {
	return p.List(ctx, method, params, func(page *Response) error {
		rows, err := pageRows(page.Result)
		if err != nil {
			return fmt.Errorf("bitrix: %s: %w", method, err)
		}
		for _, raw := range rows {
			var v T
			if err := decodeResult(raw, &v); err != nil {
				return fmt.Errorf("bitrix: %s: %w", method, err)
			}
			if err := fn(v); err != nil {
				return err
			}
		}
		return nil
	})
}

// All collects every row of a list method, decoded into T.
func All[T any](ctx context.Context, p *PortalClient, method string, params any) ([]T, error) {
	var out []T
	err := Each(ctx, p, method, params, func(v T) error {
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachBatched lists like Each, but once the first page tells the total it fetches the other
// pages up to MaxBatch at a time through `batch`: 1000 rows cost 2 requests instead of 20.
// Params travel inside batch commands, so they go through BuildQuery (booleans become 1/0,
// nulls and empty lists are dropped).
func EachBatched[T any](ctx context.Context, p *PortalClient, method string, params any, fn func(T) error) error {
	err := eachBatched(ctx, p, method, params, func(raw json.RawMessage) error {
		rows, err := pageRows(raw)
		if err != nil {
			return fmt.Errorf("bitrix: %s: %w", method, err)
		}
		for _, row := range rows {
			var v T
			if err := decodeResult(row, &v); err != nil {
				return fmt.Errorf("bitrix: %s: %w", method, err)
			}
			if err := fn(v); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

// eachBatched hands every page's raw result to page, in order.
func eachBatched(ctx context.Context, p *PortalClient, method string, params any, page func(json.RawMessage) error) error {
	first, err := p.Do(ctx, method, withMembers(params, member{"start", 0}))
	if err != nil {
		return err
	}
	if err := page(first.Result); err != nil {
		return err
	}
	if first.Next <= 0 {
		return nil
	}
	var starts []int
	for start := first.Next; start < first.Total; start += PageSize {
		starts = append(starts, start)
	}
	for len(starts) > 0 {
		n := min(len(starts), MaxBatch)
		cmds := make([]BatchCommand, n)
		for i, start := range starts[:n] {
			cmds[i] = BatchCommand{Key: "p" + strconv.Itoa(start), Method: method, Params: withMembers(params, member{"start", start})}
		}
		starts = starts[n:]
		results, err := p.Batch(ctx, true, cmds...)
		if err != nil {
			return err
		}
		for _, r := range results {
			if r.Err != nil {
				return r.Err
			}
			if err := page(r.Result); err != nil {
				return err
			}
		}
	}
	return nil
}

// pageRows returns the rows of one page: the result list, or the one list inside an object
// such as {"items":[…]} (crm.item.list style), or nothing for [] and null.
func pageRows(raw json.RawMessage) ([]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var rows []json.RawMessage
	if raw[0] == '[' {
		if err := json.Unmarshal(raw, &rows); err != nil {
			return nil, fmt.Errorf("decode page: %w", err)
		}
		return rows, nil
	}
	members, err := orderedObject(raw)
	if err != nil {
		return nil, fmt.Errorf("decode page: %w", err)
	}
	for _, m := range members {
		v := bytes.TrimSpace(m.value)
		if len(members) == 1 && len(v) > 0 && v[0] == '[' {
			if err := json.Unmarshal(v, &rows); err != nil {
				return nil, fmt.Errorf("decode page: %w", err)
			}
			return rows, nil
		}
	}
	// An object keyed by id: each value is a row.
	for _, m := range members {
		rows = append(rows, m.value)
	}
	return rows, nil
}
