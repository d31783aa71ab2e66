// Package bitrixtest holds conformance suites for the interfaces package bitrix asks the app
// to implement: run TokenStore and Limiter against them with the app's PostgreSQL-backed
// implementations, so the client's guarantees (one refresh per portal across instances,
// a shared leaky bucket) hold in production and not only with the in-memory versions.
package bitrixtest
