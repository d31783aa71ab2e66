package handlers

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"switchboard/inbox"
)

// The app's Bitrix24 handler paths, as registered in the portal. URL paths
// are known here only.
const (
	PathInstall   = "/bitrix/install"
	PathPlacement = "/bitrix/placement"
	PathEvents    = "/bitrix/events"
)

// BitrixHandlers are the handler URLs the install registers for an app
// served at publicURL (no trailing slash).
func BitrixHandlers(publicURL string) inbox.AppHandlers {
	return inbox.AppHandlers{Placement: publicURL + PathPlacement, Events: publicURL + PathEvents}
}

// pathID reads a numeric id from the route's name parameter; a malformed
// or non-positive one is not found (404), like an id that is not yours.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, inbox.ErrNotFound
	}
	return id, nil
}
