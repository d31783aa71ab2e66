package bitrix

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// oauthMethod names the OAuth token endpoint in errors.
const oauthMethod = "oauth/token"

// Grant is the OAuth server's answer to a token request.
type Grant struct {
	Tokens
	MemberID       string // portal id
	BaseURL        string // portal base URL, from client_endpoint (the answer's `domain` is the OAuth server)
	Scope          string
	UserID         int64
	ServerEndpoint string
}

// tokenAnswer is the JSON of a token answer.
type tokenAnswer struct {
	AccessToken      string     `json:"access_token"`
	RefreshToken     string     `json:"refresh_token"`
	Expires          FlexInt    `json:"expires"`
	ExpiresIn        FlexInt    `json:"expires_in"`
	MemberID         string     `json:"member_id"`
	ClientEndpoint   string     `json:"client_endpoint"`
	Scope            string     `json:"scope"`
	UserID           FlexInt    `json:"user_id"`
	ServerEndpoint   string     `json:"server_endpoint"`
	Error            string     `json:"error"`
	ErrorDescription FlexString `json:"error_description"`
}

// RefreshTokens exchanges a refresh token for a new pair at the OAuth server. The answer
// rotates the refresh token: persist both. Prefer letting PortalClient refresh through the
// TokenStore; this is the raw exchange (invalid_grant ⇒ errors.Is(err, ErrInvalidGrant)).
func (c *Client) RefreshTokens(ctx context.Context, refreshToken string) (Tokens, error) {
	if refreshToken == "" {
		return Tokens{}, &Error{Code: "invalid_grant", Description: "no refresh token stored", Method: oauthMethod}
	}
	g, err := c.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
	if err != nil {
		return Tokens{}, err
	}
	return g.Tokens, nil
}

// ExchangeCode trades an authorization code (valid 30 s) from the OAuth redirect for a grant.
func (c *Client) ExchangeCode(ctx context.Context, code string) (*Grant, error) {
	return c.token(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {code}})
}

// token calls GET {OAuthURL}/oauth/token/ with the app's credentials added to q.
func (c *Client) token(ctx context.Context, q url.Values) (*Grant, error) {
	q.Set("client_id", c.cfg.ClientID)
	q.Set("client_secret", c.cfg.ClientSecret)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.OAuthURL+"/oauth/token/?"+q.Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("bitrix: %s: %w", oauthMethod, redactURLError(err))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bitrix: %s: %w", oauthMethod, redactURLError(err))
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("bitrix: %s: read answer: %w", oauthMethod, err)
	}
	var ans tokenAnswer
	if err := json.Unmarshal(data, &ans); err != nil {
		return nil, &Error{HTTPStatus: res.StatusCode, Description: snippet(data), Method: oauthMethod}
	}
	if ans.Error != "" || res.StatusCode >= 400 || ans.AccessToken == "" {
		return nil, &Error{HTTPStatus: res.StatusCode, Code: ans.Error,
			Description: string(ans.ErrorDescription), Method: oauthMethod}
	}
	g := &Grant{Tokens: ans.tokens(time.Now()), MemberID: ans.MemberID, Scope: ans.Scope,
		UserID: int64(ans.UserID), ServerEndpoint: ans.ServerEndpoint}
	if ans.ClientEndpoint != "" {
		g.BaseURL = normalizeBase(ans.ClientEndpoint)
	}
	return g, nil
}

// tokens converts the answer. The expiry is reckoned on our clock from expires_in: with the
// server's absolute `expires`, a clock running ahead would make every fresh token look
// expired and the client would refresh on every call.
func (a tokenAnswer) tokens(now time.Time) Tokens {
	t := Tokens{Access: a.AccessToken, Refresh: a.RefreshToken}
	switch {
	case a.ExpiresIn > 0:
		t.Expires = now.Add(time.Duration(a.ExpiresIn) * time.Second)
	case a.Expires > 0:
		t.Expires = time.Unix(int64(a.Expires), 0)
	}
	return t
}

// redactURLError drops the request URL (which carries client_secret) from a transport error.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s oauth token endpoint: %w", ue.Op, ue.Err)
	}
	return err
}
