package emulator

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

type connector struct {
	ID               string
	Name             string
	Icon             any
	PlacementHandler string
	NeedSignature    bool
	ChatGroup        bool
	Lines            map[int]*connectorLine
}

type connectorLine struct {
	Active bool
	Data   any
}

// openLine is an Open Line of the contact center.
type openLine struct {
	ID        int
	Name      string
	Active    bool
	Queue     []int  // operators
	CRMCreate string // "lead" (default), "none"
}

// olSession is one external conversation in an open line.
type olSession struct {
	ID             int
	ChatID         int
	Connector      string
	Line           int
	ExternalChatID string
	ExternalUserID string
	ClientUserID   int
}

// AddOpenLine adds an Open Line with its operator queue and returns its id.
func (p *Portal) AddOpenLine(name string, queue []int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := p.seq("line")
	p.lines[id] = &openLine{ID: id, Name: name, Active: true, Queue: queue, CRMCreate: "lead"}
	return id
}

// OpenLineSessions lists the open line chats: chat id by external chat id.
func (p *Portal) OpenLineSessions() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for _, s := range p.olSessions {
		out[s.ExternalChatID] = s.ChatID
	}
	return out
}

var connectorIDRe = regexp.MustCompile(`^[a-z0-9_]+$`)

// imconnectorRegister answers per the method page: {"result":{"result":true}},
// failures as HTTP 200 with result false (ConnectorRegisterPlain: plain true).
func (p *Portal) imconnectorRegister(c *call) (any, error) {
	fail := func(code, desc string) (any, error) {
		return newObj().set("result", false).set("error", code).set("error_description", desc), nil
	}
	id := strings.ToLower(strings.TrimSpace(c.params.str("ID")))
	if id == "" || !connectorIDRe.MatchString(id) {
		return fail("CONNECTOR_ID_REQUIRED", "Connector ID is required and may contain only a-z, 0-9 and _")
	}
	name := c.params.str("NAME")
	if name == "" {
		return fail("NAME_REQUIRED", "Connector name is required")
	}
	icon := c.params.sub("ICON")
	if icon.str("DATA_IMAGE") == "" {
		return fail("ICON_REQUIRED", "Connector icon is required")
	}
	handler := c.params.str("PLACEMENT_HANDLER")
	if handler == "" {
		return fail("NO_PLACEMENT_HANDLER", "Placement handler is required")
	}
	cn := p.connectors[id]
	if cn == nil {
		cn = &connector{ID: id, Lines: map[int]*connectorLine{}}
		p.connectors[id] = cn
	}
	cn.Name, cn.Icon, cn.PlacementHandler = name, plain(icon), handler
	cn.NeedSignature = !isFalse(c.params, "NEED_SIGNATURE")
	cn.ChatGroup = truthy(c.params.str("CHAT_GROUP"))
	p.placements = slices.DeleteFunc(p.placements, func(pl *placement) bool {
		opts, _ := pl.Options.(map[string]any)
		return pl.Code == "SETTING_CONNECTOR" && opts["CONNECTOR"] == id
	})
	p.placements = append(p.placements, &placement{Code: "SETTING_CONNECTOR", Handler: handler, Title: name, Options: map[string]any{"CONNECTOR": id}})
	if p.cfg.ConnectorRegisterPlain {
		return true, nil
	}
	return newObj().set("result", true), nil
}

func isFalse(o *obj, key string) bool {
	v, ok := o.get(key)
	return ok && !truthy(v)
}

// connectorLine finds CONNECTOR and LINE, each required.
func (p *Portal) connectorAndLine(c *call) (*connector, int, error) {
	id := strings.ToLower(c.params.str("CONNECTOR"))
	if id == "" {
		return nil, 0, argErr("CONNECTOR")
	}
	lineRaw := c.params.str("LINE")
	if lineRaw == "" {
		return nil, 0, argErr("LINE")
	}
	cn := p.connectors[id]
	if cn == nil {
		return nil, 0, badRequest("IMCONNECTOR_NO_CORRECT_PROVIDER", "The connector is not registered")
	}
	line := num(lineRaw)
	if p.lines[line] == nil {
		return nil, 0, badRequest("NOT_ACTIVE_LINE", "The line is not found or not active")
	}
	return cn, line, nil
}

func (p *Portal) imconnectorActivate(c *call) (any, error) {
	cn, line, err := p.connectorAndLine(c)
	if err != nil {
		return nil, err
	}
	active := c.params.str("ACTIVE")
	if active == "" {
		return nil, argErr("ACTIVE")
	}
	cl := cn.Lines[line]
	if cl == nil {
		cl = &connectorLine{}
		cn.Lines[line] = cl
	}
	cl.Active = truthy(active)
	return true, nil
}

func (p *Portal) imconnectorStatus(c *call) (any, error) {
	cn, line, err := p.connectorAndLine(c)
	if err != nil {
		return nil, err
	}
	active := cn.Lines[line] != nil && cn.Lines[line].Active
	return newObj().set("LINE", line).set("CONNECTOR", cn.ID).set("ERROR", false).set("CONFIGURED", active).set("STATUS", active), nil
}

func (p *Portal) imconnectorDataSet(c *call) (any, error) {
	cn, line, err := p.connectorAndLine(c)
	if err != nil {
		return nil, err
	}
	cl := cn.Lines[line]
	if cl == nil {
		cl = &connectorLine{}
		cn.Lines[line] = cl
	}
	cl.Data = plain(c.params.sub("DATA"))
	return true, nil
}

func (p *Portal) imconnectorList(c *call) (any, error) {
	out := newObj()
	ids := make([]string, 0, len(p.connectors))
	for id := range p.connectors {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		out.set(id, p.connectors[id].Name)
	}
	return out, nil
}

func (p *Portal) imconnectorUnregister(c *call) (any, error) {
	id := strings.ToLower(c.params.str("ID"))
	if p.connectors[id] == nil {
		return nil, badRequest("IMCONNECTOR_NO_CORRECT_PROVIDER", "The connector is not registered")
	}
	delete(p.connectors, id)
	return true, nil
}

// activeLine checks CONNECTOR/LINE/MESSAGES of the traffic methods.
func (p *Portal) activeLine(c *call) (*connector, int, []any, error) {
	cn, line, err := p.connectorAndLine(c)
	if err != nil {
		return nil, 0, nil, err
	}
	if cl := cn.Lines[line]; cl == nil || !cl.Active {
		return nil, 0, nil, badRequest("NOT_ACTIVE_LINE", "The line is not active for this connector")
	}
	msgs := list(c.params.sub("MESSAGES"))
	if len(msgs) == 0 {
		return nil, 0, nil, argErr("MESSAGES")
	}
	return cn, line, msgs, nil
}

// session finds or starts the open line conversation of an external user.
func (p *Portal) session(c *call, cn *connector, line int, user, chatInfo *obj, disableCRM bool) *olSession {
	extUser, extChat := user.str("id"), chatInfo.str("id")
	key := fmt.Sprintf("%s|%d|%s", cn.ID, line, extUser)
	if cn.ChatGroup {
		key = fmt.Sprintf("%s|%d|chat:%s", cn.ID, line, extChat)
	}
	if s := p.olSessions[key]; s != nil {
		return s
	}
	name := strings.TrimSpace(user.str("name"))
	if name == "" {
		name = "Guest"
	}
	client := &User{Name: name, LastName: user.str("last_name"), Email: user.str("email"), external: true}
	p.addUserLocked(client)
	ol := p.lines[line]
	queue := ol.Queue
	if len(queue) == 0 {
		if a := p.adminLocked(); a != nil {
			queue = []int{a.ID}
		}
	}
	ch := p.newChat(client.ID, "L", strings.TrimSpace(name+" "+client.LastName)+" - "+ol.Name, queue)
	s := &olSession{ID: p.seq("olsession"), ChatID: ch.ID, Connector: cn.ID, Line: line, ExternalChatID: extChat, ExternalUserID: extUser, ClientUserID: client.ID}
	ch.Line = s
	ch.EntityType = "LINES"
	ch.EntityID = fmt.Sprintf("%s|%d|%s|%d", cn.ID, line, extChat, client.ID)
	p.olSessions[key] = s
	if ol.CRMCreate == "lead" && !disableCRM {
		f := newObj().set("TITLE", ch.Title).set("NAME", name).set("LAST_NAME", client.LastName).set("SOURCE_ID", p.openLineSource())
		if phone := user.str("phone"); phone != "" {
			f.set("PHONE", newObj().set("0", newObj().set("VALUE", phone).set("VALUE_TYPE", "WORK")))
		}
		f.set("IM", newObj().set("0", newObj().set("VALUE", "imol|"+ch.EntityID).set("VALUE_TYPE", "OPENLINE")))
		if e, err := p.createEntity(p.leads, f, queue[0]); err == nil {
			c.queue(p, "ONCRMLEADADD", newObj().set("FIELDS", newObj().set("ID", strconv.Itoa(e.ID))))
		}
	}
	return s
}

// imconnectorSendMessages takes client messages into the open line.
func (p *Portal) imconnectorSendMessages(c *call) (any, error) {
	cn, line, msgs, err := p.activeLine(c)
	if err != nil {
		return nil, err
	}
	results := []*obj{}
	for _, mv := range msgs {
		item := asObj(mv)
		user, msg, chatInfo := item.sub("user"), item.sub("message"), item.sub("chat")
		var errs []string
		if user.str("id") == "" {
			errs = append(errs, "user id is empty")
		}
		if chatInfo.str("id") == "" {
			errs = append(errs, "chat id is empty")
		}
		files := list(msg.sub("files"))
		text := strings.TrimSpace(msg.str("text"))
		if text == "" && len(files) == 0 {
			errs = append(errs, "message is empty")
		}
		if len(errs) > 0 {
			results = append(results, newObj().set("SUCCESS", false).set("ERRORS", errs))
			continue
		}
		s := p.session(c, cn, line, user, chatInfo, msg.str("disable_crm") == "Y")
		ch := p.chats[s.ChatID]
		author := s.ClientUserID
		if uid := num(msg.str("user_id")); uid > 0 && p.users[uid] != nil {
			author = uid // mirrored from the phone as a manager
		}
		body := text
		for _, f := range files {
			fo := asObj(f)
			body = strings.TrimSpace(body + "\n[url=" + fo.str("url") + "]" + fo.str("name") + "[/url]")
		}
		m := p.addMessage(ch, author, 0, body)
		m.ExternalID = msg.str("id")
		results = append(results, newObj().
			set("user", strconv.Itoa(s.ClientUserID)).
			set("message", newObj().set("id", msg.str("id")).set("date", newObj().set("date", msg.str("date"))).set("text", text).set("files", files)).
			set("chat", newObj().set("id", chatInfo.str("id")).set("name", chatInfo.str("name")).set("description", "")).
			set("extra", newObj().set("skip_phone_validate", user.str("skip_phone_validate")).set("disable_tracker", msg.str("disable_crm"))).
			set("SUCCESS", true).
			set("session", newObj().set("ID", strconv.Itoa(s.ID)).set("CHAT_ID", strconv.Itoa(s.ChatID))))
	}
	return newObj().set("SUCCESS", true).set("DATA", newObj().set("RESULT", results)), nil
}

// findExternal finds a client message by external message and chat ids.
func (p *Portal) findExternal(cn *connector, line int, extChat, extMsg string) *message {
	for _, s := range p.olSessions {
		if s.Connector != cn.ID || s.Line != line || s.ExternalChatID != extChat {
			continue
		}
		for _, id := range p.chats[s.ChatID].Messages {
			if m := p.messages[id]; m.ExternalID == extMsg {
				return m
			}
		}
	}
	return nil
}

func (p *Portal) imconnectorUpdateMessages(c *call) (any, error) {
	return p.changeExternal(c, func(m *message, msg *obj) {
		m.Text = strings.TrimSpace(msg.str("text"))
		m.Edited = true
	})
}

func (p *Portal) imconnectorDeleteMessages(c *call) (any, error) {
	return p.changeExternal(c, func(m *message, _ *obj) { m.Deleted = true })
}

func (p *Portal) changeExternal(c *call, change func(*message, *obj)) (any, error) {
	cn, line, msgs, err := p.activeLine(c)
	if err != nil {
		return nil, err
	}
	results := []*obj{}
	for _, mv := range msgs {
		item := asObj(mv)
		msg := item.sub("message")
		m := p.findExternal(cn, line, item.sub("chat").str("id"), msg.str("id"))
		if m == nil {
			results = append(results, newObj().set("SUCCESS", false).set("ERRORS", []string{"message not found"}))
			continue
		}
		change(m, msg)
		results = append(results, newObj().set("SUCCESS", true).set("message", newObj().set("id", msg.str("id"))))
	}
	return newObj().set("SUCCESS", true).set("DATA", newObj().set("RESULT", results)), nil
}

// imconnectorDelivery answers send.status.delivery / reading: marks the
// operator messages named by im.message_id.
func (p *Portal) imconnectorDelivery(c *call) (any, error) {
	_, _, msgs, err := p.activeLine(c)
	if err != nil {
		return nil, err
	}
	for _, mv := range msgs {
		im := asObj(mv).sub("im")
		if m := p.messages[num(im.str("message_id"))]; m != nil && m.ChatID == num(im.str("chat_id")) {
			m.Delivered = true
		}
	}
	return newObj().set("SUCCESS", true).set("DATA", newObj()), nil
}

// operatorMessageEvent is ONIMCONNECTORMESSAGEADD for an operator's message.
func (p *Portal) operatorMessageEvent(ch *chat, m *message) queuedEvent {
	s := ch.Line
	text := m.Text
	cn := p.connectors[s.Connector]
	if u := p.users[m.AuthorID]; u != nil && cn != nil && cn.NeedSignature {
		text = "[b]" + strings.TrimSpace(u.Name+" "+u.LastName) + ":[/b] [br]" + text
	}
	msg := newObj().set("user_id", strconv.Itoa(m.AuthorID)).set("text", text)
	if len(m.Files) > 0 {
		// The files' schema is not documented (§6): link, name, type,
		// downloadLink and size are what connector handlers see.
		files := newObj()
		for i, f := range m.Files {
			link := p.fileLink(f)
			files.set(strconv.Itoa(i), newObj().set("name", f.Name).set("link", link).set("downloadLink", link+"?download=Y").
				set("type", f.fileType()).set("size", strconv.Itoa(len(f.Data))))
		}
		msg.set("files", files)
	}
	item := newObj().
		set("im", newObj().set("chat_id", strconv.Itoa(ch.ID)).set("message_id", strconv.Itoa(m.ID))).
		set("message", msg).
		set("chat", newObj().set("id", s.ExternalChatID))
	data := newObj().set("CONNECTOR", s.Connector).set("LINE", strconv.Itoa(s.Line)).set("MESSAGES", newObj().set("0", item))
	return queuedEvent{name: "ONIMCONNECTORMESSAGEADD", data: data, userID: m.AuthorID}
}

// OperatorReply writes an operator's answer into an open line chat and
// sends ONIMCONNECTORMESSAGEADD to the app synchronously.
func (p *Portal) OperatorReply(ctx context.Context, userID, chatID int, text string, files ...File) (int, error) {
	p.mu.Lock()
	ch, ok := p.chats[chatID]
	if !ok || ch.Line == nil {
		p.mu.Unlock()
		return 0, fmt.Errorf("emulator: chat %d is not an open line chat", chatID)
	}
	if !slices.Contains(ch.Users, userID) {
		ch.Users = append(ch.Users, userID) // "Join"
	}
	m := p.addMessage(ch, userID, 0, strings.TrimSpace(text))
	p.attachFiles(m, files)
	ev := p.operatorMessageEvent(ch, m)
	p.mu.Unlock()
	return m.ID, p.sendEvent(ctx, ev.name, ev.data, userID)
}

// imopenlinesConfigList answers imopenlines.config.list.get.
func (p *Portal) imopenlinesConfigList(c *call) (any, error) {
	withQueue := !strings.EqualFold(c.params.sub("OPTIONS").str("QUEUE"), "N")
	ids := make([]int, 0, len(p.lines))
	for id := range p.lines {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := []*obj{}
	for _, id := range ids {
		out = append(out, p.lineView(p.lines[id], withQueue))
	}
	return out, nil
}

func (p *Portal) lineView(l *openLine, withQueue bool) *obj {
	active := "N"
	if l.Active {
		active = "Y"
	}
	o := newObj().set("ID", strconv.Itoa(l.ID)).set("LINE_NAME", l.Name).set("ACTIVE", active).
		set("CRM", "Y").set("CRM_CREATE", l.CRMCreate).set("CRM_CREATE_SECOND", "N").set("CRM_FORWARD", "Y").
		set("QUEUE_TYPE", "evenly").set("WELCOME_MESSAGE", "Y")
	if withQueue {
		q := l.Queue
		if len(q) == 0 {
			if a := p.adminLocked(); a != nil {
				q = []int{a.ID}
			}
		}
		o.set("QUEUE", q)
	}
	return o
}

func (p *Portal) imopenlinesConfigGet(c *call) (any, error) {
	l := p.lines[num(c.params.str("CONFIG_ID"))]
	if l == nil {
		return nil, badRequest("CONFIG_NOT_FOUND", "Config not found")
	}
	return p.lineView(l, truthy(c.params.str("WITH_QUEUE"))), nil
}
