package graphemu

import (
	"net/http"
	"strings"
)

// igProfileFields are the fields the Instagram user profile API serves.
var igProfileFields = map[string]bool{
	"name": true, "username": true, "profile_pic": true, "follower_count": true,
	"is_user_follow_business": true, "is_business_follow_user": true, "is_verified_user": true,
}

// igUsername is the username of an emulated client: their profile name,
// lower-cased, words joined by dots ("Sunny Shop" is sunny.shop), or their
// IGSID without a name.
func igUsername(c Client) string {
	if c.Name == "" {
		return c.ID
	}
	return strings.ToLower(strings.Join(strings.Fields(c.Name), "."))
}

// igClientProfile answers GET /{igsid}?fields=... for the account whose
// token is given, when igsid has written to it (the API serves only users
// who messaged the account), and reports whether id was such a client.
// fields is required and only the profile API's are known, as on the real
// API; profile_pic is a CDN link of the emulator.
func (e *Emulator) igClientProfile(w http.ResponseWriter, r *http.Request, id string) bool {
	a, ok := e.igAccountByToken(bearer(r))
	if !ok {
		return false
	}
	e.mu.Lock()
	c, ok := e.convs[convKey{a.ID, id}]
	name := ""
	if ok {
		name = c.name
	}
	e.mu.Unlock()
	if !ok {
		return false
	}
	fields := r.URL.Query().Get("fields")
	if fields == "" {
		writeGraphError(w, http.StatusBadRequest, igError(100, 0, "The parameter fields is required"))
		return true
	}
	client := Client{ID: id, Name: name}
	out := map[string]any{"id": id}
	for _, f := range strings.Split(fields, ",") {
		f = strings.TrimSpace(f)
		if !igProfileFields[f] {
			writeGraphError(w, http.StatusBadRequest, igError(100, 0, "Tried accessing nonexisting field ("+f+") on node type (User)"))
			return true
		}
		switch f {
		case "name":
			if name != "" {
				out["name"] = name
			}
		case "username":
			out["username"] = igUsername(client)
		case "profile_pic":
			out["profile_pic"] = e.cfg.PublicURL + "/ig-cdn/profile/" + id + ".jpg"
		case "follower_count":
			out["follower_count"] = 0
		default:
			out[f] = false
		}
	}
	writeJSON(w, http.StatusOK, out)
	return true
}
