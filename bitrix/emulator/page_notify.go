package emulator

import (
	"net/http"
	"slices"
	"time"
)

// notificationView is one notification on the bell page.
type notificationView struct {
	ID      int
	Kind    string
	From    string // the author of a personal notification
	Message string
	Created time.Time
	Links   []formField // LINK blocks of its ATTACH: name, URL
}

// serveNotifications is the bell: the signed-in user's notifications,
// newest first, BB-code links and ATTACH links clickable.
func (p *Portal) serveNotifications(w http.ResponseWriter, r *http.Request) {
	u := p.requireUser(w, r)
	if u == nil {
		return
	}
	d := pageData{User: u, Section: "notifications"}
	p.mu.Lock()
	for _, n := range slices.Backward(p.notifications) {
		if n.UserID != u.ID {
			continue
		}
		d.Notifications = append(d.Notifications, notificationView{ID: n.ID, Kind: n.Kind, From: p.userName(n.AuthorID),
			Message: n.Message, Created: n.Created, Links: attachLinks(n.Attach)})
	}
	p.mu.Unlock()
	p.render(w, r, "notifications", d)
}

// attachLinks collects the LINK blocks of an ATTACH ({BLOCKS:[…]} or a bare
// list of blocks), keeping only http(s) and portal-relative URLs.
func attachLinks(attach any) []formField {
	var blocks []any
	switch a := attach.(type) {
	case map[string]any:
		blocks, _ = a["BLOCKS"].([]any)
	case []any:
		blocks = a
	}
	var out []formField
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		link, _ := bm["LINK"].(map[string]any)
		href, _ := link["LINK"].(string)
		if href == "" || !(bbURL.MatchString("[url=" + href + "]x[/url]")) {
			continue
		}
		name, _ := link["NAME"].(string)
		out = append(out, formField{orText(name, href), href})
	}
	return out
}
