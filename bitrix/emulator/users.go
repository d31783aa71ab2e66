package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// userObj is a user as user.current / user.get answer it: ids as strings,
// ACTIVE as a bool.
func (p *Portal) userObj(u *User) *obj {
	o := newObj().
		set("ID", strconv.Itoa(u.ID)).
		set("XML_ID", "").
		set("ACTIVE", !u.Inactive).
		set("NAME", u.Name).
		set("LAST_NAME", u.LastName).
		set("SECOND_NAME", "").
		set("TITLE", "").
		set("EMAIL", u.Email).
		set("LAST_LOGIN", p.now().UTC().Format("2006-01-02T15:04:05+00:00")).
		set("DATE_REGISTER", "2024-01-01T00:00:00+00:00").
		set("IS_ONLINE", "Y").
		set("TIME_ZONE", u.TimeZone).
		set("TIME_ZONE_OFFSET", strconv.Itoa(p.zoneOffset(u))).
		set("PERSONAL_GENDER", u.Gender).
		set("WORK_POSITION", u.Position).
		set("UF_DEPARTMENT", u.departments()).
		set("USER_TYPE", "employee")
	if u.Photo != "" {
		o.set("PERSONAL_PHOTO", u.Photo)
	}
	return o
}

func (p *Portal) userCurrent(c *call) (any, error) {
	return p.userObj(c.user), nil
}

// userGet answers user.get: employees only (no bots), FILTER by plain
// fields, 50 per page.
func (p *Portal) userGet(c *call) (any, error) {
	filter := c.params.sub("FILTER", "filter")
	if filter == nil {
		// Filter fields may also come at the top level.
		filter = newObj()
		for _, k := range []string{"ID", "ACTIVE", "NAME", "LAST_NAME", "EMAIL", "USER_TYPE", "NAME_SEARCH", "ADMIN_MODE", "UF_DEPARTMENT"} {
			if v, ok := c.params.get(k); ok {
				filter.set(k, v)
			}
		}
	}
	var rows []*obj
	for _, id := range p.userIDs {
		u := p.users[id]
		if u.bot || u.external || !userMatches(u, filter) {
			continue
		}
		rows = append(rows, p.userObj(u))
	}
	return paginate(c.params, rows), nil
}

func userMatches(u *User, filter *obj) bool {
	for _, k := range filter.keysOrNil() {
		want := filter.vals[k]
		switch strings.ToUpper(k) {
		case "ID":
			ids := list(want)
			if !slices.ContainsFunc(ids, func(v any) bool { return num(v) == u.ID }) {
				return false
			}
		case "ACTIVE":
			if truthy(want) == u.Inactive {
				return false
			}
		case "NAME":
			if !strings.EqualFold(str(want), u.Name) {
				return false
			}
		case "LAST_NAME":
			if !strings.EqualFold(str(want), u.LastName) {
				return false
			}
		case "EMAIL":
			if !strings.EqualFold(str(want), u.Email) {
				return false
			}
		case "USER_TYPE":
			if str(want) != "employee" {
				return false
			}
		case "UF_DEPARTMENT":
			ids := list(want)
			if !slices.ContainsFunc(ids, func(v any) bool { return slices.Contains(u.departments(), num(v)) }) {
				return false
			}
		case "NAME_SEARCH":
			q := strings.ToLower(str(want))
			if !strings.Contains(strings.ToLower(u.Name+" "+u.LastName), q) {
				return false
			}
		}
	}
	return true
}

// profile answers profile: the basic facts of the token's user.
func (p *Portal) profile(c *call) (any, error) {
	u := c.user
	o := newObj().
		set("ID", strconv.Itoa(u.ID)).
		set("ADMIN", u.Admin).
		set("NAME", u.Name).
		set("LAST_NAME", u.LastName).
		set("PERSONAL_GENDER", u.Gender)
	if u.Photo != "" {
		o.set("PERSONAL_PHOTO", u.Photo)
	}
	o.set("TIME_ZONE", u.TimeZone).set("TIME_ZONE_OFFSET", p.zoneOffset(u))
	return o, nil
}

// zoneOffset is TIME_ZONE_OFFSET: seconds between the user's own time zone
// and the portal server's (the emulator's server runs on UTC); 0 for a
// user who follows the portal's default.
func (p *Portal) zoneOffset(u *User) int {
	loc, err := time.LoadLocation(u.TimeZone)
	if u.TimeZone == "" || err != nil {
		return 0
	}
	_, offset := p.now().In(loc).Zone()
	return offset
}

func (p *Portal) userAdmin(c *call) (any, error) { return c.user.Admin, nil }

// appInfo answers app.info: the app card and INSTALLED; webhooks get their
// scope list, sessions are refused.
func (p *Portal) appInfo(c *call) (any, error) {
	switch c.tok.kind {
	case kindWebhook:
		return newObj().set("SCOPE", p.cfg.Scopes).set("LICENSE", "en_project"), nil
	case kindSession:
		return nil, newErr(http.StatusForbidden, "ACCESS_DENIED", "Access denied! Application context required")
	}
	return newObj().
		set("ID", 1).
		set("CODE", p.cfg.AppCode).
		set("VERSION", 1).
		set("STATUS", p.cfg.Status).
		set("INSTALLED", p.installed).
		set("PAYMENT_EXPIRED", "N").
		set("DAYS", nil).
		set("LANGUAGE_ID", p.cfg.Language).
		set("LICENSE", p.cfg.Language+"_project").
		set("LICENSE_TYPE", "project").
		set("LICENSE_FAMILY", "project"), nil
}
