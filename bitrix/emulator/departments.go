package emulator

import (
	"slices"
	"strconv"
	"strings"
)

// Department is a company department: Parent 0 is the top one, Head the
// user who heads it (UF_HEAD; 0: nobody).
type Department struct {
	ID     int
	Name   string
	Parent int
	Head   int
}

// SetDepartments replaces the company structure. Users name theirs in
// User.Departments.
func (p *Portal) SetDepartments(ds []Department) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.departments = slices.Clone(ds)
}

// departments is the user's UF_DEPARTMENT.
func (u *User) departments() []int {
	if u.Departments == nil {
		return []int{1}
	}
	return u.Departments
}

// departmentsLocked is the company structure; p.mu held.
func (p *Portal) departmentsLocked() []Department {
	if p.departments != nil {
		return p.departments
	}
	head := 0
	if a := p.adminLocked(); a != nil {
		head = a.ID
	}
	return []Department{{ID: 1, Name: "Company", Head: head}}
}

// departmentGet answers department.get: filters ID, NAME, SORT, PARENT and
// UF_HEAD as top-level params, by ID; ids as strings, SORT a number, no
// PARENT on the top department, UF_HEAD "" when nobody heads it.
func (p *Portal) departmentGet(c *call) (any, error) {
	var rows []*obj
	for _, d := range p.departmentsLocked() {
		if !departmentMatches(d, c.params) {
			continue
		}
		o := newObj().set("ID", strconv.Itoa(d.ID)).set("NAME", d.Name).set("SORT", 500)
		if d.Parent != 0 {
			o.set("PARENT", strconv.Itoa(d.Parent))
		}
		head := ""
		if d.Head != 0 {
			head = strconv.Itoa(d.Head)
		}
		rows = append(rows, o.set("UF_HEAD", head))
	}
	return paginate(c.params, rows), nil
}

func departmentMatches(d Department, params *obj) bool {
	for key, field := range map[string]int{"ID": d.ID, "PARENT": d.Parent, "UF_HEAD": d.Head} {
		if v, ok := params.get(key); ok && !slices.ContainsFunc(list(v), func(x any) bool { return num(x) == field }) {
			return false
		}
	}
	if v, ok := params.get("NAME"); ok && !strings.EqualFold(str(v), d.Name) {
		return false
	}
	return true
}
