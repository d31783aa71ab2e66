package emulator

import (
	"strconv"
	"strings"
	"time"
)

// Notification is an im.notify.* notification, for inspection.
type Notification struct {
	ID      int
	UserID  int
	Message string
	Tag     string
	Created time.Time
}

// Notifications lists the notifications sent to the users.
func (p *Portal) Notifications() []Notification {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Notification(nil), p.notifications...)
}

// imNotify answers im.notify.system.add / personal.add: a TAG replaces the
// older notification with the same tag.
func (p *Portal) imNotify(c *call) (any, error) {
	if c.tok.kind == kindSession {
		return nil, errAppContext
	}
	uid := num(c.params.str("USER_ID"))
	if p.users[uid] == nil {
		return nil, badRequest("USER_ID_EMPTY", "Recipient ID can't be empty")
	}
	text := strings.TrimSpace(c.params.str("MESSAGE"))
	if text == "" {
		return nil, badRequest("MESSAGE_EMPTY", "Message can't be empty")
	}
	n := Notification{ID: p.seq("notify"), UserID: uid, Message: text, Tag: c.params.str("TAG"), Created: p.now()}
	if n.Tag != "" {
		kept := p.notifications[:0]
		for _, old := range p.notifications {
			if old.Tag != n.Tag {
				kept = append(kept, old)
			}
		}
		p.notifications = kept
	}
	p.notifications = append(p.notifications, n)
	return n.ID, nil
}

func (p *Portal) imNotifyDelete(c *call) (any, error) {
	id, tag := num(c.params.str("ID")), c.params.str("TAG")
	kept := p.notifications[:0]
	for _, n := range p.notifications {
		if (id > 0 && n.ID == id) || (tag != "" && n.Tag == tag) {
			continue
		}
		kept = append(kept, n)
	}
	p.notifications = kept
	return true, nil
}

// crmSettingsMode answers crm.settings.mode.get: 1, classic CRM with leads.
func (p *Portal) crmSettingsMode(c *call) (any, error) { return 1, nil }

// departmentGet answers department.get with the one department everybody is in.
func (p *Portal) departmentGet(c *call) (any, error) {
	head := ""
	if a := p.adminLocked(); a != nil {
		head = strconv.Itoa(a.ID)
	}
	return listResult{items: []*obj{newObj().set("ID", "1").set("NAME", "Company").set("SORT", 500).set("UF_HEAD", head)}, total: 1}, nil
}
