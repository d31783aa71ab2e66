package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"switchboard/bitrix"
	"switchboard/db"
)

// PortalTokens keeps each portal's OAuth tokens in PostgreSQL for the
// Bitrix24 client. A refresh holds the portal's row lock, so two instances
// never spend the same rotating refresh token.
type PortalTokens struct{ Store *db.Store }

// Tokens reads a portal's stored tokens.
func (t PortalTokens) Tokens(ctx context.Context, memberID string) (bitrix.Tokens, error) {
	pt, err := t.Store.TokensByMemberID(ctx, memberID)
	if errors.Is(err, db.ErrNotFound) {
		return bitrix.Tokens{}, fmt.Errorf("%w: portal %s", bitrix.ErrNoTokens, memberID)
	}
	if err != nil {
		return bitrix.Tokens{}, err
	}
	return toBitrixTokens(pt), nil
}

// RefreshTokens refreshes under the portal's lock, unless another instance
// already replaced the stale access token.
func (t PortalTokens) RefreshTokens(ctx context.Context, memberID, stale string, refresh func(context.Context, bitrix.Tokens) (bitrix.Tokens, error)) (bitrix.Tokens, error) {
	pt, err := t.Store.LockTokens(ctx, memberID, func(cur db.PortalTokens) (db.PortalTokens, error) {
		if cur.Access != stale {
			return cur, nil
		}
		next, err := refresh(ctx, toBitrixTokens(cur))
		if err != nil {
			return cur, err
		}
		expires := next.Expires
		return db.PortalTokens{Access: next.Access, Refresh: next.Refresh, Expires: &expires}, nil
	})
	if errors.Is(err, db.ErrNotFound) {
		return bitrix.Tokens{}, fmt.Errorf("%w: portal %s", bitrix.ErrNoTokens, memberID)
	}
	if err != nil {
		return bitrix.Tokens{}, err
	}
	return toBitrixTokens(pt), nil
}

func toBitrixTokens(pt db.PortalTokens) bitrix.Tokens {
	t := bitrix.Tokens{Access: pt.Access, Refresh: pt.Refresh}
	if pt.Expires != nil {
		t.Expires = *pt.Expires
	}
	return t
}

// PortalLimiter is the leaky bucket every instance of the app shares per
// portal, kept in PostgreSQL.
type PortalLimiter struct {
	Store *db.Store
	Rate  float64 // calls per second
	Burst int
}

// Wait admits one call for the portal, waiting as long as the bucket says.
func (l PortalLimiter) Wait(ctx context.Context, memberID string) error {
	for {
		wait, err := l.Store.TakeCall(ctx, memberID, l.Rate, l.Burst)
		if err != nil || wait <= 0 {
			return err
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}
