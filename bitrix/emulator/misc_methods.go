package emulator

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Notification is an im.notify.* notification, for inspection.
type Notification struct {
	ID         int
	UserID     int
	AuthorID   int    // personal: the calling user; system: 0
	Kind       string // "personal" or "system"
	Message    string // BB-codes, [url=…] links included
	MessageOut string
	Tag        string
	SubTag     string
	Attach     any // decoded ATTACH, nil when none
	Created    time.Time
}

// maxNotifyAttach is the ATTACH limit of im.notify.* ([D]: 60,000 characters).
const maxNotifyAttach = 60000

// Notifications lists the notifications sent to the users.
func (p *Portal) Notifications() []Notification {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Notification(nil), p.notifications...)
}

// imNotify answers im.notify.personal.add / system.add ([D]
// chats/notifications/im-notify-personal-add.md): USER_ID*, MESSAGE*
// (trimmed), MESSAGE_OUT, TAG (a new one with the same tag replaces the
// older), SUB_TAG, ATTACH; the result is the notification id. The docs say it
// "may return false" when nothing was created: the emulator answers false
// for a recipient who is not an active employee (a guess at when).
func (p *Portal) imNotify(kind string) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		if c.tok.kind == kindSession {
			return nil, errAppContext
		}
		uid := num(c.params.str("USER_ID"))
		if uid <= 0 {
			return nil, badRequest("USER_ID_EMPTY", "User ID can't be empty")
		}
		text := strings.TrimSpace(c.params.str("MESSAGE"))
		if text == "" {
			return nil, badRequest("MESSAGE_EMPTY", "Message can't be empty")
		}
		attach, aerr := notifyAttach(c.params.vals["ATTACH"])
		if aerr != nil {
			return nil, aerr
		}
		if u := p.users[uid]; u == nil || u.Inactive || u.bot || u.external {
			return false, nil
		}
		n := Notification{ID: p.seq("notify"), UserID: uid, Kind: kind, Message: text,
			MessageOut: c.params.str("MESSAGE_OUT"), Tag: c.params.str("TAG"), SubTag: c.params.str("SUB_TAG"),
			Attach: attach, Created: p.now()}
		if kind == "personal" {
			n.AuthorID = c.user.ID
		}
		if n.Tag != "" {
			p.notifications = slices.DeleteFunc(p.notifications, func(old Notification) bool { return old.Tag == n.Tag })
		}
		p.notifications = append(p.notifications, n)
		return n.ID, nil
	}
}

// notifyAttach checks an ATTACH: an object, a list of blocks or a JSON string.
func notifyAttach(v any) (any, *apiError) {
	if isNil(v) {
		return nil, nil
	}
	if s, ok := v.(string); ok {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		parsed, err := parseJSON([]byte(s))
		if err != nil {
			return nil, badRequest("ATTACH_ERROR", "Incorrect attach params")
		}
		v = parsed
	}
	o := asObj(v)
	if o == nil || o.len() == 0 {
		return nil, badRequest("ATTACH_ERROR", "Incorrect attach params")
	}
	if data, _ := json.Marshal(o); len([]rune(string(data))) > maxNotifyAttach {
		return nil, badRequest("ATTACH_OVERSIZE", "You have exceeded the maximum allowable size of attach")
	}
	return plain(o), nil
}

// imNotifyDelete answers im.notify.delete by ID, TAG or SUB_TAG.
func (p *Portal) imNotifyDelete(c *call) (any, error) {
	id, tag, sub := num(c.params.str("ID")), c.params.str("TAG"), c.params.str("SUB_TAG")
	p.notifications = slices.DeleteFunc(p.notifications, func(n Notification) bool {
		return (id > 0 && n.ID == id) || (tag != "" && n.Tag == tag) || (sub != "" && n.SubTag == sub)
	})
	return true, nil
}

// crmSettingsMode answers crm.settings.mode.get: 1, classic CRM with leads.
func (p *Portal) crmSettingsMode(c *call) (any, error) { return 1, nil }
