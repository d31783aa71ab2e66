package bitrix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Placement is the POST a portal sends when it opens one of the app's pages in its iframe.
type Placement struct {
	Domain           string   // DOMAIN (query): portal host, no scheme; do not trust it for routing
	HTTPS            bool     // PROTOCOL (query): "1" (default) https, "0" http
	Lang             string   // LANG (query)
	AppSID           string   // APP_SID (query)
	AuthID           string   // AUTH_ID: the viewing user's access token
	AuthExpires      int      // AUTH_EXPIRES, seconds
	RefreshID        string   // REFRESH_ID: the viewing user's refresh token
	ServerEndpoint   string   // SERVER_ENDPOINT
	ApplicationToken string   // APPLICATION_TOKEN, same as events' auth[application_token]
	Scope            []string // APPLICATION_SCOPE, split on commas
	MemberID         string   // member_id
	Status           string   // status: L, F, D, T, P
	Placement        string   // PLACEMENT: "DEFAULT" or a placement code
	Options          Values   // PLACEMENT_OPTIONS, decoded; empty when absent or not an object
}

// ErrBadPlacement is returned for a request that is not a placement POST.
var ErrBadPlacement = errors.New("bitrix: not a Bitrix24 placement request")

// ParsePlacement reads a placement (or app page / installer) POST.
func ParsePlacement(r *http.Request) (*Placement, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadPlacement, err)
	}
	query, body := r.URL.Query(), r.PostForm
	first := func(primary, secondary url.Values, key string) string {
		if v := primary.Get(key); v != "" {
			return v
		}
		return secondary.Get(key)
	}
	p := &Placement{
		Domain:           first(query, body, "DOMAIN"),
		HTTPS:            first(query, body, "PROTOCOL") != "0",
		Lang:             first(query, body, "LANG"),
		AppSID:           first(query, body, "APP_SID"),
		AuthID:           first(body, query, "AUTH_ID"),
		RefreshID:        first(body, query, "REFRESH_ID"),
		ServerEndpoint:   first(body, query, "SERVER_ENDPOINT"),
		ApplicationToken: first(body, query, "APPLICATION_TOKEN"),
		MemberID:         first(body, query, "member_id"),
		Status:           first(body, query, "status"),
		Placement:        first(body, query, "PLACEMENT"),
	}
	p.AuthExpires, _ = strconv.Atoi(first(body, query, "AUTH_EXPIRES"))
	for s := range strings.SplitSeq(first(body, query, "APPLICATION_SCOPE"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			p.Scope = append(p.Scope, s)
		}
	}
	p.Options = placementOptions(body)
	switch {
	case p.Domain == "":
		return nil, fmt.Errorf("%w: no DOMAIN", ErrBadPlacement)
	case p.AuthID == "":
		return nil, fmt.Errorf("%w: no AUTH_ID", ErrBadPlacement)
	case p.MemberID == "":
		return nil, fmt.Errorf("%w: no member_id", ErrBadPlacement)
	}
	return p, nil
}

// placementOptions decodes PLACEMENT_OPTIONS: a JSON string normally, bracket fields rarely;
// "undefined", "" or anything but an object gives empty options.
func placementOptions(body url.Values) Values {
	raw := strings.TrimSpace(body.Get("PLACEMENT_OPTIONS"))
	if raw == "" {
		if nested := ParseForm(body).Map("PLACEMENT_OPTIONS"); nested != nil {
			return nested
		}
		return Values{}
	}
	if !strings.HasPrefix(raw, "{") {
		return Values{}
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil || v == nil {
		return Values{}
	}
	return Values(v)
}

// BaseURL returns the portal base URL the POST claims (DOMAIN and PROTOCOL). Prefer the
// base URL stored for MemberID when calling the portal.
func (p *Placement) BaseURL() string {
	return PortalURL(p.Domain, p.HTTPS)
}

// EntityID returns the CRM item the placement was opened for (options ID or ENTITY_ID), or 0.
func (p *Placement) EntityID() int64 {
	if id := p.Options.Int("ID"); id != 0 {
		return id
	}
	return p.Options.Int("ENTITY_ID")
}

// EntityType returns the CRM type a CRM_* placement code refers to, or 0.
func (p *Placement) EntityType() EntityTypeID {
	return placementEntityType(p.Placement)
}

// placementEntityType derives the entity type from codes like CRM_DEAL_DETAIL_TAB or
// CRM_DYNAMIC_128_DETAIL_TAB.
func placementEntityType(code string) EntityTypeID {
	rest, ok := strings.CutPrefix(strings.ToUpper(code), "CRM_")
	if !ok {
		return 0
	}
	if dyn, ok := strings.CutPrefix(rest, "DYNAMIC_"); ok {
		n, _, _ := strings.Cut(dyn, "_")
		id, err := strconv.Atoi(n)
		if err != nil {
			return 0
		}
		return EntityTypeID(id)
	}
	for name, t := range map[string]EntityTypeID{"LEAD_": EntityLead, "DEAL_": EntityDeal,
		"CONTACT_": EntityContact, "COMPANY_": EntityCompany} {
		if strings.HasPrefix(rest, name) {
			return t
		}
	}
	return 0
}

// VerifyApplicationToken reports, in constant time, whether the POST carries the stored token.
func (p *Placement) VerifyApplicationToken(stored string) bool {
	return verifyToken(p.ApplicationToken, stored)
}

// PlacementBinding is a placement.bind request.
type PlacementBinding struct {
	Placement   string                        `json:"PLACEMENT"`
	Handler     string                        `json:"HANDLER"`
	Title       string                        `json:"TITLE,omitempty"`
	Description string                        `json:"DESCRIPTION,omitempty"`
	GroupName   string                        `json:"GROUP_NAME,omitempty"`
	LangAll     map[string]PlacementLangTitle `json:"LANG_ALL,omitempty"`
	Options     map[string]any                `json:"OPTIONS,omitempty"`
}

// PlacementLangTitle is one language's captions in LANG_ALL.
type PlacementLangTitle struct {
	Title       string `json:"TITLE,omitempty"`
	Description string `json:"DESCRIPTION,omitempty"`
	GroupName   string `json:"GROUP_NAME,omitempty"`
}

// PlacementHandler is a binding as placement.get lists it.
type PlacementHandler struct {
	Placement   string                      `json:"placement"`
	UserID      FlexInt                     `json:"userId"`
	Handler     string                      `json:"handler"`
	Options     FlexMap[any]                `json:"options"`
	Title       string                      `json:"title"`
	Description string                      `json:"description"`
	LangAll     FlexMap[PlacementLangTitle] `json:"langAll"`
}

// BindPlacement binds a handler (placement.bind); an existing identical binding is not an error.
func (p *PortalClient) BindPlacement(ctx context.Context, b PlacementBinding) error {
	err := p.Call(ctx, "placement.bind", b, nil)
	if errors.Is(err, ErrAlreadyBound) {
		return nil
	}
	return err
}

// UnbindPlacement removes the app's handler of a placement (all of them when handler is "")
// and returns how many went.
func (p *PortalClient) UnbindPlacement(ctx context.Context, placement, handler string) (int, error) {
	params := Params{"PLACEMENT": placement}
	if handler != "" {
		params["HANDLER"] = handler
	}
	var out struct {
		Count FlexInt `json:"count"`
	}
	if err := p.Call(ctx, "placement.unbind", params, &out); err != nil {
		return 0, err
	}
	return int(out.Count), nil
}

// PlacementHandlers lists the app's bindings (placement.get).
func (p *PortalClient) PlacementHandlers(ctx context.Context) ([]PlacementHandler, error) {
	var out FlexList[PlacementHandler]
	if err := p.Call(ctx, "placement.get", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Tokens returns the viewing user's OAuth pair from the POST (AUTH_ID, REFRESH_ID); from the
// install page (PLACEMENT=DEFAULT, opened by the installing admin) these are the app's tokens.
func (p *Placement) Tokens() Tokens {
	t := Tokens{Access: p.AuthID, Refresh: p.RefreshID}
	if p.AuthExpires > 0 {
		t.Expires = time.Now().Add(time.Duration(p.AuthExpires) * time.Second)
	}
	return t
}

// VerifyPlacement checks a placement POST against the portal: the APPLICATION_TOKEN must match
// the stored one (when given), and AUTH_ID must be a live token at baseURL, the base URL
// stored for the POST's member_id (never the POST's own DOMAIN). It returns the viewing user;
// an error from the portal (invalid_token, expired_token…) means the POST is not to be trusted.
func (c *Client) VerifyPlacement(ctx context.Context, pl *Placement, baseURL, storedAppToken string) (*User, error) {
	if storedAppToken != "" && !pl.VerifyApplicationToken(storedAppToken) {
		return nil, fmt.Errorf("%w: APPLICATION_TOKEN does not match", ErrBadPlacement)
	}
	return c.AsUser(pl.MemberID, baseURL, pl.AuthID).CurrentUser(ctx)
}
