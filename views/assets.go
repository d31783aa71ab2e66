package views

import "switchboard/static"

// Asset is the cache-busting URL of an embedded static file.
func Asset(name string) string { return static.Path(name) }
