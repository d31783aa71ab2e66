package inbox

// Event kinds carried by live events.
const (
	EventMessage = "message" // a new message in a dialog
	EventStatus  = "status"  // a message's delivery status changed
	EventRead    = "read"    // a dialog's unread count changed
)

// Event is what one NOTIFY carries: ids only. Each live stream re-reads what
// its user may see.
type Event struct {
	Portal  int64  `json:"p"`
	Dialog  int64  `json:"d"`
	Message int64  `json:"m,omitempty"`
	Kind    string `json:"k"`
}
