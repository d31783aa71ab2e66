package whatsapp

import (
	"fmt"
	"strings"

	"switchboard/channels"
	"switchboard/channels/internal/meta"
)

// objectWABA is the "object" of every WhatsApp Business Account webhook.
const objectWABA = "whatsapp_business_account"

// Webhook fields (entry[].changes[].field) the adapter reads; others, such
// as message_template_status_update or smb_app_state_sync, are skipped.
const (
	fieldMessages = "messages"
	fieldEchoes   = "smb_message_echoes"
	fieldHistory  = "history"
)

// ParseWebhook checks the body's X-Hub-Signature-256 against acct.AppSecret
// (channels.ErrBadSignature) and maps every change addressed to
// acct.ExternalID (the phone_number_id) into the channels model. Changes for
// other numbers of the same WABA are skipped. A body that is not JSON or not
// a WhatsApp Business Account webhook is an error wrapping
// channels.ErrMalformed. Parsing is pure: a retried body gives the same ids.
func (t *Transport) ParseWebhook(acct channels.Account, signature string, body []byte) (*channels.Webhook, error) {
	entries, err := meta.DecodeWebhook[entry](acct.AppSecret, signature, body, objectWABA)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %w", err)
	}
	wh := &channels.Webhook{}
	for _, e := range entries {
		for _, c := range e.Changes {
			if c.Value.Metadata.PhoneNumberID != acct.ExternalID {
				continue
			}
			p := parser{wh: wh, acct: acct.ExternalID, value: &c.Value}
			switch c.Field {
			case fieldMessages:
				p.messages()
			case fieldEchoes:
				p.echoes()
			case fieldHistory:
				wh.History = true
				p.backfill = true
				p.history()
			}
		}
	}
	return wh, nil
}

// parser maps one change's value into the webhook being built.
type parser struct {
	wh       *channels.Webhook
	acct     string
	value    *changeValue
	backfill bool // the change is a history backfill: its messages are not live
}

// messages maps the live "messages" field: client messages and the
// delivery statuses of ours.
func (p parser) messages() {
	for _, m := range p.value.Messages {
		p.add(m, channels.Inbound, p.sender(m))
	}
	for _, s := range p.value.Statuses {
		p.wh.Statuses = append(p.wh.Statuses, mapStatus(p.acct, s))
	}
}

// echoes maps smb_message_echoes: what the business sent, edited or revoked
// in the WhatsApp Business app on its phone. The client is "to".
func (p parser) echoes() {
	for _, m := range p.value.MessageEchoes {
		p.add(m, channels.Outbound, channels.Peer{ID: m.To, Phone: digits(m.To)})
	}
}

// history maps a coexistence history chunk: old chats of the Business app,
// shared once after onboarding.
//
// Shape (Meta's history webhook reference; not yet seen live by us):
// value.history[].threads[] with id = the client's number and messages[]
// holding the usual message objects plus history_context{status}. A message
// the business sent has from = the business number (and "to" set); one the
// client sent has from = the client. So the direction is decided by
// comparing the digits of "from" with metadata.display_phone_number, with
// "to" as a second hint; the client is the thread id. A declined share comes
// as history[].errors[] with no threads and yields nothing.
func (p parser) history() {
	business := digits(p.value.Metadata.DisplayPhoneNumber)
	for _, chunk := range p.value.History {
		for _, th := range chunk.Threads {
			for _, m := range th.Messages {
				peerID := th.ID
				if peerID == "" {
					peerID = m.To
				}
				peer := channels.Peer{ID: peerID, Phone: digits(peerID)}
				dir := channels.Inbound
				if m.To != "" || (business != "" && digits(m.From) == business) {
					dir = channels.Outbound
				}
				p.add(m, dir, peer)
			}
		}
	}
}

// sender is the client who wrote m: the dialog key is wa_id (equal to
// "from"); without a number (a username-only user) it is the BSUID.
func (p parser) sender(m message) channels.Peer {
	c := p.contactOf(m)
	id := m.From
	if id == "" && c != nil {
		id = c.WaID
	}
	if id == "" {
		id = m.FromUserID
	}
	if id == "" && c != nil {
		id = c.UserID
	}
	peer := channels.Peer{ID: id, Phone: digits(m.From)}
	if peer.Phone == "" && c != nil {
		peer.Phone = digits(c.WaID)
	}
	if c != nil {
		peer.Name = c.Profile.Name
	}
	return peer
}

// contactOf finds the contacts[] entry describing m's sender: by number, by
// BSUID, or the only one there is.
func (p parser) contactOf(m message) *contact {
	cs := p.value.Contacts
	for i := range cs {
		if (m.From != "" && cs[i].WaID == m.From) || (m.FromUserID != "" && cs[i].UserID == m.FromUserID) {
			return &cs[i]
		}
	}
	if len(cs) == 1 {
		return &cs[0]
	}
	return nil
}

// add files m under what it is: a reaction, an edit, a revoke, or a message.
func (p parser) add(m message, dir channels.Direction, peer channels.Peer) {
	switch m.Type {
	case "reaction":
		r := channels.Reaction{AccountID: p.acct, ProviderID: m.ID, Peer: peer, At: m.Timestamp.Time, Direction: dir}
		if m.Reaction != nil {
			r.TargetID, r.Emoji = m.Reaction.MessageID, m.Reaction.Emoji
		}
		p.wh.Reactions = append(p.wh.Reactions, r)
	case "edit":
		e := channels.Edit{AccountID: p.acct, At: m.Timestamp.Time}
		if m.Edit != nil {
			e.TargetID = m.Edit.OriginalMessageID
			if m.Edit.Message != nil {
				e.Text = content(*m.Edit.Message).Text
			}
		}
		p.wh.Edits = append(p.wh.Edits, e)
	case "revoke":
		d := channels.Delete{AccountID: p.acct, At: m.Timestamp.Time}
		if m.Revoke != nil {
			d.TargetID = m.Revoke.OriginalMessageID
		}
		p.wh.Deletes = append(p.wh.Deletes, d)
	default:
		msg := content(m)
		msg.AccountID = p.acct
		msg.ProviderID = m.ID
		msg.Direction = dir
		msg.FromPhone = dir == channels.Outbound
		msg.Peer = peer
		msg.SentAt = m.Timestamp.Time
		msg.History = p.backfill
		if m.Context != nil {
			msg.ReplyTo = m.Context.ID
			msg.Forwarded = m.Context.Forwarded || m.Context.FrequentlyForwarded
		}
		p.wh.Messages = append(p.wh.Messages, msg)
	}
}

func mapStatus(acct string, s status) channels.Status {
	st := channels.Status{AccountID: acct, ProviderID: s.ID, State: s.Status, At: s.Timestamp.Time}
	if len(s.Errors) > 0 {
		st.ErrorCode = s.Errors[0].Code
		st.ErrorTitle = s.Errors[0].Title
		if st.ErrorTitle == "" {
			st.ErrorTitle = s.Errors[0].Message
		}
	}
	return st
}

// digits keeps only the digits of a phone number ("+1 555-0100" → "15550100").
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
