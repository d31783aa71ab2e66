package bitrix

import (
	"context"
	"fmt"
	"sort"
	"strconv"
)

// Bot is an imbot.register request.
type Bot struct {
	Code                string        `json:"CODE"`
	Type                string        `json:"TYPE,omitempty"`          // B (default), O, H, S
	OpenLine            string        `json:"OPENLINE,omitempty"`      // "Y" for an Open Lines bot
	EventHandler        string        `json:"EVENT_HANDLER,omitempty"` // one URL for every event
	EventMessageAdd     string        `json:"EVENT_MESSAGE_ADD,omitempty"`
	EventMessageUpdate  string        `json:"EVENT_MESSAGE_UPDATE,omitempty"`
	EventMessageDelete  string        `json:"EVENT_MESSAGE_DELETE,omitempty"`
	EventWelcomeMessage string        `json:"EVENT_WELCOME_MESSAGE,omitempty"`
	EventBotDelete      string        `json:"EVENT_BOT_DELETE,omitempty"`
	ClientID            string        `json:"CLIENT_ID,omitempty"` // webhooks only
	Properties          BotProperties `json:"PROPERTIES"`
}

// BotProperties are the bot's profile (NAME or LAST_NAME required).
type BotProperties struct {
	Name           string `json:"NAME,omitempty"`
	LastName       string `json:"LAST_NAME,omitempty"`
	Color          string `json:"COLOR,omitempty"`
	Email          string `json:"EMAIL,omitempty"`
	WorkPosition   string `json:"WORK_POSITION,omitempty"`
	PersonalWWW    string `json:"PERSONAL_WWW,omitempty"`
	PersonalGender string `json:"PERSONAL_GENDER,omitempty"`
	PersonalPhoto  string `json:"PERSONAL_PHOTO,omitempty"` // base64
}

// RegisterBot registers a chat bot (imbot.register) and returns its BOT_ID, also its user id.
func (p *PortalClient) RegisterBot(ctx context.Context, b Bot) (int64, error) {
	var id FlexInt
	if err := p.Call(ctx, "imbot.register", b, &id); err != nil {
		return 0, err
	}
	return int64(id), nil
}

// BotCommand is an imbot.command.register request.
type BotCommand struct {
	BotID           int64            `json:"BOT_ID"`
	Command         string           `json:"COMMAND"`
	EventCommandAdd string           `json:"EVENT_COMMAND_ADD"`
	Lang            []BotCommandLang `json:"LANG"`
	Common          bool             `json:"-"` // COMMON=Y: usable in any chat
	Hidden          bool             `json:"-"` // HIDDEN=Y: keyboard-only, not listed
	ExtranetSupport bool             `json:"-"`
	ClientID        string           `json:"CLIENT_ID,omitempty"`
}

// MarshalJSON adds the Y/N flags.
func (c BotCommand) MarshalJSON() ([]byte, error) {
	type plain BotCommand
	return withMembers(plain(c), member{"COMMON", yn(c.Common)}, member{"HIDDEN", yn(c.Hidden)},
		member{"EXTRANET_SUPPORT", yn(c.ExtranetSupport)}).MarshalJSON()
}

// BotCommandLang is a command's caption in one language.
type BotCommandLang struct {
	LanguageID string `json:"LANGUAGE_ID"`
	Title      string `json:"TITLE"`
	Params     string `json:"PARAMS,omitempty"`
}

// RegisterBotCommand registers a bot command (imbot.command.register) and returns its id.
func (p *PortalClient) RegisterBotCommand(ctx context.Context, c BotCommand) (int64, error) {
	var id FlexInt
	if err := p.Call(ctx, "imbot.command.register", c, &id); err != nil {
		return 0, err
	}
	return int64(id), nil
}

// AddBotMessage sends a message as a bot (imbot.message.add) and returns its id.
func (p *PortalClient) AddBotMessage(ctx context.Context, m Message) (int64, error) {
	var id FlexInt
	if err := p.Call(ctx, "imbot.message.add", m, &id); err != nil {
		return 0, err
	}
	return int64(id), nil
}

// UpdateBotMessage edits a bot's message (imbot.message.update); errors.Is(err,
// ErrCantEditMessage) after three days.
func (p *PortalClient) UpdateBotMessage(ctx context.Context, m MessageUpdate) error {
	return p.Call(ctx, "imbot.message.update", m, nil)
}

// DeleteBotMessage deletes a bot's message (imbot.message.delete); complete leaves no
// "message deleted" stub.
func (p *PortalClient) DeleteBotMessage(ctx context.Context, botID, messageID int64, complete bool) error {
	return p.Call(ctx, "imbot.message.delete", Params{"BOT_ID": botID, "MESSAGE_ID": messageID, "COMPLETE": yn(complete)}, nil)
}

// BotCommandAnswer is an imbot.command.answer request.
type BotCommandAnswer struct {
	CommandID int64     `json:"COMMAND_ID"`
	MessageID int64     `json:"MESSAGE_ID"` // from the event
	Text      string    `json:"MESSAGE"`
	Attach    any       `json:"ATTACH,omitempty"`
	Keyboard  *Keyboard `json:"KEYBOARD,omitempty"`
	ClientID  string    `json:"CLIENT_ID,omitempty"`
}

// AnswerBotCommand posts the bot's answer to a command (imbot.command.answer) and returns
// the message id.
func (p *PortalClient) AnswerBotCommand(ctx context.Context, a BotCommandAnswer) (int64, error) {
	var id FlexInt
	if err := p.Call(ctx, "imbot.command.answer", a, &id); err != nil {
		return 0, err
	}
	return int64(id), nil
}

// BotCommandCall is one entry of an ONIMCOMMANDADD event's data[COMMAND], with the bot's tokens.
type BotCommandCall struct {
	BotID            FlexInt `json:"BOT_ID"`
	BotCode          string  `json:"BOT_CODE"`
	Command          string  `json:"COMMAND"`
	CommandID        FlexInt `json:"COMMAND_ID"`
	CommandParams    string  `json:"COMMAND_PARAMS"`
	CommandContext   string  `json:"COMMAND_CONTEXT"` // TEXTAREA, KEYBOARD, MENU
	MessageID        FlexInt `json:"MESSAGE_ID"`      // for KEYBOARD: the message carrying the keyboard
	AccessToken      string  `json:"access_token"`    // acts as the bot
	ApplicationToken string  `json:"application_token"`
}

// BotCommandEvent is a decoded ONIMCOMMANDADD delivery.
type BotCommandEvent struct {
	Commands []BotCommandCall
	Params   struct {
		DialogID   string  `json:"DIALOG_ID"`
		ChatID     FlexInt `json:"CHAT_ID"`
		FromUserID FlexInt `json:"FROM_USER_ID"`
		MessageID  FlexInt `json:"MESSAGE_ID"`
		Message    string  `json:"MESSAGE"`
		Language   string  `json:"LANGUAGE"`
	}
	User struct {
		ID        FlexInt `json:"ID"`
		Name      string  `json:"NAME"`
		FirstName string  `json:"FIRST_NAME"`
		LastName  string  `json:"LAST_NAME"`
	}
}

// ParseBotCommand decodes an ONIMCOMMANDADD event (a keyboard button press or a typed command).
func ParseBotCommand(ev *Event) (*BotCommandEvent, error) {
	if ev.Name != EventBotCommandAdd {
		return nil, fmt.Errorf("%w: %s is not %s", ErrBadEvent, ev.Name, EventBotCommandAdd)
	}
	var out BotCommandEvent
	if p := ev.Data.Map("PARAMS"); p != nil {
		if err := p.Decode(&out.Params); err != nil {
			return nil, err
		}
	}
	if u := ev.Data.Map("USER"); u != nil {
		if err := u.Decode(&out.User); err != nil {
			return nil, err
		}
	}
	cmds := ev.Data.Get("COMMAND")
	var entries []any
	switch c := cmds.(type) {
	case map[string]any: // keyed by command id
		keys := make([]string, 0, len(c))
		for k := range c {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, _ := strconv.Atoi(keys[i])
			b, _ := strconv.Atoi(keys[j])
			return a < b
		})
		for _, k := range keys {
			entries = append(entries, c[k])
		}
	case []any:
		entries = c
	}
	for _, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		var call BotCommandCall
		if err := Values(m).Decode(&call); err != nil {
			return nil, err
		}
		out.Commands = append(out.Commands, call)
	}
	if len(out.Commands) == 0 {
		return nil, fmt.Errorf("%w: ONIMCOMMANDADD without data[COMMAND]", ErrBadEvent)
	}
	return &out, nil
}

// AddBotChat creates a group chat owned by a bot (imbot.chat.add) and
// returns its id; the bot can post to it without being added.
func (p *PortalClient) AddBotChat(ctx context.Context, botID int64, c NewChat) (int64, error) {
	var id FlexInt
	req := struct {
		BotID int64 `json:"BOT_ID"`
		NewChat
	}{botID, c}
	if err := p.Call(ctx, "imbot.chat.add", req, &id); err != nil {
		return 0, err
	}
	return int64(id), nil
}

// BotChatByEntity finds the bot's chat bound to an entity (imbot.chat.get
// with ENTITY_TYPE and ENTITY_ID); 0 when there is none.
func (p *PortalClient) BotChatByEntity(ctx context.Context, botID int64, entityType, entityID string) (int64, error) {
	var id *FlexInt
	err := p.Call(ctx, "imbot.chat.get", Params{"BOT_ID": botID, "ENTITY_TYPE": entityType, "ENTITY_ID": entityID}, &id)
	if err != nil || id == nil {
		return 0, err
	}
	return int64(*id), nil
}

// AddBotChatUsers adds users to a bot's chat (imbot.chat.user.add);
// hideHistory hides earlier messages from them.
func (p *PortalClient) AddBotChatUsers(ctx context.Context, botID, chatID int64, users []int64, hideHistory bool) error {
	return p.Call(ctx, "imbot.chat.user.add", Params{"BOT_ID": botID, "CHAT_ID": chatID, "USERS": users, "HIDE_HISTORY": yn(hideHistory)}, nil)
}

// BotChatUsers returns the ids of a bot's chat's members (imbot.chat.user.list).
func (p *PortalClient) BotChatUsers(ctx context.Context, botID, chatID int64) ([]int64, error) {
	var ids FlexList[FlexInt]
	if err := p.Call(ctx, "imbot.chat.user.list", Params{"BOT_ID": botID, "CHAT_ID": chatID}, &ids); err != nil {
		return nil, err
	}
	return int64s(ids), nil
}

// DeleteBotChatUser removes a member from a chat the bot owns (imbot.chat.user.delete).
func (p *PortalClient) DeleteBotChatUser(ctx context.Context, botID, chatID, userID int64) error {
	return p.Call(ctx, "imbot.chat.user.delete", Params{"BOT_ID": botID, "CHAT_ID": chatID, "USER_ID": userID}, nil)
}
