package instagram

import (
	"context"
	"net/url"

	"switchboard/channels"
)

var _ channels.AccountChecker = (*Transport)(nil)

// CheckAccount reads the professional account's profile (GET /{ig-id})
// with the account's token: a wrong id or token is refused by Graph.
func (t *Transport) CheckAccount(ctx context.Context, acct channels.Account) (channels.AccountInfo, error) {
	u := acct.APIBase + "/" + url.PathEscape(acct.ExternalID) + "?fields=user_id,username"
	var p struct {
		Username string `json:"username"`
	}
	if err := t.graph().GetJSON(ctx, acct.AccessToken, u, &p); err != nil {
		return channels.AccountInfo{}, err
	}
	return channels.AccountInfo{Name: p.Username}, nil
}
