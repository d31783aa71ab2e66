package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"
)

// tabHeader names the page (the browser tab) an htmx request comes from:
// the page carries its tab in its headers and in its live stream's URL, so
// the dialog a tab opens and the tab's stream meet in inbox's presence.
const tabHeader = "X-Switchboard-Tab"

// newTab names a page about to be rendered.
func newTab() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// tabOf is the tab an htmx request names ("" when none).
func tabOf(r *http.Request) string { return r.Header.Get(tabHeader) }

// keepWatching renews a stream's tab; a failure is logged: the stream goes
// on, and the tab only counts as closed sooner.
func (s *Server) keepWatching(ctx context.Context, v viewer, tab string) {
	if err := s.inbox.KeepWatching(ctx, v.Viewer, tab); err != nil && ctx.Err() == nil {
		s.log.Warn("presence not renewed", "user", v.UserID, "err", err)
	}
}

// stopWatching lets a stream's tab go when the stream ends (its request's
// context is over by then).
func (s *Server) stopWatching(ctx context.Context, v viewer, tab string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.inbox.StopWatching(ctx, v.Viewer, tab); err != nil {
		s.log.Warn("presence not let go", "user", v.UserID, "err", err)
	}
}
