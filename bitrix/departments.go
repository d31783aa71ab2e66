package bitrix

import "context"

// Department is a company department as department.get returns it.
type Department struct {
	ID     FlexInt `json:"ID"`
	Name   string  `json:"NAME"`
	Sort   FlexInt `json:"SORT"`
	Parent FlexInt `json:"PARENT"`  // 0 for the top
	Head   FlexInt `json:"UF_HEAD"` // the head's user id, 0 when there is none
}

// Departments lists the departments matching filter (department.get; filter keys ID, NAME,
// SORT, PARENT, UF_HEAD; nil lists all). Needs the department scope.
func (p *PortalClient) Departments(ctx context.Context, filter Params) ([]Department, error) {
	params := Params{"sort": "ID", "order": "ASC"}
	for k, v := range filter {
		params[k] = v
	}
	return All[Department](ctx, p, "department.get", params)
}
