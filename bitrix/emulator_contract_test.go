package bitrix_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"switchboard/bitrix"
	"switchboard/bitrix/bitrixtest"
	"switchboard/bitrix/emulator"
)

// contractPortal is an installed emulated portal and our client on it.
func contractPortal(t *testing.T, cfg emulator.Config) (*emulator.Portal, *bitrix.Client, string) {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	portal, srv := emulator.NewServer(cfg)
	t.Cleanup(srv.Close)
	portal.AddUser(emulator.User{ID: 1, Name: "Anna", LastName: "Petrova", Admin: true})
	portal.FinishInstall()
	access, refresh := portal.IssueToken(1)
	tokens := bitrix.NewMemoryTokens()
	tokens.Set(portal.MemberID(), bitrix.Tokens{Access: access, Refresh: refresh, Expires: time.Now().Add(time.Hour)})
	c := bitrix.New(bitrix.Config{ClientID: portal.Config().ClientID, ClientSecret: portal.Config().ClientSecret,
		OAuthURL: srv.URL, Tokens: tokens, Limiter: bitrix.NewMemoryLimiter(2, 45), Logger: cfg.Logger,
		RetryBase: 5 * time.Millisecond, RetryMax: 20 * time.Millisecond, MaxRetries: 3})
	return portal, c, srv.URL
}

// TestContractWithTheEmulator runs every typed helper against the portal
// emulator over HTTP: what the client sends, the emulator accepts, and what
// the emulator answers, the client decodes.
func TestContractWithTheEmulator(t *testing.T) {
	portal, c, url := contractPortal(t, emulator.Config{})
	bitrixtest.Contract(t, bitrixtest.ContractPortal{Client: c.Portal(portal.MemberID(), url), HandlerURL: "https://app.example"})
}

// TestErrorContractWithTheEmulator checks each error answer of the
// emulator against the typed error the client gives for it.
func TestErrorContractWithTheEmulator(t *testing.T) {
	ctx := context.Background()
	portal, c, url := contractPortal(t, emulator.Config{})
	app := c.Portal(portal.MemberID(), url)

	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"unknown method", func() error { return app.Call(ctx, "crm.nothing.here", nil, nil) }, bitrix.ErrMethodNotFound},
		{"unknown token", func() error { return c.CallWithToken(ctx, url, "forged", "user.current", nil, nil) }, bitrix.ErrInvalidToken},
		{"no token", func() error { return c.CallWithToken(ctx, url, "", "user.current", nil, nil) }, bitrix.ErrInvalidToken},
		{"no app context", func() error {
			return c.CallWithToken(ctx, url, portal.IssueSessionToken(1), "app.info", nil, nil)
		}, bitrix.ErrAccessDenied},
		{"CRM item not found", func() error { _, err := app.Contact(ctx, 987654); return err }, bitrix.ErrNotFound},
	}
	for _, tc := range cases {
		err := tc.call()
		var be *bitrix.Error
		if !errors.Is(err, tc.want) || !errors.As(err, &be) {
			t.Errorf("%s: err = %v, want %v as a *bitrix.Error", tc.name, err, tc.want)
		}
	}

	dups, err := app.FindByComm(ctx, "PHONE", []string{"+1 000 000 0000"}, "")
	if err != nil || len(dups.Contacts)+len(dups.Leads)+len(dups.Companies) != 0 {
		t.Errorf("findbycomm with no match (the emulator answers []): %+v, %v", dups, err)
	}

	// An expired token is refreshed through the OAuth server and the call retried.
	portal.ExpireTokens()
	if _, err := app.CurrentUser(ctx); err != nil {
		t.Errorf("after expiry: %v, want a refresh and a retry", err)
	}
	if portal.Stats().OAuthGrants == 0 {
		t.Error("no refresh reached the OAuth server")
	}

	// A portal that keeps answering 503 QUERY_LIMIT_EXCEEDED: retried, then surfaced.
	portal.SetFaults(emulator.Faults{ForceRateLimit: true})
	if _, err := app.CurrentUser(ctx); !errors.Is(err, bitrix.ErrRateLimited) {
		t.Errorf("forced rate limit: %v, want ErrRateLimited after retries", err)
	}
	portal.SetFaults(emulator.Faults{})
}

func TestInsufficientScopeContract(t *testing.T) {
	for _, status := range []int{401, 403} {
		portal, c, url := contractPortal(t, emulator.Config{Scopes: []string{"user"}, InsufficientScopeStatus: status})
		_, err := c.Portal(portal.MemberID(), url).Contact(context.Background(), 1)
		var be *bitrix.Error
		if !errors.Is(err, bitrix.ErrInsufficientScope) || !errors.As(err, &be) || be.HTTPStatus != status {
			t.Errorf("status %d: err = %v, want insufficient_scope with that status", status, err)
		}
	}
}
