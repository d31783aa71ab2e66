package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"

	"switchboard/db"
)

// EventReset tells a stream it may have missed events (the database
// connection was lost, or the stream fell behind): re-render everything.
const EventReset = "reset"

// Hub fans the database's live events out to this process's streams: one
// LISTEN connection per process, whatever the number of streams.
type Hub struct {
	log  *slog.Logger
	mu   sync.Mutex
	subs map[int64]map[chan Event]struct{} // by portal
	// listening is closed once Run listens: events published before then
	// reach no one.
	listening chan struct{}
	once      sync.Once
}

// NewHub builds an idle hub; Run feeds it.
func NewHub(log *slog.Logger) *Hub {
	return &Hub{log: log, subs: make(map[int64]map[chan Event]struct{}), listening: make(chan struct{})}
}

// Listening is closed once the hub listens on the database.
func (h *Hub) Listening() <-chan struct{} { return h.listening }

// Subscribe receives the events of one portal until cancel is called.
func (h *Hub) Subscribe(portalID int64) (events <-chan Event, cancel func()) {
	ch := make(chan Event, 64)
	h.mu.Lock()
	if h.subs[portalID] == nil {
		h.subs[portalID] = make(map[chan Event]struct{})
	}
	h.subs[portalID][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[portalID], ch)
		if len(h.subs[portalID]) == 0 {
			delete(h.subs, portalID)
		}
		h.mu.Unlock()
	}
}

// Publish hands an event to the portal's streams; a stream too slow to take
// it gets a reset instead, so nothing is silently lost.
func (h *Hub) Publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[e.Portal] {
		select {
		case ch <- e:
		default:
			h.resetSlow(ch, e.Portal)
		}
	}
}

func (h *Hub) resetSlow(ch chan Event, portal int64) {
	for len(ch) > 0 {
		<-ch
	}
	ch <- Event{Portal: portal, Kind: EventReset}
}

func (h *Hub) resetAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for portal, set := range h.subs {
		for ch := range set {
			h.resetSlow(ch, portal)
		}
	}
}

// Run listens on the database until ctx ends.
func (h *Hub) Run(ctx context.Context, dsn string) error {
	l := pq.NewListener(dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			h.log.Warn("live events: listener problem", "event", ev, "err", err)
		}
	})
	defer l.Close()
	if err := l.Listen(db.EventChannel); err != nil {
		return fmt.Errorf("inbox: unable to listen for live events: %w", err)
	}
	h.once.Do(func() { close(h.listening) })
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-l.Notify:
			if n == nil { // reconnected: notifications may have been lost
				h.resetAll()
				continue
			}
			var e Event
			if err := json.Unmarshal([]byte(n.Extra), &e); err != nil {
				h.log.Error("live events: bad payload", "payload", n.Extra, "err", err)
				continue
			}
			h.Publish(e)
		case <-time.After(90 * time.Second):
			go l.Ping()
		}
	}
}
