package emulator

import (
	"sort"
	"strings"
)

// placement is one placement.bind registration of the app.
type placement struct {
	Code        string
	Handler     string
	Title       string
	Description string
	GroupName   string
	LangAll     any
	Options     any
	UserID      int
}

// Placement is a bound placement, for inspection.
type Placement struct {
	Code, Handler, Title string
}

// placementScopes lists the placement codes the portal knows and the scope
// each needs besides "placement".
var placementScopes = map[string]string{
	"LEFT_MENU": "", "DEFAULT": "", "PAGE_BACKGROUND_WORKER": "", "USER_PROFILE_MENU": "", "USER_PROFILE_TOOLBAR": "",
	"CONTACT_CENTER": "", "REST_APP_URI": "",
	"SETTING_CONNECTOR": "imopenlines",
	"IM_NAVIGATION":     "im", "IM_CONTEXT_MENU": "im", "IM_TEXTAREA": "im", "IM_SIDEBAR": "im", "IM_SMILES_SELECTOR": "im",
}

func init() {
	for _, e := range []string{"LEAD", "DEAL", "CONTACT", "COMPANY", "QUOTE", "SMART_INVOICE"} {
		for _, where := range []string{"DETAIL_TAB", "DETAIL_TOOLBAR", "DETAIL_ACTIVITY", "LIST_MENU", "LIST_TOOLBAR", "ACTIVITY_TIMELINE_MENU", "DOCUMENTGENERATOR_BUTTON"} {
			placementScopes["CRM_"+e+"_"+where] = "crm"
		}
	}
}

var errPlacementNotFound = badRequest("ERROR_PLACEMENT_NOT_FOUND", "Placement not found")

// Bindings lists the app's bound placements.
func (p *Portal) Bindings() []Placement {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Placement, 0, len(p.placements))
	for _, pl := range p.placements {
		out = append(out, Placement{Code: pl.Code, Handler: pl.Handler, Title: pl.Title})
	}
	return out
}

// boundLocked returns the placements bound under code; p.mu held.
func (p *Portal) boundLocked(code string) []*placement {
	var out []*placement
	for _, pl := range p.placements {
		if pl.Code == code {
			out = append(out, pl)
		}
	}
	return out
}

func (p *Portal) placementBind(c *call) (any, error) {
	if !c.user.Admin {
		return nil, errNotAdmin
	}
	code := strings.ToUpper(strings.TrimSpace(c.params.str("PLACEMENT", "placement")))
	if code == "" {
		return nil, argErr("PLACEMENT")
	}
	scope, ok := placementScopes[code]
	if !ok || (scope != "" && !p.hasScope(c.tok, scope)) {
		return nil, errPlacementNotFound
	}
	handler := strings.TrimSpace(c.params.str("HANDLER", "handler"))
	if handler == "" {
		return nil, argErr("HANDLER")
	}
	if _, ok := c.params.first("USER_ID", "user_id"); ok && code != "PAGE_BACKGROUND_WORKER" {
		return nil, badRequest("ERROR_PLACEMENT_USER_MODE", "User mode is not available for this placement")
	}
	for _, pl := range p.placements {
		if pl.Code == code && pl.Handler == handler {
			return nil, badRequest("ERROR_CORE", "Unable to set placement handler: Handler already binded")
		}
	}
	pl := &placement{
		Code:        code,
		Handler:     handler,
		Title:       c.params.str("TITLE", "title"),
		Description: c.params.str("DESCRIPTION", "description"),
		GroupName:   c.params.str("GROUP_NAME", "group_name"),
		LangAll:     plain(c.params.sub("LANG_ALL", "lang_all")),
	}
	if o := c.params.sub("OPTIONS", "options"); o != nil {
		pl.Options = plain(o)
	}
	p.placements = append(p.placements, pl)
	p.log.Info("placement bound", "placement", code, "handler", handler)
	return true, nil
}

func (p *Portal) placementUnbind(c *call) (any, error) {
	if !c.user.Admin {
		return nil, errNotAdmin
	}
	code := strings.ToUpper(strings.TrimSpace(c.params.str("PLACEMENT", "placement")))
	if code == "" {
		return nil, argErr("PLACEMENT")
	}
	handler := c.params.str("HANDLER", "handler")
	kept := p.placements[:0]
	n := 0
	for _, pl := range p.placements {
		if pl.Code == code && (handler == "" || pl.Handler == handler) {
			n++
			continue
		}
		kept = append(kept, pl)
	}
	p.placements = kept
	return newObj().set("count", n), nil
}

func (p *Portal) placementGet(c *call) (any, error) {
	out := []*obj{}
	for _, pl := range p.placements {
		var opts any = newObj()
		if pl.Options != nil {
			opts = pl.Options
		}
		langAll := pl.LangAll
		if langAll == nil {
			langAll = newObj()
		}
		out = append(out, newObj().
			set("placement", pl.Code).
			set("userId", pl.UserID).
			set("handler", pl.Handler).
			set("options", opts).
			set("title", pl.Title).
			set("description", pl.Description).
			set("langAll", langAll))
	}
	return out, nil
}

func (p *Portal) placementList(c *call) (any, error) {
	var out []string
	for code, scope := range placementScopes {
		if scope == "" || p.hasScope(c.tok, scope) {
			out = append(out, code)
		}
	}
	sort.Strings(out)
	return out, nil
}
