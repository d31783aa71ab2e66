package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"switchboard/inbox"
	"switchboard/views"
)

// Live stream tuning.
const (
	pingEvery       = 15 * time.Second
	visibilityEvery = time.Minute // access and settings 6/7 re-read this often
)

// tokenMark stands for the viewer's page token in fragments rendered once
// for every stream of the same output; each stream puts its own token in.
var tokenMark = func() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "tok" + hex.EncodeToString(b)
}()

// events is the tab's one live stream. The hub reads each event once per
// process; the feed decides in memory what this viewer may see, so a
// dialog they may not see never reaches them. Every event carries its id: a
// reconnect (Last-Event-ID) replays what was missed; a stream that cannot
// replay starts with a reset, and the page re-reads what it shows.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	feed, err := s.hub.Follow(ctx, v.Viewer, r.Header.Get("Last-Event-ID"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if rc.Flush() != nil {
		return
	}
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	refreshed := time.Now()
	var buf bytes.Buffer
	for {
		ups, changed := feed.Take()
		if len(ups) > 0 {
			buf.Reset()
			for _, u := range ups {
				if err := s.writeUpdate(ctx, &buf, v, u); err != nil {
					s.log.Error("live event failed", "event", u.ID, "err", err)
					writeEvent(&buf, "", "reset", "")
				}
			}
			if _, err := w.Write(buf.Bytes()); err != nil || rc.Flush() != nil {
				return
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
			if time.Since(refreshed) > visibilityEvery {
				fresh, err := s.inbox.Authorize(ctx, v.PortalID, v.UserID)
				if errors.Is(err, inbox.ErrNoAccess) {
					return // the user lost access: the stream ends
				}
				if err == nil && feed.SetViewer(ctx, fresh) == nil {
					v.Viewer, refreshed = fresh, time.Now()
				}
			}
		case <-changed:
		}
	}
}

// writeUpdate renders one update for the viewer into buf. Fragments are
// rendered once per event and distinct output (language, whether the
// dialog is the viewer's own); the counters once per event and value.
func (s *Server) writeUpdate(ctx context.Context, buf *bytes.Buffer, v viewer, u inbox.Update) error {
	if u.Reset {
		writeEvent(buf, u.ID, "reset", "")
		if u.Counts == nil {
			return nil
		}
	}
	var data strings.Builder
	if l := u.Live; l != nil && !u.Reset {
		// The viewer's row of the client (its newest dialog they see, its
		// unread total) decides the output, with their language and whether
		// the conversation is theirs.
		row, moved := u.Row, u.Moved
		if row == nil {
			row = l.Row
		}
		mine := row.ResponsibleUserID != nil && *row.ResponsibleUserID == v.UserID
		key := "row/" + v.Lang + "/" + strconv.FormatBool(mine) + "/" + strconv.FormatInt(row.ID, 10) + "/" +
			strconv.Itoa(row.UnreadCount) + "/" + strconv.FormatBool(moved)
		frag, err := l.Rendered(key, func() (string, error) {
			upd := views.LiveUpdate{Row: row, Me: v.UserID, ChannelName: l.Row.ChannelName, ClientID: l.Row.ClientID,
				Moved: moved, Message: l.Message, NewMessage: l.Event.Kind == inbox.EventMessage,
				Failure: l.Failure}
			return render(ctx, v.Lang, views.Live(upd))
		})
		if err != nil {
			return err
		}
		data.WriteString(withToken(frag, v.Token))
	}
	if u.Live == nil && u.Row != nil { // a dialog left the viewer, another of the client stays
		frag, err := render(ctx, v.Lang, views.Live(views.LiveUpdate{Row: u.Row, Me: v.UserID}))
		if err != nil {
			return err
		}
		data.WriteString(withToken(frag, v.Token))
	}
	if u.Gone != 0 {
		frag, err := render(ctx, v.Lang, views.Live(views.LiveUpdate{Gone: u.Gone}))
		if err != nil {
			return err
		}
		data.WriteString(frag)
	}
	if u.Counts != nil {
		counts := *u.Counts
		draw := func() (string, error) { return render(ctx, v.Lang, views.Live(views.LiveUpdate{Counts: &counts})) }
		frag, err := "", error(nil)
		if u.Live != nil {
			frag, err = u.Live.Rendered("counts/"+v.Lang+"/"+strconv.Itoa(counts.Unread), draw)
		} else {
			frag, err = draw()
		}
		if err != nil {
			return err
		}
		data.WriteString(frag)
	}
	writeEvent(buf, u.ID, "update", data.String())
	return nil
}

// render renders c with the token mark in place of the viewer's token.
func render(ctx context.Context, lang string, c templ.Component) (string, error) {
	var b strings.Builder
	err := c.Render(views.WithLang(views.WithToken(ctx, tokenMark), lang), &b)
	return b.String(), err
}

// withToken puts the viewer's page token where the fragment has the mark.
func withToken(frag, token string) string {
	if token == "" {
		return strings.NewReplacer("?st="+tokenMark, "", "&st="+tokenMark, "").Replace(frag)
	}
	return strings.ReplaceAll(frag, tokenMark, url.QueryEscape(token))
}

// writeEvent appends one server-sent event to buf; an empty id keeps the
// stream's last one.
func writeEvent(buf *bytes.Buffer, id, name, data string) {
	if id != "" {
		buf.WriteString("id: " + id + "\n")
	}
	buf.WriteString("event: " + name + "\n")
	for _, line := range strings.Split(data, "\n") {
		buf.WriteString("data: " + line + "\n")
	}
	buf.WriteString("\n")
}
