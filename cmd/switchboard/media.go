package main

import (
	"path/filepath"
	"strings"

	"switchboard/inbox"
)

// wireMedia gives the inbox its file store (SWITCHBOARD_DATA_DIR/blobs) and
// what it needs to sign the public links Instagram fetches outgoing files
// from (the app's public URL and the signing secret).
func wireMedia(in *inbox.Inbox, cfg config, secret []byte) {
	in.Blobs = inbox.NewDisk(filepath.Join(cfg.DataDir, "blobs"))
	in.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	in.LinkSecret = secret
}
