package instagram

import (
	"context"
	"net/http"
	"net/url"

	"switchboard/channels"
	"switchboard/channels/internal/meta"
)

var _ channels.AccountChecker = (*Transport)(nil)

// CheckAccount reads the professional account's profile (GET /{ig-id})
// with the account's token: a wrong id or token is refused by Graph.
func (t *Transport) CheckAccount(ctx context.Context, acct channels.Account) (channels.AccountInfo, error) {
	u := acct.APIBase + "/" + url.PathEscape(acct.ExternalID) + "?fields=user_id,username"
	resp, err := t.graph().Do(ctx, acct.AccessToken, http.MethodGet, u, nil, "")
	if err != nil {
		return channels.AccountInfo{}, err
	}
	defer resp.Body.Close()
	var p struct {
		Username string `json:"username"`
	}
	if err := meta.DecodeBody(resp, &p); err != nil {
		return channels.AccountInfo{}, err
	}
	return channels.AccountInfo{Name: p.Username}, nil
}
