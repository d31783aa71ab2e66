package graphemu

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// statusDelay keeps status webhooks just behind the send response, as on
// the real service, so the app has recorded the wamid when they arrive.
const statusDelay = 150 * time.Millisecond

// lateSent is how long ReorderStatuses holds a "sent" status back.
const lateSent = 800 * time.Millisecond

// newWamid returns a unique WhatsApp message id.
func (e *Emulator) newWamid() string {
	b := make([]byte, 26)
	binary.BigEndian.PutUint64(b, e.seq.Add(1))
	_, _ = rand.Read(b[8:])
	return "wamid.HBgL" + base64.StdEncoding.EncodeToString(b)
}

// windowOpen reports whether the client wrote to account within the last
// hours hours.
func (e *Emulator) windowOpen(account, client string, hours int) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.convs[convKey{account, client}]
	if !ok || c.lastInbound.IsZero() {
		return false
	}
	return e.now().Sub(c.lastInbound) <= time.Duration(hours)*time.Hour
}

// addBusinessMessage puts an accepted message on the client's phone: "sent"
// at once, "delivered" if a phone page for that client is open.
func (e *Emulator) addBusinessMessage(account, client string, msg *ChatMessage) {
	kind, _ := e.accountKind(account)
	e.statusMu.Lock()
	e.mu.Lock()
	c := e.conv(account, client)
	if kind == "whatsapp" {
		msg.Status = "sent"
	}
	c.messages = append(c.messages, msg)
	snapshot := copyMessage(msg)
	online := len(e.subs[convKey{account, client}]) > 0
	e.mu.Unlock()

	if n, ok := e.number(account); ok && msg.Source != SourceApp {
		sent := waValue{Statuses: []waStatus{e.statusItem(n, client, snapshot, "sent")}}
		if e.currentFaults().ReorderStatuses {
			e.background(func(ctx context.Context) {
				if sleepCtx(ctx, lateSent) {
					e.sendWA(n, "messages", sent, 0)
				}
			})
		} else {
			e.sendWA(n, "messages", sent, statusDelay)
		}
	}
	e.statusMu.Unlock()
	e.publish(account, client, "message", snapshot)
	if online {
		e.MarkDelivered(account, client)
	}
}

// statusItem builds a statuses[] item with conversation and pricing, as Meta does.
func (e *Emulator) statusItem(n Number, client string, m ChatMessage, status string) waStatus {
	now := e.now()
	category := "service"
	if m.Template != "" {
		category = "utility"
	}
	day := now.UTC().Format("2006-01-02")
	sum := sha256.Sum256([]byte(n.PhoneNumberID + "/" + client + "/" + day))
	st := waStatus{
		ID: m.ID, Status: status, Timestamp: unixString(now), RecipientID: client, BizOpaqueCallbackData: m.tracker,
		Conversation: &waConversation{ID: hex.EncodeToString(sum[:16]), Origin: waOrigin{Type: category}},
		Pricing:      &waPricing{Billable: true, PricingModel: "PMP", Category: category},
	}
	if status == "sent" {
		st.Conversation.ExpirationTimestamp = unixString(now.Add(24 * time.Hour))
	}
	return st
}

// failStatus sends an asynchronous "failed" status for a message.
func (e *Emulator) failStatus(n Number, client, id string, item waErrorItem) {
	e.log.Info("graphemu: whatsapp message failed", "id", id, "code", item.Code)
	e.sendWA(n, "messages", waValue{Statuses: []waStatus{{
		ID: id, Status: "failed", Timestamp: unixString(e.now()), RecipientID: client,
		Errors: []waErrorItem{item},
	}}}, statusDelay)
}

// MarkDelivered delivers every business message the client has not received
// yet, as when the client's phone comes online.
func (e *Emulator) MarkDelivered(account, client string) {
	e.advance(account, client, "delivered", "")
}

// MarkRead reads every business message of the conversation, as when the
// client looks at the chat.
func (e *Emulator) MarkRead(account, client string) {
	e.advance(account, client, "read", "")
}

// MarkPlayed marks a voice note as played by the client.
func (e *Emulator) MarkPlayed(account, client, messageID string) {
	e.advance(account, client, "played", messageID)
}

// advance moves business messages (all, or only onlyID) up to target,
// sending every intermediate status in order.
func (e *Emulator) advance(account, client, target, onlyID string) {
	type change struct {
		status   string
		snapshot ChatMessage
	}
	var changes []change
	var lastMid string
	e.statusMu.Lock() // status webhooks of a message are queued in order
	defer e.statusMu.Unlock()
	e.mu.Lock()
	c, ok := e.convs[convKey{account, client}]
	if !ok {
		e.mu.Unlock()
		return
	}
	for _, m := range c.messages {
		if m.From != FromBusiness || m.Source == SourceHistory || m.Type == "reaction" && target == "played" {
			continue
		}
		if onlyID != "" && m.ID != onlyID {
			continue
		}
		goal := statusRank(target)
		if target == "played" && !(m.Media != nil && m.Media.Voice) {
			goal = statusRank("read")
		}
		for r := statusRank(m.Status) + 1; r <= goal; r++ {
			m.Status = []string{"", "sent", "delivered", "read", "played"}[r]
			changes = append(changes, change{status: m.Status, snapshot: copyMessage(m)})
			lastMid = m.ID
		}
	}
	e.mu.Unlock()
	if len(changes) == 0 {
		return
	}
	if n, ok := e.number(account); ok {
		for _, ch := range changes {
			if n.Coexistence && ch.snapshot.Source == SourceApp {
				continue // the business app's own messages get no Cloud API statuses
			}
			e.sendWA(n, "messages", waValue{Statuses: []waStatus{e.statusItem(n, client, ch.snapshot, ch.status)}}, statusDelay)
		}
	} else if a, ok := e.igAccount(account); ok && target == "read" {
		e.sendIGRead(a, client, lastMid)
	}
	for _, ch := range changes {
		e.publish(account, client, "status", ch.snapshot)
	}
}

// markClientMessageRead records the app's mark-as-read of a client message
// (and of the earlier ones, as WhatsApp does) and shows it on the phone.
func (e *Emulator) markClientMessageRead(account, messageID string) bool {
	e.mu.Lock()
	var client string
	var updated []ChatMessage
	for k, c := range e.convs {
		if k.account != account {
			continue
		}
		target := c.findMessage(messageID)
		if target == nil || target.From != FromClient {
			continue
		}
		client = k.client
		for _, m := range c.messages {
			if m.From == FromClient && m.Status != "read" && !m.At.After(target.At) {
				m.Status = "read"
				updated = append(updated, copyMessage(m))
			}
		}
		break
	}
	e.mu.Unlock()
	if client == "" {
		return false
	}
	for _, m := range updated {
		e.publish(account, client, "status", m)
	}
	return true
}
