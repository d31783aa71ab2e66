package instagram

// IsTransient reports whether a Graph API error code met on Instagram sends
// is worth retrying: temporary failures and rate limits. Closed reply
// windows (10 with subcode 2534022), unavailable users (551), auth and
// permission errors are permanent.
func IsTransient(code int) bool {
	switch code {
	case 1, // unknown error, possibly temporary
		2,    // temporary service error
		4,    // app rate limit
		17,   // user rate limit
		32,   // page rate limit
		613,  // calls within one hour exceeded
		1200: // temporary send failure
		return true
	}
	return false
}
