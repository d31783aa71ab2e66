package handlers

import "switchboard/inbox"

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
