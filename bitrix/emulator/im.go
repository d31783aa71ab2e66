package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// editWindow is how long a message can be edited or deleted.
const editWindow = 3 * 24 * time.Hour

// maxBlockSize is the limit for ATTACH, KEYBOARD and MENU.
const maxBlockSize = 30 * 1024

type chat struct {
	ID          int
	Type        string // C closed, O open, P private, L open line
	Title       string
	Description string
	Color       string
	OwnerID     int
	Users       []int
	EntityType  string
	EntityID    string
	Messages    []int
	Line        *olSession // set for open line chats
}

func (c *chat) dialogID() string { return "chat" + strconv.Itoa(c.ID) }

type message struct {
	ID         int
	ChatID     int
	AuthorID   int
	BotID      int // set when a bot wrote it
	Text       string
	Keyboard   *keyboard
	Attach     any
	Menu       any
	System     bool
	Created    time.Time
	Edited     bool
	Deleted    bool
	Delivered  bool   // imconnector.send.status.delivery arrived (operator messages)
	ExternalID string // imconnector message id (client messages)
	Files      []chatFile
}

// File is an attachment a portal user sends in the messenger.
type File struct {
	Name string
	Data []byte
}

type chatFile struct {
	ID int
	File
}

// fileType is the messenger's kind of a file: image or file.
func (f chatFile) fileType() string {
	if (timelineFile{Name: f.Name}).isImage() {
		return "image"
	}
	return "file"
}

// link is the file's public URL on the portal.
func (p *Portal) fileLink(f chatFile) string {
	return p.BaseURL() + "/disk/im/" + strconv.Itoa(f.ID) + "/" + url.PathEscape(f.Name)
}

// keyboard is a message's button set; BotID routes COMMAND buttons.
type keyboard struct {
	BotID   int
	Buttons []map[string]any
	Blocked bool
}

// ChatMessage is a messenger message, for inspection.
type ChatMessage struct {
	ID        int
	AuthorID  int
	BotID     int
	Text      string
	Buttons   []Button
	System    bool
	Edited    bool
	Deleted   bool
	Created   time.Time
	Delivered bool
}

// Button is a keyboard button, for inspection.
type Button struct {
	Text, Command, CommandParams, Link string
	Block, Disabled, NewLine           bool
}

// ChatInfo is a chat, for inspection.
type ChatInfo struct {
	ID         int
	Type       string
	Title      string
	Users      []int
	EntityType string
	EntityID   string
}

// ChatMessages returns a chat's messages, oldest first (deleted ones too,
// with Deleted set).
func (p *Portal) ChatMessages(chatID int) []ChatMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch, ok := p.chats[chatID]
	if !ok {
		return nil
	}
	out := []ChatMessage{}
	for _, id := range ch.Messages {
		out = append(out, p.messageInfo(p.messages[id]))
	}
	return out
}

func (p *Portal) messageInfo(m *message) ChatMessage {
	cm := ChatMessage{ID: m.ID, AuthorID: m.AuthorID, BotID: m.BotID, Text: m.Text, System: m.System, Edited: m.Edited, Deleted: m.Deleted, Created: m.Created, Delivered: m.Delivered}
	if m.Keyboard != nil {
		for _, b := range m.Keyboard.Buttons {
			cm.Buttons = append(cm.Buttons, Button{
				Text: str(b["TEXT"]), Command: str(b["COMMAND"]), CommandParams: str(b["COMMAND_PARAMS"]), Link: str(b["LINK"]),
				Block: truthy(b["BLOCK"]), Disabled: truthy(b["DISABLED"]) || m.Keyboard.Blocked, NewLine: str(b["TYPE"]) == "NEWLINE",
			})
		}
	}
	return cm
}

// Chats lists the chats a user is a member of (all chats for 0).
func (p *Portal) Chats(userID int) []ChatInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []ChatInfo
	for _, ch := range p.sortedChats() {
		if userID == 0 || slices.Contains(ch.Users, userID) {
			out = append(out, ChatInfo{ID: ch.ID, Type: ch.Type, Title: ch.Title, Users: slices.Clone(ch.Users), EntityType: ch.EntityType, EntityID: ch.EntityID})
		}
	}
	return out
}

func (p *Portal) sortedChats() []*chat {
	out := make([]*chat, 0, len(p.chats))
	for _, ch := range p.chats {
		out = append(out, ch)
	}
	slices.SortFunc(out, func(a, b *chat) int { return a.ID - b.ID })
	return out
}

func userIDs(v any) []int {
	var out []int
	for _, x := range list(v) {
		if id := num(x); id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// newChat creates a chat owned by owner; p.mu held.
func (p *Portal) newChat(owner int, typ, title string, users []int) *chat {
	ch := &chat{ID: p.seq("chat"), Type: typ, Title: title, OwnerID: owner, Users: []int{owner}}
	for _, u := range users {
		if !slices.Contains(ch.Users, u) {
			ch.Users = append(ch.Users, u)
		}
	}
	if ch.Title == "" {
		var names []string
		for _, u := range ch.Users {
			if usr := p.users[u]; usr != nil {
				names = append(names, usr.Name)
			}
		}
		ch.Title = "Chat: " + strings.Join(names, ", ")
	}
	p.chats[ch.ID] = ch
	return ch
}

func (p *Portal) chatAddFrom(c *call, owner int) (*chat, error) {
	typ := "C"
	if strings.EqualFold(c.params.str("TYPE"), "OPEN") {
		typ = "O"
	}
	users := userIDs(c.params.sub("USERS"))
	for _, u := range users {
		if _, ok := p.users[u]; !ok {
			return nil, badRequest("USER_NOT_FOUND", fmt.Sprintf("User %d not found", u))
		}
	}
	ch := p.newChat(owner, typ, c.params.str("TITLE"), users)
	ch.Description = c.params.str("DESCRIPTION")
	ch.Color = c.params.str("COLOR")
	ch.EntityType = c.params.str("ENTITY_TYPE")
	ch.EntityID = c.params.str("ENTITY_ID")
	if text := strings.TrimSpace(c.params.str("MESSAGE")); text != "" {
		p.addMessage(ch, owner, 0, text)
	}
	if p.installed {
		for _, u := range ch.Users {
			if b := p.bots[u]; b != nil && u != owner {
				c.queued = append(c.queued, p.botJoinEvent(b, ch, owner))
			}
		}
	}
	return ch, nil
}

func (p *Portal) imChatAdd(c *call) (any, error) {
	ch, err := p.chatAddFrom(c, c.user.ID)
	if err != nil {
		return nil, err
	}
	return ch.ID, nil
}

func (p *Portal) imChatGet(c *call) (any, error) {
	et, eid := c.params.str("ENTITY_TYPE"), c.params.str("ENTITY_ID")
	for _, ch := range p.sortedChats() {
		if et != "" && ch.EntityType == et && ch.EntityID == eid && slices.Contains(ch.Users, c.user.ID) {
			return newObj().set("ID", ch.ID), nil
		}
	}
	return nil, nil
}

// memberChat finds a chat by CHAT_ID the caller belongs to.
func (p *Portal) memberChat(c *call, who int) (*chat, error) {
	id := num(c.params.str("CHAT_ID"))
	if id <= 0 {
		return nil, badRequest("CHAT_ID_EMPTY", "Chat ID can't be empty")
	}
	ch, ok := p.chats[id]
	if !ok || !slices.Contains(ch.Users, who) {
		return nil, badRequest("ACCESS_ERROR", "You don't have access to this chat")
	}
	return ch, nil
}

func (p *Portal) chatUserAdd(c *call, who int) (any, error) {
	ch, err := p.memberChat(c, who)
	if err != nil {
		return nil, err
	}
	users := userIDs(c.params.sub("USERS"))
	if len(users) == 0 {
		return nil, badRequest("USERS_EMPTY", "Users list can't be empty")
	}
	for _, u := range users {
		if _, ok := p.users[u]; !ok {
			return nil, badRequest("USER_NOT_FOUND", fmt.Sprintf("User %d not found", u))
		}
		if !slices.Contains(ch.Users, u) {
			ch.Users = append(ch.Users, u)
			if b := p.bots[u]; b != nil && p.installed {
				c.queued = append(c.queued, p.botJoinEvent(b, ch, c.user.ID))
			}
		}
	}
	return true, nil
}

func (p *Portal) imChatUserAdd(c *call) (any, error) { return p.chatUserAdd(c, c.user.ID) }

func (p *Portal) chatUserList(c *call, who int) (any, error) {
	id := num(c.params.str("CHAT_ID"))
	if id <= 0 {
		return nil, badRequest("CHAT_ID_EMPTY", "Chat ID can't be empty")
	}
	ch, ok := p.chats[id]
	if !ok || !slices.Contains(ch.Users, who) {
		return []int{}, nil // no rights: empty
	}
	return slices.Clone(ch.Users), nil
}

func (p *Portal) imChatUserList(c *call) (any, error) { return p.chatUserList(c, c.user.ID) }

func (p *Portal) chatUserDelete(c *call, who int) (any, error) {
	ch, err := p.memberChat(c, who)
	if err != nil {
		return nil, err
	}
	uid := num(c.params.str("USER_ID"))
	if !slices.Contains(ch.Users, uid) {
		return nil, badRequest("USER_NOT_FOUND", "User not found in chat")
	}
	if uid != who && ch.OwnerID != who { // only the owner removes others; anyone may leave
		return nil, badRequest("ACCESS_ERROR", "You don't have access to this chat")
	}
	ch.Users = slices.DeleteFunc(ch.Users, func(u int) bool { return u == uid })
	return true, nil
}

func (p *Portal) imChatUserDelete(c *call) (any, error) { return p.chatUserDelete(c, c.user.ID) }

// addMessage appends a message to a chat; p.mu held.
func (p *Portal) addMessage(ch *chat, author, botID int, text string) *message {
	m := &message{ID: p.seq("message"), ChatID: ch.ID, AuthorID: author, BotID: botID, Text: text, Created: p.now()}
	p.messages[m.ID] = m
	ch.Messages = append(ch.Messages, m.ID)
	return m
}

// resolveDialog finds the chat of a DIALOG_ID: "chatN" or a user id (the
// private chat of who and that user, created on demand); p.mu held.
func (p *Portal) resolveDialog(dialog string, who int) (*chat, *apiError) {
	dialog = strings.TrimSpace(dialog)
	if dialog == "" {
		return nil, badRequest("DIALOG_ID_EMPTY", "Dialog ID can't be empty")
	}
	if strings.HasPrefix(dialog, "chat") || strings.HasPrefix(dialog, "sg") {
		id, _ := strconv.Atoi(strings.TrimLeft(dialog, "chatsg"))
		ch, ok := p.chats[id]
		if !ok {
			return nil, badRequest("CHAT_ID", "Chat not found")
		}
		if !slices.Contains(ch.Users, who) {
			return nil, badRequest("ACCESS_ERROR", "You don't have access to this chat")
		}
		return ch, nil
	}
	uid, err := strconv.Atoi(dialog)
	if err != nil || p.users[uid] == nil {
		return nil, badRequest("USER_NOT_FOUND", "User not found")
	}
	for _, ch := range p.sortedChats() {
		if ch.Type == "P" && slices.Contains(ch.Users, who) && slices.Contains(ch.Users, uid) && len(ch.Users) <= 2 {
			return ch, nil
		}
	}
	return p.newChat(who, "P", "", []int{uid}), nil
}

// parseKeyboard reads KEYBOARD: {BOT_ID, BUTTONS}, a bare array, a JSON
// string, or "N"/empty to remove (nil, true).
func parseKeyboard(v any, defaultBot int) (*keyboard, bool, *apiError) {
	if v == nil {
		return nil, false, nil
	}
	if s, ok := v.(string); ok && (strings.TrimSpace(s) == "" || strings.EqualFold(strings.TrimSpace(s), "N")) {
		return nil, true, nil
	}
	o := asObj(v)
	if o == nil {
		return nil, false, badRequest("KEYBOARD_ERROR", "Incorrect keyboard params")
	}
	if data, _ := json.Marshal(o); len(data) > maxBlockSize {
		return nil, false, badRequest("KEYBOARD_OVERSIZE", "You have exceeded the maximum allowable size of keyboard")
	}
	kb := &keyboard{BotID: defaultBot}
	buttons := o
	if b, ok := o.get("BUTTONS"); ok {
		kb.BotID = num(o.str("BOT_ID"))
		if kb.BotID == 0 {
			kb.BotID = defaultBot
		}
		buttons = asObj(b)
	}
	for _, bv := range list(buttons) {
		bo := asObj(bv)
		if bo == nil {
			continue
		}
		m, _ := plain(bo).(map[string]any)
		if str(m["TYPE"]) != "NEWLINE" && (str(m["TEXT"]) == "" || !hasAction(m)) {
			return nil, false, badRequest("KEYBOARD_ERROR", "Incorrect keyboard params")
		}
		kb.Buttons = append(kb.Buttons, m)
	}
	if len(kb.Buttons) == 0 {
		return nil, true, nil
	}
	return kb, true, nil
}

// hasAction reports whether a button does something, as every button but
// a NEWLINE must: a LINK, a COMMAND, an ACTION with its ACTION_VALUE, or an
// APP_ID.
func hasAction(b map[string]any) bool {
	return str(b["LINK"]) != "" || str(b["COMMAND"]) != "" || str(b["APP_ID"]) != "" ||
		(str(b["ACTION"]) != "" && str(b["ACTION_VALUE"]) != "")
}

func checkBlock(v any, code string) (any, *apiError) {
	if v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok && (strings.TrimSpace(s) == "" || strings.EqualFold(s, "N")) {
		return nil, nil
	}
	o := asObj(v)
	if o == nil {
		return nil, badRequest(code+"_ERROR", "Incorrect "+strings.ToLower(code)+" params")
	}
	if data, _ := json.Marshal(o); len(data) > maxBlockSize {
		return nil, badRequest(code+"_OVERSIZE", "You have exceeded the maximum allowable size of "+strings.ToLower(code))
	}
	return plain(o), nil
}

// postMessage is im.message.add / imbot.message.add after the author is known.
func (p *Portal) postMessage(c *call, ch *chat, author, botID int) (any, error) {
	text := strings.TrimSpace(c.params.str("MESSAGE"))
	attach, aerr := checkBlock(c.params.vals["ATTACH"], "ATTACH")
	if aerr != nil {
		return nil, aerr
	}
	if text == "" && attach == nil {
		return nil, badRequest("MESSAGE_EMPTY", "Message can't be empty")
	}
	kb, _, kerr := parseKeyboard(c.params.vals["KEYBOARD"], botID)
	if kerr != nil {
		return nil, kerr
	}
	menu, merr := checkBlock(c.params.vals["MENU"], "MENU")
	if merr != nil {
		return nil, merr
	}
	m := p.addMessage(ch, author, botID, text)
	m.Keyboard, m.Attach, m.Menu = kb, attach, menu
	m.System = truthy(c.params.str("SYSTEM"))
	return m.ID, nil
}

func (p *Portal) imMessageAdd(c *call) (any, error) {
	ch, err := p.resolveDialog(c.params.str("DIALOG_ID"), c.user.ID)
	if err != nil {
		return nil, err
	}
	return p.postMessage(c, ch, c.user.ID, 0)
}

var errCantEdit = badRequest("CANT_EDIT_MESSAGE", "Time has expired for modification or you don't have access")

// editable finds a message the author may still change (3 days).
func (p *Portal) editable(c *call, author int) (*message, error) {
	id := num(c.params.str("MESSAGE_ID"))
	m, ok := p.messages[id]
	if id <= 0 || !ok || m.Deleted {
		return nil, badRequest("MESSAGE_ID_ERROR", "Message ID can't be empty")
	}
	if m.AuthorID != author || p.now().Sub(m.Created) > editWindow {
		return nil, errCantEdit
	}
	return m, nil
}

// updateMessage applies MESSAGE/ATTACH/KEYBOARD/MENU; an empty MESSAGE deletes.
func (p *Portal) updateMessage(c *call, m *message) (any, error) {
	if v, ok := c.params.get("MESSAGE"); ok {
		text := strings.TrimSpace(str(v))
		if text == "" {
			m.Deleted = true
			return true, nil
		}
		m.Text = text
		m.Edited = !strings.EqualFold(c.params.str("IS_EDITED"), "N")
	}
	if v, ok := c.params.get("ATTACH"); ok {
		a, err := checkBlock(v, "ATTACH")
		if err != nil {
			return nil, err
		}
		m.Attach = a
	}
	if v, ok := c.params.get("KEYBOARD"); ok {
		kb, _, err := parseKeyboard(v, m.BotID)
		if err != nil {
			return nil, err
		}
		m.Keyboard = kb
	}
	if v, ok := c.params.get("MENU"); ok {
		mn, err := checkBlock(v, "MENU")
		if err != nil {
			return nil, err
		}
		m.Menu = mn
	}
	return true, nil
}

func (p *Portal) imMessageUpdate(c *call) (any, error) {
	m, err := p.editable(c, c.user.ID)
	if err != nil {
		return nil, err
	}
	return p.updateMessage(c, m)
}

func (p *Portal) imMessageDelete(c *call) (any, error) {
	m, err := p.editable(c, c.user.ID)
	if err != nil {
		return nil, err
	}
	m.Deleted = true
	return true, nil
}

// attachFiles stores files on a message; p.mu held.
func (p *Portal) attachFiles(m *message, files []File) {
	for _, f := range files {
		m.Files = append(m.Files, chatFile{ID: p.seq("file"), File: f})
	}
}

// serveChatFile serves a messenger attachment.
func (p *Portal) serveChatFile(w http.ResponseWriter, r *http.Request, id int) {
	p.mu.Lock()
	var file *chatFile
	for _, m := range p.messages {
		for i := range m.Files {
			if m.Files[i].ID == id {
				file = &m.Files[i]
			}
		}
	}
	p.mu.Unlock()
	if file == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", http.DetectContentType(file.Data))
	_, _ = w.Write(file.Data)
}

// PostAsUser writes a message into a chat as a portal user (the messenger
// page's composer); in an open line chat it reaches the app as
// ONIMCONNECTORMESSAGEADD, in a bot's chat as ONIMBOTMESSAGEADD.
func (p *Portal) PostAsUser(userID, chatID int, text string, files ...File) (int, error) {
	p.mu.Lock()
	ch, ok := p.chats[chatID]
	if !ok || !slices.Contains(ch.Users, userID) {
		p.mu.Unlock()
		return 0, fmt.Errorf("emulator: user %d is not in chat %d", userID, chatID)
	}
	text = strings.TrimSpace(text)
	if text == "" && len(files) == 0 {
		p.mu.Unlock()
		return 0, fmt.Errorf("emulator: empty message")
	}
	m := p.addMessage(ch, userID, 0, text)
	p.attachFiles(m, files)
	queued := p.messageEventsLocked(ch, m)
	p.mu.Unlock()
	p.deliverAsync(queued)
	return m.ID, nil
}

// maxDialogMessages is im.dialog.messages.get's page limit.
const maxDialogMessages = 50

// imDialogMessagesGet lists a chat's messages the caller may see, newest
// first (LIMIT, default 20, at most 50; LAST_ID: older than it; FIRST_ID:
// newer than it). A deleted message keeps its place with an empty text
// and params.IS_DELETED=Y; a completely deleted one is gone.
func (p *Portal) imDialogMessagesGet(c *call) (any, error) {
	ch, err := p.resolveDialog(c.params.str("DIALOG_ID"), c.user.ID)
	if err != nil {
		return nil, err
	}
	limit := num(c.params.str("LIMIT"))
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, maxDialogMessages)
	last, first := num(c.params.str("LAST_ID")), num(c.params.str("FIRST_ID"))
	msgs := []*obj{}
	authors := map[int]bool{}
	for _, id := range slices.Backward(ch.Messages) {
		if len(msgs) == limit {
			break
		}
		if (last > 0 && id >= last) || (first > 0 && id <= first) {
			continue
		}
		m := p.messages[id]
		params := newObj()
		text := m.Text
		if m.Deleted {
			text = ""
			params.set("IS_DELETED", "Y")
		}
		msgs = append(msgs, newObj().set("id", m.ID).set("chat_id", ch.ID).set("author_id", m.AuthorID).
			set("date", m.Created.Format(time.RFC3339)).set("text", text).set("unread", false).set("params", params))
		authors[m.AuthorID] = true
	}
	users := []*obj{}
	for _, uid := range p.userIDs {
		if u := p.users[uid]; u != nil && authors[uid] {
			users = append(users, newObj().set("id", u.ID).set("name", strings.TrimSpace(u.Name+" "+u.LastName)).set("bot", u.bot))
		}
	}
	return newObj().set("chat_id", ch.ID).set("messages", msgs).set("users", users).set("files", []any{}), nil
}
