package db

// WithStoreParams is dsn with what the Store's connections ask for, for
// tests that open connections of their own.
func WithStoreParams(dsn string) string { return withParams(dsn, storeParams) }
