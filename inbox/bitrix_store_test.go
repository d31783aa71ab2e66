package inbox_test

import (
	"context"
	"testing"

	"switchboard/bitrix"
	"switchboard/bitrix/bitrixtest"
	"switchboard/db"
	"switchboard/db/pgtest"
	"switchboard/inbox"
)

func TestPortalTokensContract(t *testing.T) {
	bitrixtest.TokenStore(t, func(t *testing.T) (func() bitrix.TokenStore, func(string, bitrix.Tokens)) {
		dsn := pgtest.DSN(t)
		open := func() *db.Store {
			conn, err := db.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close() })
			return db.New(conn)
		}
		seedStore := open()
		handle := func() bitrix.TokenStore { return inbox.PortalTokens{Store: open()} }
		seed := func(portal string, tok bitrix.Tokens) {
			expires := tok.Expires
			_, err := seedStore.UpsertPortal(context.Background(), db.Portal{Domain: portal + ".test", MemberID: portal,
				AccessToken: tok.Access, RefreshToken: tok.Refresh, TokenExpiresAt: &expires})
			if err != nil {
				t.Fatal(err)
			}
		}
		return handle, seed
	})
}

func TestPortalLimiterContract(t *testing.T) {
	bitrixtest.Limiter(t, func(t *testing.T, rate float64, burst int) func() bitrix.Limiter {
		dsn := pgtest.DSN(t)
		return func() bitrix.Limiter {
			conn, err := db.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close() })
			return inbox.PortalLimiter{Store: db.New(conn), Rate: rate, Burst: burst}
		}
	})
}
