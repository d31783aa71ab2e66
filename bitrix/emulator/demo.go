package emulator

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
)

// SeedDemo fills the portal for the demo: an admin and three managers
// (with avatar URLs served by the portal), contacts with phones, leads and
// deals in both pipelines. It returns the admin's user id.
func (p *Portal) SeedDemo() int {
	base := p.BaseURL()
	people := []User{
		{ID: 1, Name: "Anna", LastName: "Petrova", Email: "anna@example.com", Position: "Head of sales", Gender: "F", Admin: true,
			TimeZone: "Europe/Moscow"},
		{ID: 2, Name: "Boris", LastName: "Ivanov", Email: "boris@example.com", Position: "Sales manager", Gender: "M"},
		{ID: 3, Name: "Clara", LastName: "Smith", Email: "clara@example.com", Position: "Sales manager", Gender: "F"},
		{ID: 4, Name: "Dmitri", LastName: "Orlov", Email: "dmitri@example.com", Position: "Support", Gender: "M"},
	}
	departments := map[int][]int{1: {1}, 2: {2}, 3: {2}, 4: {3}}
	for _, u := range people {
		u.Photo = fmt.Sprintf("%s/emulator/avatar/%d.svg", base, u.ID)
		u.Departments = departments[u.ID]
		p.AddUser(u)
	}
	// Anna heads the company and its sales department; Dmitri heads support.
	p.SetDepartments([]Department{{ID: 1, Name: "Company", Head: 1}, {ID: 2, Name: "Sales", Parent: 1, Head: 1},
		{ID: 3, Name: "Support", Parent: 1, Head: 4}})
	ivan := p.SeedContact(Contact{Name: "Ivan", LastName: "Kuznetsov", Phones: []string{"+7 999 123-45-67"}, AssignedByID: 2})
	maria := p.SeedContact(Contact{Name: "Maria", LastName: "Lopez", Phones: []string{"+34 612 345 678"}, Emails: []string{"maria@example.org"}, AssignedByID: 3})
	p.SeedContact(Contact{Name: "John", LastName: "Doe", Phones: []string{"+1 555 010 0199"}, AssignedByID: 2})
	p.SeedLead(Lead{Title: "WhatsApp: +49 151 2345 6789", Name: "Klaus", Phones: []string{"+49 151 2345 6789"}, AssignedByID: 3})
	p.SeedLead(Lead{Title: "Instagram: @sunny.shop", Name: "Sunny", AssignedByID: 2, StatusID: "IN_PROCESS"})
	p.SeedDeal(Deal{Title: "Order #1024", ContactIDs: []int{ivan}, Opportunity: "1500.00", AssignedByID: 2})
	p.SeedDeal(Deal{Title: "Wholesale request", ContactIDs: []int{maria, ivan}, StageID: "PREPARATION", Opportunity: "12000.00", AssignedByID: 3})
	// Every portal starts with the standard sources and stages and the
	// "Partners" pipeline (New); the demo has a deal there too.
	p.SeedDeal(Deal{Title: "Reseller agreement", ContactIDs: []int{maria}, Opportunity: "5000.00", AssignedByID: 3,
		Fields: map[string]string{"CATEGORY_ID": "1", "SOURCE_ID": "PARTNER", "SOURCE_DESCRIPTION": "Trade fair contact"}})
	return 1
}

var avatarColors = []string{"#2fc6f6", "#9dcf00", "#ffa900", "#ff5752", "#55d0e0", "#b57de0"}

// serveAvatar draws a user's initials, so demo users have PERSONAL_PHOTO.
func (p *Portal) serveAvatar(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(strings.TrimSuffix(chi.URLParam(r, "file"), ".svg"))
	p.mu.Lock()
	u := p.users[id]
	p.mu.Unlock()
	if u == nil {
		http.NotFound(w, r)
		return
	}
	initials := ""
	for _, s := range []string{u.Name, u.LastName} {
		if s != "" {
			initials += string([]rune(s)[:1])
		}
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100" rx="50" fill="%s"/>`+
		`<text x="50" y="62" font-family="Arial" font-size="36" fill="#fff" text-anchor="middle">%s</text></svg>`,
		avatarColors[id%len(avatarColors)], html.EscapeString(initials))
}
