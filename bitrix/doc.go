// Package bitrix is Switchboard's Bitrix24 REST client. It owns the wire protocol of a
// portal's REST API: calls over OAuth with transparent token refresh (serialized per portal
// through a TokenStore), the per-portal rate limit (a Limiter shared by all instances),
// backoff on the portal's limit errors, typed errors, batch and paginated calls, tolerant
// decoding of Bitrix's loose JSON, thin typed helpers for the methods Switchboard uses, and
// parsing of the events and placement POSTs a portal sends to the app. It imports no other
// Switchboard package; pointing a PortalClient at another base URL (a real portal or the
// emulator) is all it takes to switch backends.
package bitrix
