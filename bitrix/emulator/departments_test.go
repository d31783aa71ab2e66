package emulator

import (
	"fmt"
	"testing"
)

// TestDepartmentsAsBitrix24ListsThem: department.get filters by UF_HEAD
// and PARENT, gives ids as strings and no PARENT for the top department;
// user.get filters by UF_DEPARTMENT, and users carry theirs.
func TestDepartmentsAsBitrix24ListsThem(t *testing.T) {
	tp := newTestPortal(t)
	tp.FinishInstall()
	tp.SetDepartments([]Department{{ID: 1, Name: "Company", Head: 1}, {ID: 2, Name: "Sales", Parent: 1, Head: 2},
		{ID: 3, Name: "Sales North", Parent: 2}})
	tp.AddUser(User{ID: 3, Name: "Nina", LastName: "North", Departments: []int{3}})

	all := tp.json("department.get", `{}`)
	if all.body["total"] != float64(3) || fmt.Sprint(all.resultList()[0]) != "map[ID:1 NAME:Company SORT:500 UF_HEAD:1]" {
		t.Fatalf("department.get: %s", all.raw)
	}
	if top, _ := all.resultList()[1].(map[string]any); top["PARENT"] != "1" || top["ID"] != "2" || top["UF_HEAD"] != "2" {
		t.Fatalf("a sub-department: %v", top)
	}
	if headed := tp.json("department.get", `{"UF_HEAD": 2}`).resultList(); len(headed) != 1 || headed[0].(map[string]any)["NAME"] != "Sales" {
		t.Fatalf("headed by user 2: %v", headed)
	}
	if below := tp.json("department.get", `{"PARENT": "2"}`).resultList(); len(below) != 1 || below[0].(map[string]any)["ID"] != "3" {
		t.Fatalf("below Sales: %v", below)
	}
	if none := tp.json("department.get", `{"UF_HEAD": 3}`); len(none.resultList()) != 0 || none.body["total"] != float64(0) {
		t.Fatalf("headed by user 3: %s", none.raw)
	}
	users := tp.json("user.get", `{"FILTER": {"UF_DEPARTMENT": [2, 3]}}`).resultList()
	if len(users) != 1 || users[0].(map[string]any)["ID"] != "3" || fmt.Sprint(users[0].(map[string]any)["UF_DEPARTMENT"]) != "[3]" {
		t.Fatalf("users of Sales and Sales North: %v", users)
	}
	if users := tp.json("user.get", `{"FILTER": {"UF_DEPARTMENT": 1}}`).resultList(); len(users) != 2 {
		t.Fatalf("users of the top department (1 by default): %v", users)
	}
}
