package bitrix

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Tokens are a portal's OAuth pair.
type Tokens struct {
	Access  string
	Refresh string
	Expires time.Time // when Access expires; zero if unknown
}

// TokenStore keeps each portal's tokens; Refresh must be serialized per portal across processes.
type TokenStore interface {
	// Tokens returns the portal's stored tokens (an error wrapping ErrNoTokens if there are none).
	Tokens(ctx context.Context, portal string) (Tokens, error)
	// RefreshTokens runs refresh while holding a per-portal lock (e.g. SELECT … FOR UPDATE),
	// unless the stored access token already differs from stale (another instance refreshed
	// first: return the stored one), and saves the result atomically.
	RefreshTokens(ctx context.Context, portal string, stale string,
		refresh func(ctx context.Context, current Tokens) (Tokens, error)) (Tokens, error)
}

// ErrNoTokens is returned by a TokenStore for a portal it holds no tokens for.
var ErrNoTokens = errors.New("bitrix: no tokens stored for portal")

// MemoryTokens is an in-process TokenStore for tests and the demo; safe for concurrent use.
type MemoryTokens struct {
	mu      sync.Mutex
	portals map[string]*memoryPortal
}

type memoryPortal struct {
	refreshing sync.Mutex // held for a whole refresh, like a row lock
	mu         sync.Mutex // guards tokens
	tokens     Tokens
}

// NewMemoryTokens returns an empty MemoryTokens.
func NewMemoryTokens() *MemoryTokens {
	return &MemoryTokens{portals: map[string]*memoryPortal{}}
}

func (m *MemoryTokens) portal(key string, create bool) *memoryPortal {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.portals == nil {
		m.portals = map[string]*memoryPortal{}
	}
	p := m.portals[key]
	if p == nil && create {
		p = &memoryPortal{}
		m.portals[key] = p
	}
	return p
}

// Set stores the portal's tokens (as an install handler would).
func (m *MemoryTokens) Set(portal string, t Tokens) {
	p := m.portal(portal, true)
	p.mu.Lock()
	p.tokens = t
	p.mu.Unlock()
}

// Tokens returns the portal's stored tokens.
func (m *MemoryTokens) Tokens(_ context.Context, portal string) (Tokens, error) {
	p := m.portal(portal, false)
	if p == nil {
		return Tokens{}, fmt.Errorf("%w %q", ErrNoTokens, portal)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokens, nil
}

// RefreshTokens serializes refreshes per portal and skips them when another caller already
// replaced the stale access token.
func (m *MemoryTokens) RefreshTokens(ctx context.Context, portal, stale string,
	refresh func(ctx context.Context, current Tokens) (Tokens, error)) (Tokens, error) {
	p := m.portal(portal, false)
	if p == nil {
		return Tokens{}, fmt.Errorf("%w %q", ErrNoTokens, portal)
	}
	p.refreshing.Lock()
	defer p.refreshing.Unlock()
	p.mu.Lock()
	current := p.tokens
	p.mu.Unlock()
	if current.Access != stale {
		return current, nil
	}
	next, err := refresh(ctx, current)
	if err != nil {
		return Tokens{}, err
	}
	p.mu.Lock()
	p.tokens = next
	p.mu.Unlock()
	return next, nil
}
