package bitrix

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Event is an event delivery from a portal (event.bind handlers, ONAPPINSTALL, bot events).
type Event struct {
	Name      string    // `event`, upper-case, e.g. "ONCRMDEALADD"
	HandlerID int64     // `event_handler_id`
	TS        time.Time // `ts`, when the queue sent it
	Data      Values    // `data`
	Auth      EventAuth // `auth`
}

// EventAuth is an event's `auth` block; tokens are absent when a robot or business process acted.
type EventAuth struct {
	AccessToken      string
	RefreshToken     string // only for events that grant long-term access (ONAPPINSTALL…)
	Expires          time.Time
	ExpiresIn        int
	Scope            string
	Domain           string
	ServerEndpoint   string
	ClientEndpoint   string // "https://{domain}/rest/"
	Status           string
	MemberID         string
	UserID           int64
	ApplicationToken string
}

// Tokens returns the event's OAuth pair (for ONAPPINSTALL: the tokens to store).
func (a EventAuth) Tokens() Tokens {
	return Tokens{Access: a.AccessToken, Refresh: a.RefreshToken, Expires: a.Expires}
}

// BaseURL returns the portal base URL from client_endpoint, or from domain as https.
func (a EventAuth) BaseURL() string {
	if a.ClientEndpoint != "" {
		return normalizeBase(a.ClientEndpoint)
	}
	if a.Domain == "" {
		return ""
	}
	return normalizeBase(a.Domain)
}

// Event names Switchboard binds or receives.
const (
	EventAppInstall          = "ONAPPINSTALL"
	EventAppUninstall        = "ONAPPUNINSTALL"
	EventConnectorMessageAdd = "ONIMCONNECTORMESSAGEADD"
	EventBotCommandAdd       = "ONIMCOMMANDADD"
	EventBotMessageAdd       = "ONIMBOTMESSAGEADD"
	EventBotJoinChat         = "ONIMBOTJOINCHAT"
)

// ErrBadEvent is returned for a delivery that is not a Bitrix event.
var ErrBadEvent = errors.New("bitrix: not a Bitrix24 event")

// ParseEvent decodes a form-encoded event delivery (PHP bracket notation).
func ParseEvent(form url.Values) (*Event, error) {
	return eventFromValues(ParseForm(form))
}

// ParseEventRequest reads an event delivery from r: form-encoded (the norm) or JSON.
func ParseEventRequest(r *http.Request) (*Event, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var v map[string]any
		dec := json.NewDecoder(io.LimitReader(r.Body, 10<<20))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadEvent, err)
		}
		return eventFromValues(Values(v))
	}
	if err := r.ParseForm(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	return ParseEvent(r.PostForm)
}

func eventFromValues(v Values) (*Event, error) {
	name := strings.ToUpper(strings.TrimSpace(v.String("event")))
	if name == "" {
		return nil, fmt.Errorf("%w: no event name", ErrBadEvent)
	}
	ev := &Event{Name: name, HandlerID: v.Int("event_handler_id"), Data: v.Map("data")}
	if ev.Data == nil {
		ev.Data = Values{}
	}
	if ts := v.Int("ts"); ts > 0 {
		ev.TS = time.Unix(ts, 0)
	}
	a := v.Map("auth")
	ev.Auth = EventAuth{
		AccessToken:      a.String("access_token"),
		RefreshToken:     a.String("refresh_token"),
		ExpiresIn:        int(a.Int("expires_in")),
		Scope:            a.String("scope"),
		Domain:           a.String("domain"),
		ServerEndpoint:   a.String("server_endpoint"),
		ClientEndpoint:   a.String("client_endpoint"),
		Status:           a.String("status"),
		MemberID:         a.String("member_id"),
		UserID:           a.Int("user_id"),
		ApplicationToken: a.String("application_token"),
	}
	// Reckon the expiry on our clock (see tokenAnswer.tokens); a queue delay only makes it
	// late, and a late expiry is caught by the portal's expired_token answer.
	switch {
	case ev.Auth.ExpiresIn > 0:
		ev.Auth.Expires = time.Now().Add(time.Duration(ev.Auth.ExpiresIn) * time.Second)
	case a.Int("expires") > 0:
		ev.Auth.Expires = time.Unix(a.Int("expires"), 0)
	}
	return ev, nil
}

// EntityID returns the id a CRM or timeline event is about: data[FIELDS][ID] or data[ID].
func (e *Event) EntityID() int64 {
	if id := e.Data.Int("FIELDS", "ID"); id != 0 {
		return id
	}
	return e.Data.Int("ID")
}

// VerifyApplicationToken reports, in constant time, whether the event carries the portal's
// stored application_token. An empty stored or received token never verifies.
func VerifyApplicationToken(ev *Event, stored string) bool {
	if ev == nil {
		return false
	}
	return verifyToken(ev.Auth.ApplicationToken, stored)
}

func verifyToken(got, stored string) bool {
	if got == "" || stored == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(stored)) == 1
}

// EventBinding is an event.bind request.
type EventBinding struct {
	Event     string `json:"event"`                // e.g. "ONCRMDEALADD", "OnImConnectorMessageAdd"
	Handler   string `json:"handler"`              // public URL
	AuthType  int64  `json:"auth_type,omitempty"`  // user whose tokens come with events; 0: the acting user
	EventType string `json:"event_type,omitempty"` // "online" (default) or "offline"
}

// EventHandler is a binding as event.get lists it.
type EventHandler struct {
	Event    string  `json:"event"`
	Handler  string  `json:"handler"`
	AuthType FlexInt `json:"auth_type"`
	Offline  FlexInt `json:"offline"`
}

// BindEvent binds a handler (event.bind); an existing identical binding is not an error.
func (p *PortalClient) BindEvent(ctx context.Context, b EventBinding) error {
	err := p.Call(ctx, "event.bind", b, nil)
	if errors.Is(err, ErrAlreadyBound) {
		return nil
	}
	return err
}

// UnbindEvent removes a handler (event.unbind) and returns how many bindings went.
func (p *PortalClient) UnbindEvent(ctx context.Context, b EventBinding) (int, error) {
	var out struct {
		Count FlexInt `json:"count"`
	}
	if err := p.Call(ctx, "event.unbind", b, &out); err != nil {
		return 0, err
	}
	return int(out.Count), nil
}

// EventHandlers lists the app's bindings (event.get).
func (p *PortalClient) EventHandlers(ctx context.Context) ([]EventHandler, error) {
	var out FlexList[EventHandler]
	if err := p.Call(ctx, "event.get", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}
