// Package bitrixtest holds test suites around package bitrix. TokenStore and Limiter are
// conformance suites for the interfaces the app implements (run them against the
// PostgreSQL-backed versions, so one refresh per portal across instances and a shared leaky
// bucket hold in production too). Contract drives the typed helpers against a live portal
// (the emulator or a throwaway portal): swapping the base URL is all it takes.
package bitrixtest
