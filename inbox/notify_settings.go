package inbox

import (
	"errors"
	"fmt"
	"time"
)

// Escalations of a client left unanswered after their line went out.
const (
	EscalateOff     = ""             // the default
	EscalateMention = "mention_head" // the line is posted again, mentioning the responsible's head of department
)

// Notify is how the notification chat waits for a watcher and what it does
// when nobody answers (the "notify" settings block).
type Notify struct {
	// DelayMinutes is how long a line waits while someone has the client's
	// dialog open: minutes after the first unanswered message (default 5).
	DelayMinutes int `json:"delay_minutes"`
	// Escalate is EscalateOff or EscalateMention; EscalateAfterMinutes
	// counts from the moment the line was due.
	Escalate             string `json:"escalate"`
	EscalateAfterMinutes int    `json:"escalate_after_minutes"`
}

// Bounds of the notification settings.
const (
	maxNotifyDelay    = 24 * 60 // minutes
	maxEscalateAfter  = 7 * 24 * 60
	minEscalateAfter  = 1
	defaultNotifyWait = 5 * time.Minute
)

// ErrBadNotify is a notification setting out of bounds; the message says which.
var ErrBadNotify = errors.New("inbox: bad notification setting")

// Validate refuses notification settings the rule cannot follow.
func (n Notify) Validate() error {
	switch {
	case n.DelayMinutes < 0 || n.DelayMinutes > maxNotifyDelay:
		return fmt.Errorf("%w: delay_minutes %d is not between 0 and %d", ErrBadNotify, n.DelayMinutes, maxNotifyDelay)
	case n.Escalate != EscalateOff && n.Escalate != EscalateMention:
		return fmt.Errorf("%w: escalate %q is neither %q nor %q", ErrBadNotify, n.Escalate, EscalateOff, EscalateMention)
	case n.Escalate != EscalateOff && (n.EscalateAfterMinutes < minEscalateAfter || n.EscalateAfterMinutes > maxEscalateAfter):
		return fmt.Errorf("%w: escalate_after_minutes %d is not between %d and %d", ErrBadNotify,
			n.EscalateAfterMinutes, minEscalateAfter, maxEscalateAfter)
	}
	return nil
}

// delay is how long a watched client's line waits; a stored value out of
// bounds counts as the default.
func (n Notify) delay() time.Duration {
	if n.Validate() != nil {
		return defaultNotifyWait
	}
	return time.Duration(n.DelayMinutes) * time.Minute
}

// escalation is how long after the line was due it escalates; 0: never.
func (n Notify) escalation() time.Duration {
	if n.Validate() != nil || n.Escalate == EscalateOff {
		return 0
	}
	return time.Duration(n.EscalateAfterMinutes) * time.Minute
}
