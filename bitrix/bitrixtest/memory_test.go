package bitrixtest

import (
	"testing"

	"switchboard/bitrix"
)

func TestMemoryTokens(t *testing.T) {
	TokenStore(t, func(*testing.T) (func() bitrix.TokenStore, func(string, bitrix.Tokens)) {
		store := bitrix.NewMemoryTokens()
		return func() bitrix.TokenStore { return store }, store.Set
	})
}

func TestMemoryLimiter(t *testing.T) {
	Limiter(t, func(_ *testing.T, rate float64, burst int) func() bitrix.Limiter {
		l := bitrix.NewMemoryLimiter(rate, burst)
		return func() bitrix.Limiter { return l }
	})
}
