package bitrix

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// Directories are a portal's lists an admin chooses settings from: the deal
// pipelines with their stages, the CRM sources, and the active employees.
type Directories struct {
	Pipelines []Category
	Stages    map[int64][]Status // by pipeline id
	Sources   []Status
	Users     []User
}

// ReadDirectories reads them in one batch request (two with pipelines
// beyond the default one, more only for over 50 employees).
func (p *PortalClient) ReadDirectories(ctx context.Context) (Directories, error) {
	d := Directories{Stages: map[int64][]Status{}}
	res, err := p.Batch(ctx, false,
		BatchCommand{Key: "pipelines", Method: "crm.category.list", Params: Params{"entityTypeId": int(EntityDeal)}},
		BatchCommand{Key: "stages", Method: "crm.status.list", Params: Params{"filter": Params{"ENTITY_ID": DealStages(0)}, "order": Params{"SORT": "ASC"}}},
		BatchCommand{Key: "sources", Method: "crm.status.list", Params: Params{"filter": Params{"ENTITY_ID": DirectorySource}, "order": Params{"SORT": "ASC"}}},
		BatchCommand{Key: "users", Method: "user.get", Params: Params{"FILTER": Params{"ACTIVE": true, "USER_TYPE": "employee"}, "sort": "ID", "order": "ASC"}},
	)
	if err != nil {
		return d, err
	}
	var stages []Status
	for _, part := range []struct {
		key string
		out any
	}{{"pipelines", &d.Pipelines}, {"stages", &stages}, {"sources", &d.Sources}, {"users", &d.Users}} {
		r, _ := res.Get(part.key)
		if err := batchRows(r, part.out); err != nil {
			return d, err
		}
		if r.Next > 0 { // more than a page: list it whole
			return p.readDirectoriesSlowly(ctx)
		}
	}
	d.Stages[0] = stages
	var more []BatchCommand
	for _, c := range d.Pipelines {
		if c.ID != 0 {
			more = append(more, BatchCommand{Key: c.ID.String(), Method: "crm.status.list",
				Params: Params{"filter": Params{"ENTITY_ID": DealStages(int(c.ID))}, "order": Params{"SORT": "ASC"}}})
		}
	}
	if len(more) == 0 {
		return d, nil
	}
	res, err = p.Batch(ctx, false, more...)
	if err != nil {
		return d, err
	}
	for _, r := range res {
		var s []Status
		if err := batchRows(r, &s); err != nil {
			return d, err
		}
		id, _ := strconv.ParseInt(r.Key, 10, 64)
		d.Stages[id] = s
	}
	return d, nil
}

// readDirectoriesSlowly lists each directory page by page.
func (p *PortalClient) readDirectoriesSlowly(ctx context.Context) (Directories, error) {
	d := Directories{Stages: map[int64][]Status{}}
	var err error
	if d.Pipelines, err = p.Categories(ctx, EntityDeal); err != nil {
		return d, err
	}
	for _, c := range d.Pipelines {
		if d.Stages[int64(c.ID)], err = p.Statuses(ctx, DealStages(int(c.ID))); err != nil {
			return d, err
		}
	}
	if d.Sources, err = p.Statuses(ctx, DirectorySource); err != nil {
		return d, err
	}
	d.Users, err = p.Users(ctx, map[string]any{"ACTIVE": true, "USER_TYPE": "employee"})
	return d, err
}

// batchRows decodes a batch command's list answer into out (a pointer to a slice).
func batchRows(r BatchResult, out any) error {
	if r.Err != nil {
		return r.Err
	}
	rows, err := pageRows(r.Result)
	if err != nil {
		return fmt.Errorf("bitrix: batch %s (%s): %w", r.Key, r.Method, err)
	}
	raw, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	return decodeResult(raw, out)
}
