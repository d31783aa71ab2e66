package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// eventBinding is one event.bind registration.
type eventBinding struct {
	ID       int
	Event    string // uppercase
	Handler  string
	AuthType int // user whose tokens travel with the event; 0 = the triggering user
	Offline  bool
	UserID   int // who bound it
}

// knownEvents are the events event.bind accepts.
var knownEvents = map[string]bool{}

func init() {
	for _, e := range []string{
		"ONAPPINSTALL", "ONAPPUNINSTALL", "ONAPPUPDATE", "ONAPPPAYMENT", "ONOFFLINEEVENT", "ONUSERADD",
		"ONIMCONNECTORMESSAGEADD", "ONIMCONNECTORMESSAGEUPDATE", "ONIMCONNECTORMESSAGEDELETE",
		"ONIMCONNECTORDIALOGSTART", "ONIMCONNECTORDIALOGFINISH", "ONIMCONNECTORSTATUSDELETE", "ONIMCONNECTORLINEDELETE",
		"ONIMBOTMESSAGEADD", "ONIMBOTMESSAGEUPDATE", "ONIMBOTMESSAGEDELETE", "ONIMBOTJOINCHAT", "ONIMBOTDELETE", "ONIMCOMMANDADD",
		"ONCRMTIMELINECOMMENTADD", "ONCRMTIMELINECOMMENTUPDATE", "ONCRMTIMELINECOMMENTDELETE",
		"ONIMOPENLINESSESSIONSTART", "ONIMOPENLINESSESSIONFINISH",
	} {
		knownEvents[e] = true
	}
	for _, ent := range []string{"LEAD", "CONTACT", "DEAL", "COMPANY"} {
		for _, op := range []string{"ADD", "UPDATE", "DELETE"} {
			knownEvents["ONCRM"+ent+op] = true
		}
	}
}

// Delivery is one event or install POST the portal made to the app.
type Delivery struct {
	Event   string
	URL     string
	Form    url.Values // the decoded body, as the app's handler sees it
	Body    string     // the raw form-encoded body
	Status  int        // the app's HTTP status; 0 on transport error
	Err     error
	At      time.Time
	Handler int // event_handler_id
}

// Deliveries returns every POST made to the app so far, oldest first.
func (p *Portal) Deliveries() []Delivery {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.deliveries)
}

// ErrNotInstalled is returned by SendEvent before installation finished:
// the portal sends no events then.
var ErrNotInstalled = errors.New("emulator: app is not installed, events are not sent")

// ErrNoHandler is returned by SendEvent when no handler is bound for the event.
var ErrNoHandler = errors.New("emulator: no handler bound for the event")

func (p *Portal) eventBind(c *call) (any, error) {
	name := strings.ToUpper(strings.TrimSpace(c.params.str("event", "EVENT")))
	handler := strings.TrimSpace(c.params.str("handler", "HANDLER"))
	if name == "" {
		return nil, argErr("event")
	}
	if handler == "" {
		return nil, argErr("handler")
	}
	if !knownEvents[name] {
		return nil, badRequest("ERROR_EVENT_NOT_FOUND", "Event not found")
	}
	authType := num(c.params.str("auth_type", "AUTH_TYPE"))
	offline := strings.EqualFold(c.params.str("event_type", "EVENT_TYPE"), "offline")
	if (authType != 0 && authType != c.user.ID || offline) && !c.user.Admin {
		return nil, newErr(http.StatusForbidden, "ACCESS_DENIED", "Access denied!")
	}
	for _, b := range p.events {
		if b.Event == name && b.Handler == handler && b.AuthType == authType {
			return nil, newErr(p.cfg.EventDuplicateStatus, "ERROR_HANDLER_ALREADY_EXIST", "Handler already exists!")
		}
	}
	b := &eventBinding{ID: p.seq("event"), Event: name, Handler: handler, AuthType: authType, Offline: offline, UserID: c.user.ID}
	p.events = append(p.events, b)
	p.log.Info("event bound", "event", name, "handler", handler, "id", b.ID)
	return true, nil
}

func (p *Portal) eventGet(c *call) (any, error) {
	out := []*obj{}
	for _, b := range p.events {
		if !c.user.Admin && b.UserID != c.user.ID {
			continue
		}
		offline := 0
		if b.Offline {
			offline = 1
		}
		out = append(out, newObj().
			set("event", b.Event).
			set("handler", b.Handler).
			set("auth_type", strconv.Itoa(b.AuthType)).
			set("offline", offline))
	}
	return out, nil
}

func (p *Portal) eventUnbind(c *call) (any, error) {
	name := strings.ToUpper(strings.TrimSpace(c.params.str("event", "EVENT")))
	if name == "" {
		return nil, argErr("event")
	}
	handler := c.params.str("handler", "HANDLER")
	authRaw, hasAuth := c.params.first("auth_type", "AUTH_TYPE")
	kept := p.events[:0]
	n := 0
	for _, b := range p.events {
		if b.Event == name && (handler == "" || b.Handler == handler) && (!hasAuth || b.AuthType == num(authRaw)) {
			n++
			continue
		}
		kept = append(kept, b)
	}
	p.events = kept
	return newObj().set("count", n), nil
}

func (p *Portal) eventList(c *call) (any, error) {
	var out []string
	for e := range knownEvents {
		out = append(out, e)
	}
	slices.Sort(out)
	return out, nil
}

// queuedEvent is an event a REST call caused, delivered after the call.
type queuedEvent struct {
	name   string
	data   *obj
	userID int
	direct *Delivery // a prebuilt post to a fixed URL (bot and command handlers)
}

// queue records an event for delivery after the call, unless disabled.
func (c *call) queue(p *Portal, name string, data *obj) {
	if p.cfg.NoAutoEvents {
		return
	}
	c.queued = append(c.queued, queuedEvent{name: name, data: data, userID: c.user.ID})
}

// deliverAsync posts queued events from a queue goroutine, as the portal's
// queue server does: later, and without retries.
func (p *Portal) deliverAsync(events []queuedEvent) {
	for _, e := range events {
		go func() {
			if d := p.cfg.EventDelay; d > 0 {
				time.Sleep(d)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if e.direct != nil {
				_ = p.post(ctx, *e.direct)
				return
			}
			if err := p.sendEvent(ctx, e.name, e.data, e.userID); err != nil && !errors.Is(err, ErrNoHandler) && !errors.Is(err, ErrNotInstalled) {
				p.log.Warn("event delivery failed", "event", e.name, "err", err)
			}
		}()
	}
}

// EventBinding is an event.bind registration, for inspection.
type EventBinding struct {
	ID       int
	Event    string
	Handler  string
	AuthType int
}

// EventBindings lists the app's event.bind registrations.
func (p *Portal) EventBindings() []EventBinding {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]EventBinding, 0, len(p.events))
	for _, b := range p.events {
		out = append(out, EventBinding{ID: b.ID, Event: b.Event, Handler: b.Handler, AuthType: b.AuthType})
	}
	return out
}

// SendCRMEvent sends ONCRM<KIND><ACTION> (e.g. "LEAD", "UPDATE") for id,
// as the installing admin's change: data[FIELDS][ID]=id.
func (p *Portal) SendCRMEvent(ctx context.Context, kind, action string, id int) error {
	name := "ONCRM" + strings.ToUpper(kind) + strings.ToUpper(action)
	return p.SendEvent(ctx, name, map[string]any{"FIELDS": map[string]any{"ID": strconv.Itoa(id)}})
}

// SendEvent posts an event to every handler bound for it with event.bind,
// as the installing admin's action. data is nested maps/slices/strings,
// sent as data[...] form fields.
func (p *Portal) SendEvent(ctx context.Context, name string, data map[string]any) error {
	p.mu.Lock()
	admin := p.adminLocked()
	p.mu.Unlock()
	uid := 0
	if admin != nil {
		uid = admin.ID
	}
	return p.SendEventAs(ctx, name, data, uid)
}

// SendEventAs is SendEvent for an action by userID; 0 means a robot or
// business process, and the event carries no tokens.
func (p *Portal) SendEventAs(ctx context.Context, name string, data map[string]any, userID int) error {
	return p.sendEvent(ctx, name, asObjStrict(toObjDeep(data)), userID)
}

// toObjDeep converts nested maps into ordered sets (sorted keys).
func toObjDeep(v any) any {
	switch t := v.(type) {
	case map[string]any:
		o := asObjStrict(t)
		for _, k := range o.keys {
			o.vals[k] = toObjDeep(o.vals[k])
		}
		return o
	case []any:
		o := asObj(t)
		for _, k := range o.keys {
			o.vals[k] = toObjDeep(o.vals[k])
		}
		return o
	case []map[string]any:
		o := newObj()
		for i, m := range t {
			o.set(strconv.Itoa(i), toObjDeep(m))
		}
		return o
	case []string:
		o := newObj()
		for i, s := range t {
			o.set(strconv.Itoa(i), s)
		}
		return o
	case url.Values:
		o := newObj()
		for k, vs := range t {
			if len(vs) > 0 {
				setBracketed(o, k, vs[0])
			}
		}
		return o
	}
	return v
}

func (p *Portal) sendEvent(ctx context.Context, name string, data *obj, userID int) error {
	name = strings.ToUpper(name)
	p.mu.Lock()
	if !p.installed && name != "ONAPPINSTALL" {
		p.mu.Unlock()
		return ErrNotInstalled
	}
	var posts []Delivery
	for _, b := range p.events {
		if b.Event != name || b.Offline {
			continue
		}
		uid := userID
		if b.AuthType > 0 {
			uid = b.AuthType
		}
		posts = append(posts, p.eventPostLocked(name, b.ID, b.Handler, data, uid, name != "ONAPPUNINSTALL"))
	}
	if len(posts) == 0 && name == "ONIMCOMMANDADD" {
		// Bot commands go to the command's EVENT_COMMAND_ADD, keyed in data[COMMAND].
		for _, k := range data.sub("COMMAND").keysOrNil() {
			if cmd := p.commands[num(k)]; cmd != nil {
				posts = append(posts, p.eventPostLocked(name, cmd.ID, cmd.Handler, data, userID, true))
			}
		}
	}
	p.mu.Unlock()
	if len(posts) == 0 {
		return fmt.Errorf("%w: %s", ErrNoHandler, name)
	}
	var errs []error
	for _, d := range posts {
		if err := p.post(ctx, d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// eventPostLocked builds one event delivery; p.mu held.
func (p *Portal) eventPostLocked(name string, handlerID int, handler string, data *obj, userID int, withUser bool) Delivery {
	if !withUser {
		userID = 0
	}
	if data == nil {
		data = newObj()
	}
	body := newObj().
		set("event", name).
		set("event_handler_id", strconv.Itoa(handlerID)).
		set("data", data).
		set("ts", strconv.FormatInt(p.now().Unix(), 10)).
		set("auth", p.authBlock(userID, true))
	return Delivery{Event: name, URL: handler, Body: encodeForm(body), Handler: handlerID}
}

// post sends one delivery and records it.
func (p *Portal) post(ctx context.Context, d Delivery) error {
	d.Form, _ = url.ParseQuery(d.Body)
	d.At = p.now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, strings.NewReader(d.Body))
	if err != nil {
		d.Err = fmt.Errorf("emulator: build %s delivery: %w", d.Event, err)
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", "Bitrix24 Webhook Engine")
		resp, err := p.client.Do(req)
		if err != nil {
			d.Err = fmt.Errorf("emulator: deliver %s to %s: %w", d.Event, d.URL, err)
		} else {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			d.Status = resp.StatusCode
			if resp.StatusCode >= 300 {
				d.Err = fmt.Errorf("emulator: deliver %s to %s: status %d", d.Event, d.URL, resp.StatusCode)
			}
		}
	}
	p.mu.Lock()
	p.deliveries = append(p.deliveries, d)
	p.mu.Unlock()
	p.log.Info("event delivered", "event", d.Event, "url", d.URL, "status", d.Status, "err", d.Err)
	return d.Err
}
