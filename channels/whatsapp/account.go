package whatsapp

import (
	"context"
	"net/url"

	"switchboard/channels"
)

var _ channels.AccountChecker = (*Transport)(nil)

// CheckAccount reads the phone number's profile (GET /{phone-number-id})
// with the account's token: a wrong id or token is refused by Graph.
func (t *Transport) CheckAccount(ctx context.Context, acct channels.Account) (channels.AccountInfo, error) {
	u := acct.APIBase + "/" + url.PathEscape(acct.ExternalID) + "?fields=verified_name,display_phone_number,is_on_biz_app"
	var p struct {
		VerifiedName string `json:"verified_name"`
		DisplayPhone string `json:"display_phone_number"`
		OnBizApp     bool   `json:"is_on_biz_app"`
	}
	if err := t.graph().GetJSON(ctx, acct.AccessToken, u, &p); err != nil {
		return channels.AccountInfo{}, err
	}
	return channels.AccountInfo{Name: p.VerifiedName, Phone: p.DisplayPhone, SharedWithApp: p.OnBizApp}, nil
}
