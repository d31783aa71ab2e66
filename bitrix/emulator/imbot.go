package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// maxBots is how many bots one app may register.
const maxBots = 5

type bot struct {
	ID                                                                  int // also the bot's user id
	Code                                                                string
	Type                                                                string
	ClientID                                                            string
	OnMessageAdd, OnMessageUpdate, OnMessageDelete, OnWelcome, OnDelete string
}

type botCommand struct {
	ID      int
	BotID   int
	Command string
	Handler string
	Hidden  bool
	Common  bool
}

// botContext allows app tokens, and webhooks that name a CLIENT_ID.
func botContext(c *call) error {
	switch c.tok.kind {
	case kindSession:
		return errAppContext
	case kindWebhook:
		if c.params.str("CLIENT_ID") == "" {
			return newErr(http.StatusBadRequest, "ACCESS_DENIED", "Client ID not specified")
		}
	}
	return nil
}

// findBot resolves BOT_ID (omitted: the app's first bot).
func (p *Portal) findBot(c *call) (*bot, error) {
	id := num(c.params.str("BOT_ID"))
	if id == 0 {
		for _, b := range p.sortedBots() {
			return b, nil
		}
	}
	b, ok := p.bots[id]
	if !ok {
		return nil, badRequest("BOT_ID_ERROR", "Bot not found")
	}
	return b, nil
}

func (p *Portal) sortedBots() []*bot {
	out := make([]*bot, 0, len(p.bots))
	for _, b := range p.bots {
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b *bot) int { return a.ID - b.ID })
	return out
}

// BotIDs lists the registered bots' ids (a bot is also a user of the
// portal), in order.
func (p *Portal) BotIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ids []int
	for _, b := range p.sortedBots() {
		ids = append(ids, b.ID)
	}
	return ids
}

func (p *Portal) imbotRegister(c *call) (any, error) {
	if err := botContext(c); err != nil {
		return nil, err
	}
	code := strings.TrimSpace(c.params.str("CODE"))
	if code == "" {
		return nil, badRequest("CODE_ERROR", "Bot code isn't specified")
	}
	for _, b := range p.bots {
		if b.Code == code {
			return b.ID, nil // re-registering a code answers the existing bot
		}
	}
	if len(p.bots) >= maxBots {
		return nil, badRequest("MAX_COUNT_ERROR", "Has reached the maximum number of bots for application (max: 5)")
	}
	all := c.params.str("EVENT_HANDLER")
	pick := func(k string) string {
		if v := c.params.str(k); v != "" {
			return v
		}
		return all
	}
	b := &bot{Code: code, Type: strings.ToUpper(c.params.str("TYPE")), ClientID: c.params.str("CLIENT_ID"),
		OnMessageAdd: pick("EVENT_MESSAGE_ADD"), OnMessageUpdate: pick("EVENT_MESSAGE_UPDATE"),
		OnMessageDelete: pick("EVENT_MESSAGE_DELETE"), OnWelcome: pick("EVENT_WELCOME_MESSAGE"), OnDelete: pick("EVENT_BOT_DELETE")}
	if b.Type == "" {
		b.Type = "B"
	}
	for _, req := range [][2]string{{"EVENT_MESSAGE_ADD", b.OnMessageAdd}, {"EVENT_WELCOME_MESSAGE", b.OnWelcome}, {"EVENT_BOT_DELETE", b.OnDelete}} {
		if req[1] == "" {
			return nil, badRequest(req[0]+"_ERROR", "Handler for \""+strings.ToLower(strings.TrimPrefix(req[0], "EVENT_"))+"\" event isn't specified")
		}
	}
	props := c.params.sub("PROPERTIES")
	name, last := props.str("NAME"), props.str("LAST_NAME")
	if name == "" && last == "" {
		return nil, badRequest("NAME_ERROR", "Bot name isn't specified")
	}
	u := &User{Name: name, LastName: last, Email: props.str("EMAIL"), Position: props.str("WORK_POSITION"), Gender: props.str("PERSONAL_GENDER"), bot: true}
	p.addUserLocked(u)
	b.ID = u.ID
	p.bots[b.ID] = b
	p.log.Info("bot registered", "bot_id", b.ID, "code", code)
	return b.ID, nil
}

func (p *Portal) imbotUnregister(c *call) (any, error) {
	if err := botContext(c); err != nil {
		return nil, err
	}
	b, err := p.findBot(c)
	if err != nil {
		return nil, err
	}
	delete(p.bots, b.ID)
	for id, cmd := range p.commands {
		if cmd.BotID == b.ID {
			delete(p.commands, id)
		}
	}
	return true, nil
}

func (p *Portal) imbotBotList(c *call) (any, error) {
	out := newObj()
	for _, b := range p.sortedBots() {
		u := p.users[b.ID]
		out.set(strconv.Itoa(b.ID), newObj().set("ID", strconv.Itoa(b.ID)).set("NAME", u.Name).set("CODE", b.Code).set("OPENLINE", "N"))
	}
	return out, nil
}

func (p *Portal) imbotCommandRegister(c *call) (any, error) {
	if err := botContext(c); err != nil {
		return nil, err
	}
	b, ok := p.bots[num(c.params.str("BOT_ID"))]
	if !ok {
		return nil, badRequest("BOT_ID_ERROR", "Bot not found")
	}
	command := strings.TrimSpace(c.params.str("COMMAND"))
	if command == "" {
		return nil, badRequest("COMMAND_ERROR", "Command isn't specified")
	}
	handler := c.params.str("EVENT_COMMAND_ADD")
	if handler == "" {
		return nil, badRequest("EVENT_COMMAND_ADD_ERROR", "Handler for \"Command add\" event isn't specified")
	}
	if len(list(c.params.sub("LANG"))) == 0 {
		return nil, badRequest("LANG_ERROR", "Lang set can't be empty")
	}
	for _, cmd := range p.commands {
		if cmd.BotID == b.ID && strings.EqualFold(cmd.Command, command) {
			cmd.Handler = handler
			return cmd.ID, nil
		}
	}
	cmd := &botCommand{ID: p.seq("command"), BotID: b.ID, Command: command, Handler: handler,
		Hidden: truthy(c.params.str("HIDDEN")), Common: truthy(c.params.str("COMMON"))}
	p.commands[cmd.ID] = cmd
	return cmd.ID, nil
}

func (p *Portal) imbotCommandUnregister(c *call) (any, error) {
	if err := botContext(c); err != nil {
		return nil, err
	}
	id := num(c.params.str("COMMAND_ID"))
	if _, ok := p.commands[id]; !ok {
		return nil, badRequest("COMMAND_ID_ERROR", "Command not found")
	}
	delete(p.commands, id)
	return true, nil
}

// botDialog resolves DIALOG_ID (or FROM_USER_ID+TO_USER_ID) for a bot,
// which must be a member.
func (p *Portal) botDialog(c *call, b *bot) (*chat, error) {
	dialog := c.params.str("DIALOG_ID")
	if dialog == "" {
		if to := c.params.str("TO_USER_ID"); to != "" {
			dialog = to
		}
	}
	ch, err := p.resolveDialog(dialog, b.ID)
	if err != nil {
		return nil, err
	}
	return ch, nil
}

func (p *Portal) imbotMessageAdd(c *call) (any, error) {
	if err := botContext(c); err != nil {
		return nil, err
	}
	b, err := p.findBot(c)
	if err != nil {
		return nil, err
	}
	ch, err := p.botDialog(c, b)
	if err != nil {
		return nil, err
	}
	return p.postMessage(c, ch, b.ID, b.ID)
}

func (p *Portal) imbotMessageUpdate(c *call) (any, error) {
	if err := botContext(c); err != nil {
		return nil, err
	}
	b, err := p.findBot(c)
	if err != nil {
		return nil, err
	}
	m, err := p.editable(c, b.ID)
	if err != nil {
		return nil, err
	}
	return p.updateMessage(c, m)
}

func (p *Portal) imbotMessageDelete(c *call) (any, error) {
	if err := botContext(c); err != nil {
		return nil, err
	}
	b, err := p.findBot(c)
	if err != nil {
		return nil, err
	}
	m, err := p.editable(c, b.ID)
	if err != nil {
		return nil, err
	}
	m.Deleted = true
	if truthy(c.params.str("COMPLETE")) {
		ch := p.chats[m.ChatID]
		ch.Messages = slices.DeleteFunc(ch.Messages, func(id int) bool { return id == m.ID })
		delete(p.messages, m.ID)
	}
	return true, nil
}

func (p *Portal) imbotChatAdd(c *call) (any, error) {
	if err := botContext(c); err != nil {
		return nil, err
	}
	b, err := p.findBot(c)
	if err != nil {
		return nil, err
	}
	ch, err := p.chatAddFrom(c, b.ID)
	if err != nil {
		return nil, err
	}
	return ch.ID, nil
}

func (p *Portal) imbotChatGet(c *call) (any, error) {
	b, err := p.findBot(c)
	if err != nil {
		return nil, err
	}
	for _, ch := range p.sortedChats() {
		if ch.EntityType == c.params.str("ENTITY_TYPE") && ch.EntityID == c.params.str("ENTITY_ID") && slices.Contains(ch.Users, b.ID) {
			return ch.ID, nil
		}
	}
	return nil, nil
}

func (p *Portal) imbotChatUserAdd(c *call) (any, error) {
	b, err := p.findBot(c)
	if err != nil {
		return nil, err
	}
	return p.chatUserAdd(c, b.ID)
}

func (p *Portal) imbotChatUserDelete(c *call) (any, error) {
	b, err := p.findBot(c)
	if err != nil {
		return nil, err
	}
	return p.chatUserDelete(c, b.ID)
}

func (p *Portal) imbotChatUserList(c *call) (any, error) {
	b, err := p.findBot(c)
	if err != nil {
		return nil, err
	}
	return p.chatUserList(c, b.ID)
}

// imbotCommandAnswer posts the bot's answer into the command's chat.
func (p *Portal) imbotCommandAnswer(c *call) (any, error) {
	var cmd *botCommand
	if id := num(c.params.str("COMMAND_ID")); id > 0 {
		cmd = p.commands[id]
	} else {
		for _, x := range p.commands {
			if strings.EqualFold(x.Command, c.params.str("COMMAND")) {
				cmd = x
			}
		}
	}
	if cmd == nil {
		return nil, badRequest("COMMAND_ID_ERROR", "Command not found")
	}
	m, ok := p.messages[num(c.params.str("MESSAGE_ID"))]
	if !ok {
		return nil, badRequest("MESSAGE_ID_ERROR", "Message ID can't be empty")
	}
	return p.postMessage(c, p.chats[m.ChatID], cmd.BotID, cmd.BotID)
}

// botAuth is a bot's token block, as in data[COMMAND][id] / data[BOT][id];
// p.mu held.
func (p *Portal) botAuth(b *bot) *obj {
	a := p.authBlock(b.ID, true)
	if b.ClientID != "" {
		a.set("client_id", b.ClientID)
	} else {
		a.set("client_id", p.cfg.ClientID)
	}
	return a
}

func (p *Portal) userBlock(u *User) *obj {
	gender := u.Gender
	if gender == "" {
		gender = "M"
	}
	return newObj().set("ID", strconv.Itoa(u.ID)).set("NAME", strings.TrimSpace(u.Name+" "+u.LastName)).
		set("FIRST_NAME", u.Name).set("LAST_NAME", u.LastName).set("WORK_POSITION", u.Position).set("GENDER", gender)
}

// chatParams is the PARAMS block of bot events for a message in ch.
func (p *Portal) chatParams(ch *chat, from int, msgID int, text string) *obj {
	dialog := ch.dialogID()
	msgType := "C"
	if ch.Type == "P" {
		dialog, msgType = strconv.Itoa(from), "P"
	}
	if ch.Type == "L" {
		msgType = "L"
	}
	return newObj().
		set("MESSAGE", text).
		set("MESSAGE_TYPE", msgType).
		set("FROM_USER_ID", strconv.Itoa(from)).
		set("DIALOG_ID", dialog).
		set("TO_CHAT_ID", strconv.Itoa(ch.ID)).
		set("AUTHOR_ID", strconv.Itoa(from)).
		set("SYSTEM", "N").
		set("CHAT_ID", strconv.Itoa(ch.ID)).
		set("CHAT_TYPE", msgType).
		set("CHAT_ENTITY_TYPE", ch.EntityType).
		set("CHAT_ENTITY_ID", ch.EntityID).
		set("MESSAGE_ID", strconv.Itoa(msgID)).
		set("LANGUAGE", p.cfg.Language)
}

// botEventLocked builds a bot event post (ONIMBOTMESSAGEADD, ONIMBOTJOINCHAT).
func (p *Portal) botEventLocked(name, url string, b *bot, params *obj, actor int) queuedEvent {
	ba := p.botAuth(b)
	ba.set("BOT_ID", strconv.Itoa(b.ID)).set("BOT_CODE", b.Code)
	data := newObj().set("BOT", newObj().set(strconv.Itoa(b.ID), ba)).set("PARAMS", params)
	if u := p.users[actor]; u != nil {
		data.set("USER", p.userBlock(u))
	}
	d := p.eventPostLocked(name, b.ID, url, data, actor, true)
	return queuedEvent{name: name, direct: &d}
}

func (p *Portal) botJoinEvent(b *bot, ch *chat, actor int) queuedEvent {
	params := p.chatParams(ch, actor, 0, "")
	params.set("BOT_ID", strconv.Itoa(b.ID)).set("USER_ID", strconv.Itoa(actor)).set("CHAT_AUTHOR_ID", strconv.Itoa(ch.OwnerID))
	return p.botEventLocked("ONIMBOTJOINCHAT", b.OnWelcome, b, params, actor)
}

// messageEventsLocked is what a user's message in ch sends to the app:
// ONIMBOTMESSAGEADD to each bot in the chat (B bots only when addressed
// in group chats), ONIMCONNECTORMESSAGEADD in open line chats.
func (p *Portal) messageEventsLocked(ch *chat, m *message) []queuedEvent {
	if !p.installed {
		return nil
	}
	var out []queuedEvent
	for _, uid := range ch.Users {
		b := p.bots[uid]
		if b == nil || uid == m.AuthorID {
			continue
		}
		if ch.Type != "P" && b.Type == "B" && !strings.Contains(m.Text, fmt.Sprintf("[USER=%d]", b.ID)) {
			continue
		}
		params := p.chatParams(ch, m.AuthorID, m.ID, m.Text)
		params.set("COMMAND_CONTEXT", "TEXTAREA").set("PLATFORM_CONTEXT", "")
		out = append(out, p.botEventLocked("ONIMBOTMESSAGEADD", b.OnMessageAdd, b, params, m.AuthorID))
	}
	if ch.Line != nil && m.AuthorID != ch.Line.ClientUserID {
		out = append(out, p.operatorMessageEvent(ch, m))
	}
	return out
}

// ErrNoCommand is returned by ClickButton for a button that sends nothing
// to the app (LINK or ACTION buttons).
var ErrNoCommand = errors.New("emulator: the button runs no bot command")

// ClickButton presses keyboard button index (0-based, NEWLINE entries
// included) of a message as userID: a COMMAND button posts ONIMCOMMANDADD
// (COMMAND_CONTEXT=KEYBOARD) to the command's EVENT_COMMAND_ADD handler;
// BLOCK=Y buttons block the keyboard.
func (p *Portal) ClickButton(ctx context.Context, userID, messageID, index int) error {
	p.mu.Lock()
	d, err := p.clickLocked(userID, messageID, index)
	p.mu.Unlock()
	if err != nil {
		return err
	}
	return p.post(ctx, d)
}

func (p *Portal) clickLocked(userID, messageID, index int) (Delivery, error) {
	m, ok := p.messages[messageID]
	if !ok || m.Deleted || m.Keyboard == nil || index < 0 || index >= len(m.Keyboard.Buttons) {
		return Delivery{}, fmt.Errorf("emulator: no button %d on message %d", index, messageID)
	}
	ch := p.chats[m.ChatID]
	u := p.users[userID]
	if u == nil || !slices.Contains(ch.Users, userID) {
		return Delivery{}, fmt.Errorf("emulator: user %d cannot see message %d", userID, messageID)
	}
	kb := m.Keyboard
	btn := kb.Buttons[index]
	if kb.Blocked || truthy(btn["DISABLED"]) {
		return Delivery{}, fmt.Errorf("emulator: button %d of message %d is disabled", index, messageID)
	}
	command := str(btn["COMMAND"])
	if command == "" {
		return Delivery{}, ErrNoCommand
	}
	if !p.installed {
		return Delivery{}, ErrNotInstalled
	}
	botID := kb.BotID
	if botID == 0 {
		botID = m.BotID
	}
	b := p.bots[botID]
	if b == nil {
		return Delivery{}, fmt.Errorf("emulator: keyboard of message %d names no bot", messageID)
	}
	var cmd *botCommand
	for _, x := range p.commands {
		if x.BotID == b.ID && strings.EqualFold(x.Command, command) {
			cmd = x
		}
	}
	if cmd == nil {
		return Delivery{}, fmt.Errorf("emulator: bot %d has no command %q", b.ID, command)
	}
	if truthy(btn["BLOCK"]) {
		kb.Blocked = true
	}
	ca := p.botAuth(b)
	auth := ca.clone()
	ca.set("AUTH", auth).
		set("BOT_ID", strconv.Itoa(b.ID)).
		set("BOT_CODE", b.Code).
		set("COMMAND", cmd.Command).
		set("COMMAND_ID", strconv.Itoa(cmd.ID)).
		set("COMMAND_PARAMS", str(btn["COMMAND_PARAMS"])).
		set("COMMAND_CONTEXT", "KEYBOARD").
		set("MESSAGE_ID", strconv.Itoa(m.ID))
	text := "/" + cmd.Command
	if cp := str(btn["COMMAND_PARAMS"]); cp != "" {
		text += " " + cp
	}
	params := p.chatParams(ch, userID, m.ID, text)
	bots := newObj()
	for _, uid := range ch.Users {
		if p.bots[uid] != nil {
			bots.set(strconv.Itoa(uid), strconv.Itoa(uid))
		}
	}
	params.set("BOT_IN_CHAT", bots)
	data := newObj().
		set("COMMAND", newObj().set(strconv.Itoa(cmd.ID), ca)).
		set("PARAMS", params).
		set("USER", p.userBlock(u))
	return p.eventPostLocked("ONIMCOMMANDADD", cmd.ID, cmd.Handler, data, userID, true), nil
}
