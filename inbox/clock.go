package inbox

import "time"

// Clock tells the time every rule that decides by time goes by: when an
// outbox job is due, how long a lease lasts, when a retry comes, whether a
// window is open. The database never decides by its own clock, so app and
// database clocks that drift apart cannot disagree, and tests move due work
// with a fake clock (inboxtest.Clock).
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, what New gives an Inbox.
var SystemClock Clock = systemClock{}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Now is the time by the Inbox's clock.
func (in *Inbox) Now() time.Time { return in.Clock.Now() }
