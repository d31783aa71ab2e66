package graphemu

import (
	"errors"
	"fmt"
)

// igMessageEdit is the message_edit event of an edited Instagram message.
type igMessageEdit struct {
	Mid     string `json:"mid"`
	Text    string `json:"text"`
	NumEdit int    `json:"num_edit"`
}

// ClientEdit edits a text an Instagram client sent; the business gets a
// message_edit event.
func (e *Emulator) ClientEdit(account, client, mid, text string) error {
	if text == "" {
		return errors.New("graphemu: edited text is empty")
	}
	var edits int
	a, err := e.clientChange(account, client, mid, func(m *ChatMessage) error {
		if m.Type != KindText {
			return errors.New("graphemu: only texts can be edited")
		}
		m.Text, m.Edited = text, true
		m.edits++
		edits = m.edits
		return nil
	})
	if err != nil {
		return err
	}
	e.sendIG(a, 0, igMessaging{Sender: igID{client}, Recipient: igID{a.ID}, Timestamp: e.now().UnixMilli(),
		MessageEdit: &igMessageEdit{Mid: mid, Text: text, NumEdit: edits}})
	return nil
}

// ClientUnsend unsends an Instagram client's message; the business gets a
// message with is_deleted.
func (e *Emulator) ClientUnsend(account, client, mid string) error {
	a, err := e.clientChange(account, client, mid, func(m *ChatMessage) error {
		m.Revoked, m.Text, m.Media = true, "", nil
		return nil
	})
	if err != nil {
		return err
	}
	e.sendIG(a, 0, igMessaging{Sender: igID{client}, Recipient: igID{a.ID}, Timestamp: e.now().UnixMilli(),
		Message: &igMessage{Mid: mid, IsDeleted: true}})
	return nil
}

// clientChange applies a change to a client's own Instagram message and
// shows it on the phone.
func (e *Emulator) clientChange(account, client, mid string, apply func(*ChatMessage) error) (IGAccount, error) {
	a, ok := e.igAccount(account)
	if !ok {
		return IGAccount{}, fmt.Errorf("%w %q (edits and unsends are Instagram's)", ErrUnknownAccount, account)
	}
	e.mu.Lock()
	var m *ChatMessage
	if c, ok := e.convs[convKey{account, client}]; ok {
		m = c.findMessage(mid)
	}
	if m == nil || m.From != FromClient || m.Revoked {
		e.mu.Unlock()
		return a, fmt.Errorf("graphemu: no message %q of this client", mid)
	}
	if err := apply(m); err != nil {
		e.mu.Unlock()
		return a, err
	}
	snapshot := copyMessage(m)
	e.mu.Unlock()
	e.publish(account, client, "status", snapshot)
	return a, nil
}
