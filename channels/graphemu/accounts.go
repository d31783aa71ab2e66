package graphemu

import (
	"context"
	"fmt"
	"sort"
)

// Number is a WhatsApp business phone number on the Cloud API.
type Number struct {
	PhoneNumberID string // Graph object id used in paths and webhooks
	DisplayPhone  string // digits, as in metadata.display_phone_number
	Name          string // business profile name, shown on the phone page
	WABAID        string // entry[].id of webhooks; "1" + PhoneNumberID when empty
	AccessToken   string // the bearer token the app must send
	AppSecret     string // signs webhooks
	WebhookURL    string // where webhooks for this number are POSTed
	// Coexistence means the business also uses the WhatsApp Business app on
	// this number: smb_message_echoes and history webhooks are sent.
	Coexistence bool
	// History is backfilled through "history" webhooks right after the number
	// is added, when Coexistence is set.
	History []HistoryThread
	// HistoryDeclined makes the backfill a single "declined" history webhook.
	HistoryDeclined bool
	// Templates are the approved templates; when empty any template name
	// is accepted.
	Templates []Template
}

// IGAccount is an Instagram professional account on the Messaging API.
type IGAccount struct {
	ID          string // IG professional account id (entry[].id, recipient of client messages)
	Username    string
	AccessToken string
	AppSecret   string
	WebhookURL  string
}

// AccountInfo describes an account for the phone page.
type AccountInfo struct {
	Kind        string `json:"kind"` // "whatsapp" or "instagram"
	ID          string `json:"id"`
	Name        string `json:"name"`
	Phone       string `json:"phone,omitempty"`
	Coexistence bool   `json:"coexistence,omitempty"`
}

// AddWhatsAppNumber registers (or replaces) a WhatsApp number. A coexistence
// number with History starts its backfill at once.
func (e *Emulator) AddWhatsAppNumber(n Number) {
	if n.WABAID == "" {
		n.WABAID = "1" + n.PhoneNumberID
	}
	e.mu.Lock()
	e.numbers[n.PhoneNumberID] = &n
	e.mu.Unlock()
	e.log.Info("graphemu: whatsapp number added", "phone_number_id", n.PhoneNumberID, "coexistence", n.Coexistence)
	if n.Coexistence && (len(n.History) > 0 || n.HistoryDeclined) {
		threads := n.History
		declined := n.HistoryDeclined
		e.background(func(context.Context) {
			var err error
			if declined {
				err = e.DeclineHistory(n.PhoneNumberID)
			} else {
				err = e.SendHistory(n.PhoneNumberID, threads)
			}
			if err != nil {
				e.log.Error("graphemu: history backfill failed", "phone_number_id", n.PhoneNumberID, "err", err)
			}
		})
	}
}

// AddInstagramAccount registers (or replaces) an Instagram account.
func (e *Emulator) AddInstagramAccount(a IGAccount) {
	e.mu.Lock()
	e.igAccounts[a.ID] = &a
	e.mu.Unlock()
	e.log.Info("graphemu: instagram account added", "ig_id", a.ID)
}

// Accounts lists the registered accounts, WhatsApp numbers first.
func (e *Emulator) Accounts() []AccountInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []AccountInfo
	for _, n := range e.numbers {
		out = append(out, AccountInfo{Kind: "whatsapp", ID: n.PhoneNumberID, Name: n.Name, Phone: n.DisplayPhone, Coexistence: n.Coexistence})
	}
	for _, a := range e.igAccounts {
		out = append(out, AccountInfo{Kind: "instagram", ID: a.ID, Name: "@" + a.Username})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind > out[j].Kind
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// number returns a copy of a registered number.
func (e *Emulator) number(id string) (Number, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	n, ok := e.numbers[id]
	if !ok {
		return Number{}, false
	}
	return *n, true
}

// igAccount returns a copy of a registered Instagram account.
func (e *Emulator) igAccount(id string) (IGAccount, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.igAccounts[id]
	if !ok {
		return IGAccount{}, false
	}
	return *a, true
}

// knownToken reports whether any account uses tok.
func (e *Emulator) knownToken(tok string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, n := range e.numbers {
		if n.AccessToken == tok {
			return true
		}
	}
	for _, a := range e.igAccounts {
		if a.AccessToken == tok {
			return true
		}
	}
	return false
}

// igAccountByToken finds the Instagram account a token belongs to ("/me").
func (e *Emulator) igAccountByToken(tok string) (IGAccount, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range e.igAccounts {
		if a.AccessToken == tok {
			return *a, true
		}
	}
	return IGAccount{}, false
}

// accountKind says which API an account id belongs to.
func (e *Emulator) accountKind(id string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.numbers[id]; ok {
		return "whatsapp", nil
	}
	if _, ok := e.igAccounts[id]; ok {
		return "instagram", nil
	}
	return "", fmt.Errorf("graphemu: unknown account %q", id)
}
