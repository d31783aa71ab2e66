package whatsapp

// IsTransient reports whether a Graph API / Cloud API error code is worth
// retrying later: rate and throughput limits and Meta's own internal
// errors. Permanent codes (re-engagement window, undeliverable, spam limit,
// auth, permissions, bad parameters, templates...) return false.
func IsTransient(code int) bool {
	switch code {
	case 1, // unknown API error, "possibly a temporary issue"
		2,      // temporary service error
		4,      // app API call rate limit
		17,     // user API call rate limit
		32,     // page call rate limit
		613,    // calls within one hour exceeded
		80007,  // WABA rate limit
		130429, // throughput limit (messages per second)
		131000, // something went wrong (generic internal)
		131016, // service unavailable
		131056, // pair rate limit: too many messages to one user
		133004: // server temporarily unavailable
		return true
	}
	return false
}
