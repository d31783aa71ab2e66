package channels

import "context"

// AccountChecker is a transport that can check an account's credentials
// with the provider before it is saved (the settings page's "add channel").
// A refusal is a *SendError (a bad token or id is permanent).
type AccountChecker interface {
	CheckAccount(ctx context.Context, acct Account) (AccountInfo, error)
}

// AccountInfo is what the provider says about a checked account.
type AccountInfo struct {
	Name  string // the verified business name, or the Instagram username
	Phone string // WhatsApp: the display phone number
	// SharedWithApp: the number is also used in the WhatsApp Business app
	// (coexistence), so its history is offered to the app.
	SharedWithApp bool
}
