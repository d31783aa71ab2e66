package inbox

import "switchboard/db"

// Event kinds carried by live events.
const (
	EventMessage = "message" // a new message in a dialog
	EventStatus  = "status"  // a message's delivery status changed
	EventRead    = "read"    // a dialog's unread count changed
	EventAssign  = "assign"  // a dialog's responsible changed (the CRM's)
)

// Event is one change a page shows live, as the event log records it: ids
// only. The hub reads what it names once per process.
type Event = db.LiveEvent
