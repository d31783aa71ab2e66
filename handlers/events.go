package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"switchboard/inbox"
	"switchboard/views"
)

// Live stream tuning.
const (
	pingEvery       = 15 * time.Second
	visibilityEvery = time.Minute // access and settings 6/7 re-read this often
)

// events is the tab's one live stream. Events carry ids; each is re-read and
// rendered for this viewer, so a dialog they may not see never reaches them.
// Every (re)connect starts with a reset: the page re-reads what it shows, so
// nothing that happened while the stream was down is missed.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	sub, cancel := s.hub.Subscribe(v.PortalID)
	defer cancel()

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if err := writeEvent(w, rc, "reset", ""); err != nil {
		return
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	refreshed := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case e := <-sub:
			if time.Since(refreshed) > visibilityEvery {
				fresh, err := s.inbox.Authorize(ctx, v.PortalID, v.UserID)
				if errors.Is(err, inbox.ErrNoAccess) {
					return // the user lost access: the stream ends
				}
				if err == nil {
					v.Viewer, refreshed = fresh, time.Now()
				}
			}
			name, data, err := s.liveEvent(ctx, v, e)
			if err != nil {
				s.log.Error("live event failed", "event", e, "err", err)
				name, data = "reset", ""
			}
			if name == "" {
				continue
			}
			if err := writeEvent(w, rc, name, data); err != nil {
				return
			}
		}
	}
}

// liveEvent renders one event for the viewer; an empty name means there is
// nothing for them to see.
func (s *Server) liveEvent(ctx context.Context, v viewer, e inbox.Event) (name, data string, err error) {
	if e.Kind == inbox.EventReset {
		return "reset", "", nil
	}
	c, ok, err := s.inbox.SeeChange(ctx, v.Viewer, e)
	if err != nil || !ok {
		return "", "", err
	}
	u := views.LiveUpdate{Row: &c.Dialog, Me: v.UserID, ChannelName: c.Dialog.ChannelName, Moved: e.Kind == inbox.EventMessage,
		Counts: c.Counts, Message: c.Message, NewMessage: c.New, Failure: c.Failure}
	var buf bytes.Buffer
	if err := views.Live(u).Render(withViewer(ctx, v), &buf); err != nil {
		return "", "", err
	}
	return "update", buf.String(), nil
}

func writeEvent(w http.ResponseWriter, rc *http.ResponseController, name, data string) error {
	var b strings.Builder
	b.WriteString("event: " + name + "\n")
	for _, line := range strings.Split(data, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	if _, err := w.Write([]byte(b.String())); err != nil {
		return err
	}
	return rc.Flush()
}
