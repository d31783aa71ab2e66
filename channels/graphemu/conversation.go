package graphemu

import (
	"sort"
	"time"
)

// Client is a person writing to a business: a WhatsApp wa_id (phone digits)
// or an Instagram-scoped id (IGSID), with a profile name.
type Client struct {
	ID   string
	Name string
}

// Who sent a ChatMessage.
const (
	FromClient   = "client"
	FromBusiness = "business"
)

// Where a ChatMessage came from.
const (
	SourceClient  = "client"  // typed on the client's phone
	SourceAPI     = "api"     // sent by the app through the Graph API
	SourceApp     = "app"     // typed on the business's own phone (coexistence)
	SourceHistory = "history" // backfilled history
)

// ChatMessage is one message of a conversation as the client's phone shows it.
type ChatMessage struct {
	ID        string        `json:"id"`
	From      string        `json:"from"`   // FromClient or FromBusiness
	Source    string        `json:"source"` // SourceClient, SourceAPI, SourceApp, SourceHistory
	Type      string        `json:"type"`   // text, image, video, audio, document, sticker, location, contacts, reaction, template, interactive
	Text      string        `json:"text,omitempty"`
	Media     *MediaFile    `json:"media,omitempty"`
	Location  *Location     `json:"location,omitempty"`
	Contacts  []ContactCard `json:"contacts,omitempty"`
	ReplyTo   string        `json:"reply_to,omitempty"`
	ReactTo   string        `json:"react_to,omitempty"`
	Emoji     string        `json:"emoji,omitempty"`
	Template  string        `json:"template,omitempty"`
	Status    string        `json:"status,omitempty"` // sent, delivered, read, played; "read" on a client message means the app marked it read
	Edited    bool          `json:"edited,omitempty"`
	Revoked   bool          `json:"revoked,omitempty"`
	At        time.Time     `json:"at"`
	Recipient string        `json:"-"`

	tracker string // biz_opaque_callback_data of an API send, echoed in its statuses
	edits   int    // how many times the client edited it (Instagram num_edit)
}

// MediaFile is an attachment as the phone holds it.
type MediaFile struct {
	ID       string `json:"id"`
	MIME     string `json:"mime"`
	FileName string `json:"file_name,omitempty"`
	Size     int64  `json:"size"`
	Voice    bool   `json:"voice,omitempty"`
	URL      string `json:"url"` // the phone's own copy, /phone/media/{id}
}

// Location is a shared point.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
}

// ContactCard is a shared contact.
type ContactCard struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

type convKey struct{ account, client string }

type conversation struct {
	name        string
	lastInbound time.Time
	messages    []*ChatMessage
}

// conv returns the conversation, creating it. Call with e.mu held.
func (e *Emulator) conv(account, client string) *conversation {
	k := convKey{account, client}
	c, ok := e.convs[k]
	if !ok {
		c = &conversation{}
		e.convs[k] = c
	}
	return c
}

// findMessage finds a message by id in a conversation. Call with e.mu held.
func (c *conversation) findMessage(id string) *ChatMessage {
	for _, m := range c.messages {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// Conversation returns a copy of what the client's phone shows for account.
func (e *Emulator) Conversation(account, client string) []ChatMessage {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.convs[convKey{account, client}]
	if !ok {
		return nil
	}
	out := make([]ChatMessage, 0, len(c.messages))
	for _, m := range c.messages {
		out = append(out, copyMessage(m))
	}
	return out
}

// ClientInfo is a client with a conversation on an account.
type ClientInfo struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Clients lists the clients that have a conversation with account, by id.
func (e *Emulator) Clients(account string) []ClientInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []ClientInfo{}
	for k, c := range e.convs {
		if k.account == account {
			out = append(out, ClientInfo{ID: k.client, Name: c.name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// copyMessage deep-copies a message for callers outside the lock.
func copyMessage(m *ChatMessage) ChatMessage {
	cp := *m
	if m.Media != nil {
		media := *m.Media
		cp.Media = &media
	}
	if m.Location != nil {
		loc := *m.Location
		cp.Location = &loc
	}
	cp.Contacts = append([]ContactCard(nil), m.Contacts...)
	return cp
}

// statusRank orders statuses so they only move forward.
func statusRank(s string) int {
	switch s {
	case "sent":
		return 1
	case "delivered":
		return 2
	case "read":
		return 3
	case "played":
		return 4
	}
	return 0
}
