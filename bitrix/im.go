package bitrix

import (
	"context"
	"encoding/json"
)

// NewChat is an im.chat.add request.
type NewChat struct {
	Type        string  `json:"TYPE,omitempty"` // "CHAT" (closed, default) or "OPEN"
	Title       string  `json:"TITLE,omitempty"`
	Description string  `json:"DESCRIPTION,omitempty"`
	Color       string  `json:"COLOR,omitempty"`
	Message     string  `json:"MESSAGE,omitempty"` // first message
	Users       []int64 `json:"USERS,omitempty"`   // the caller joins as owner
	Avatar      string  `json:"AVATAR,omitempty"`  // base64
	EntityType  string  `json:"ENTITY_TYPE,omitempty"`
	EntityID    string  `json:"ENTITY_ID,omitempty"`
}

// AddChat creates a group chat (im.chat.add) and returns its id (DIALOG_ID "chat<id>").
func (p *PortalClient) AddChat(ctx context.Context, c NewChat) (int64, error) {
	var id FlexInt
	if err := p.Call(ctx, "im.chat.add", c, &id); err != nil {
		return 0, err
	}
	return int64(id), nil
}

// AddChatUsers adds users to a chat (im.chat.user.add); hideHistory hides earlier messages from them.
func (p *PortalClient) AddChatUsers(ctx context.Context, chatID int64, users []int64, hideHistory bool) error {
	return p.Call(ctx, "im.chat.user.add", Params{"CHAT_ID": chatID, "USERS": users, "HIDE_HISTORY": yn(hideHistory)}, nil)
}

// ChatUsers returns the ids of a chat's members (im.chat.user.list).
func (p *PortalClient) ChatUsers(ctx context.Context, chatID int64) ([]int64, error) {
	var ids FlexList[FlexInt]
	if err := p.Call(ctx, "im.chat.user.list", Params{"CHAT_ID": chatID}, &ids); err != nil {
		return nil, err
	}
	return int64s(ids), nil
}

// DeleteChatUser removes a member from a chat (im.chat.user.delete).
func (p *PortalClient) DeleteChatUser(ctx context.Context, chatID, userID int64) error {
	return p.Call(ctx, "im.chat.user.delete", Params{"CHAT_ID": chatID, "USER_ID": userID}, nil)
}

// Message is a messenger message to send (im.message.add, imbot.message.add).
type Message struct {
	BotID      int64     `json:"BOT_ID,omitempty"`    // imbot only; 0: the app's first bot
	DialogID   string    `json:"DIALOG_ID"`           // "chat<id>" or a user id
	Text       string    `json:"MESSAGE"`             // BB-codes allowed
	Attach     any       `json:"ATTACH,omitempty"`    // ≤ 30 KB
	Keyboard   *Keyboard `json:"KEYBOARD,omitempty"`  // ≤ 30 KB
	Menu       any       `json:"MENU,omitempty"`      // ≤ 30 KB
	System     bool      `json:"-"`                   // sent as SYSTEM=Y
	URLPreview *bool     `json:"-"`                   // nil: portal default (Y)
	ReplyID    int64     `json:"REPLY_ID,omitempty"`  // im only
	ClientID   string    `json:"CLIENT_ID,omitempty"` // webhooks only
}

// MarshalJSON adds the Y/N flags.
func (m Message) MarshalJSON() ([]byte, error) {
	type plain Message
	return withMembers(plain(m), flags(m.System, m.URLPreview)...).MarshalJSON()
}

// MessageUpdate changes a sent message (im.message.update, imbot.message.update).
type MessageUpdate struct {
	BotID     int64     `json:"BOT_ID,omitempty"` // imbot only
	MessageID int64     `json:"MESSAGE_ID"`
	Text      string    `json:"MESSAGE,omitempty"`  // "": text unchanged (delete with DeleteMessage)
	Attach    any       `json:"ATTACH,omitempty"`   // "N" removes
	Keyboard  *Keyboard `json:"KEYBOARD,omitempty"` // an empty Keyboard removes it
	Menu      any       `json:"MENU,omitempty"`     // "N" removes
	NotEdited bool      `json:"-"`                  // sent as IS_EDITED=N: no "edited" mark
}

// MarshalJSON adds the Y/N flags.
func (m MessageUpdate) MarshalJSON() ([]byte, error) {
	type plain MessageUpdate
	var extra []member
	if m.NotEdited {
		extra = append(extra, member{"IS_EDITED", "N"})
	}
	return withMembers(plain(m), extra...).MarshalJSON()
}

// flags returns SYSTEM and URL_PREVIEW members when set.
func flags(system bool, urlPreview *bool) []member {
	var out []member
	if system {
		out = append(out, member{"SYSTEM", "Y"})
	}
	if urlPreview != nil {
		out = append(out, member{"URL_PREVIEW", yn(*urlPreview)})
	}
	return out
}

// Keyboard is a message keyboard; BotID routes COMMAND buttons to the right bot.
type Keyboard struct {
	BotID   int64    `json:"BOT_ID,omitempty"`
	Buttons []Button `json:"BUTTONS"`
}

// MarshalJSON writes "N" for a keyboard without buttons, which removes it on update.
func (k Keyboard) MarshalJSON() ([]byte, error) {
	if len(k.Buttons) == 0 {
		return []byte(`"N"`), nil
	}
	type plain Keyboard
	return json.Marshal(plain(k))
}

// Button is a keyboard button; a COMMAND button reaches the bot's EVENT_COMMAND_ADD handler.
type Button struct {
	Text          string `json:"TEXT,omitempty"`
	Type          string `json:"TYPE,omitempty"` // "NEWLINE" breaks the row
	Link          string `json:"LINK,omitempty"`
	Command       string `json:"COMMAND,omitempty"`
	CommandParams string `json:"COMMAND_PARAMS,omitempty"`
	Action        string `json:"ACTION,omitempty"` // PUT, SEND, COPY, CALL, DIALOG
	ActionValue   string `json:"ACTION_VALUE,omitempty"`
	Block         string `json:"BLOCK,omitempty"`    // "Y": keyboard blocked after a press
	Disabled      string `json:"DISABLED,omitempty"` // "Y"
	Display       string `json:"DISPLAY,omitempty"`  // LINE or BLOCK
	Context       string `json:"CONTEXT,omitempty"`  // MOBILE, DESKTOP, ALL
	BgColorToken  string `json:"BG_COLOR_TOKEN,omitempty"`
	BgColor       string `json:"BG_COLOR,omitempty"`
	TextColor     string `json:"TEXT_COLOR,omitempty"`
	Width         int    `json:"WIDTH,omitempty"`
}

// NewLine is the row-break button.
var NewLine = Button{Type: "NEWLINE"}

// AddMessage sends a message as the calling user (im.message.add) and returns its id.
func (p *PortalClient) AddMessage(ctx context.Context, m Message) (int64, error) {
	m.BotID = 0
	var id FlexInt
	if err := p.Call(ctx, "im.message.add", m, &id); err != nil {
		return 0, err
	}
	return int64(id), nil
}

// UpdateMessage edits a message of the calling user (im.message.update); errors.Is(err,
// ErrCantEditMessage) once it is too old.
func (p *PortalClient) UpdateMessage(ctx context.Context, m MessageUpdate) error {
	m.BotID = 0
	return p.Call(ctx, "im.message.update", m, nil)
}

// DeleteMessage deletes a message of the calling user (im.message.delete).
func (p *PortalClient) DeleteMessage(ctx context.Context, messageID int64) error {
	return p.Call(ctx, "im.message.delete", Params{"MESSAGE_ID": messageID}, nil)
}

// yn formats a bool the Bitrix way.
func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// int64s converts flexible ids.
func int64s(l []FlexInt) []int64 {
	out := make([]int64, len(l))
	for i, v := range l {
		out[i] = int64(v)
	}
	return out
}

// DialogMessage is a message as im.dialog.messages.get lists it (a
// deleted one has an empty text).
type DialogMessage struct {
	ID       FlexInt `json:"id"`
	ChatID   FlexInt `json:"chat_id"`
	AuthorID FlexInt `json:"author_id"`
	Text     string  `json:"text"`
}

// DialogMessages lists a dialog's latest messages, newest first
// (im.dialog.messages.get; limit at most 50).
func (p *PortalClient) DialogMessages(ctx context.Context, dialogID string, limit int) ([]DialogMessage, error) {
	var res struct {
		Messages []DialogMessage `json:"messages"`
	}
	if err := p.Call(ctx, "im.dialog.messages.get", Params{"DIALOG_ID": dialogID, "LIMIT": limit}, &res); err != nil {
		return nil, err
	}
	return res.Messages, nil
}
