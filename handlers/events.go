package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
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
	if conn, ok := hijackStream(w); ok {
		// A stream is open for hours and mostly waits: it waits in a
		// goroutine of its own, whose stack stays small, rather than in
		// this one, grown by the middleware and the sign-in behind it, and
		// without the server's read and write buffers.
		// The client's going (the connection's end) ends it at once, as the
		// server's own background read would.
		ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		go func() { defer cancel(); untilClosed(conn) }()
		go s.stream(ctx, &connStream{Conn: conn}, v, feed, r.URL.Query().Get("tab"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s.stream(ctx, responseStream{w, http.NewResponseController(w)}, v, feed, r.URL.Query().Get("tab"))
}

// streamHead is the answer to a hijacked stream: its body runs until the
// connection closes.
const streamHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n" +
	"X-Accel-Buffering: no\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"

// hijackStream takes an HTTP/1.x connection over from the server; false
// where it cannot (HTTP/2), and the stream then runs in the handler.
func hijackStream(w http.ResponseWriter) (net.Conn, bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, false
	}
	_ = conn.SetDeadline(time.Time{})
	if _, err := (&connStream{Conn: conn}).Write([]byte(streamHead)); err != nil {
		conn.Close()
		return nil, false
	}
	return conn, true
}

// untilClosed reads a hijacked stream's connection until it ends: the
// client sends nothing more on it.
func untilClosed(conn net.Conn) {
	var b [64]byte
	for {
		if _, err := conn.Read(b[:]); err != nil {
			return
		}
	}
}

// streamOut is where a stream writes: Write sends at once (flushed).
type streamOut interface {
	io.Writer
	Close() error
}

// writeTimeout drops a client that takes no data for this long.
const writeTimeout = 30 * time.Second

// connStream writes to a hijacked connection, each write within writeTimeout
// (less a second: the deadline moves once a second at most, as moving it
// for every write took 7% of a fan-out's CPU, profiled in make bench).
type connStream struct {
	net.Conn
	until time.Time
}

func (c *connStream) Write(p []byte) (int, error) {
	if now := time.Now(); c.until.Sub(now) < writeTimeout-time.Second {
		c.until = now.Add(writeTimeout)
		_ = c.SetWriteDeadline(c.until)
	}
	return c.Conn.Write(p)
}

// responseStream writes through the server, flushing each write.
type responseStream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (r responseStream) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	if err == nil {
		err = r.rc.Flush()
	}
	return n, err
}

func (responseStream) Close() error { return nil }

// stream writes the feed's updates to out until the client goes (a write
// fails: the ping finds a closed connection within pingEvery), the
// request's context ends, the server closes, or the user loses access.
// The stream is its tab's presence: renewed on every ping, let go (after a
// grace, for a reconnect) when it ends.
func (s *Server) stream(ctx context.Context, out streamOut, v viewer, feed *inbox.Feed, tab string) {
	defer out.Close()
	s.keepWatching(ctx, v, tab)
	defer s.stopWatching(ctx, v, tab)
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	refreshed := time.Now()
	for {
		ups, changed := feed.Take()
		if len(ups) > 0 {
			buf := streamBufs.Get().(*bytes.Buffer)
			buf.Reset()
			for _, u := range ups {
				if u.Recheck { // the settings changed: the next Take resets what they may no longer see
					if !s.recheck(ctx, feed, &v) {
						return
					}
					continue
				}
				if err := s.writeUpdate(ctx, buf, v, u); err != nil {
					s.log.Error("live event failed", "event", u.ID, "err", err)
					writeEvent(buf, "", "reset", "")
				}
			}
			_, err := out.Write(buf.Bytes())
			streamBufs.Put(buf)
			if err != nil {
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
			if _, err := io.WriteString(out, ": ping\n\n"); err != nil {
				return
			}
			s.keepWatching(ctx, v, tab)
			if time.Since(refreshed) > visibilityEvery {
				if !s.recheck(ctx, feed, &v) {
					return
				}
				refreshed = time.Now()
			}
		case <-changed:
		}
	}
}

// streamBufs hold a stream's writes while they are built: an idle stream
// keeps no buffer.
var streamBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// recheck reads the viewer again and applies it to the feed; false when
// the user lost access and the stream must end.
func (s *Server) recheck(ctx context.Context, feed *inbox.Feed, v *viewer) bool {
	fresh, err := s.inbox.Authorize(ctx, v.PortalID, v.UserID)
	if errors.Is(err, inbox.ErrNoAccess) {
		return false
	}
	if err == nil && feed.SetViewer(ctx, fresh) == nil {
		v.Viewer = fresh
	}
	return true
}

// writeUpdate renders one update for the viewer into buf. An event's
// update is encoded once per event and distinct output (language, the
// viewer's row of the client and whether it is theirs, their unread total,
// a row gone): each stream only puts its own token in.
func (s *Server) writeUpdate(ctx context.Context, buf *bytes.Buffer, v viewer, u inbox.Update) error {
	if u.Reset {
		writeEvent(buf, u.ID, "reset", "")
		if u.Counts == nil {
			return nil
		}
	}
	encode := func() (any, error) {
		var ev bytes.Buffer
		data, err := s.updateData(ctx, v, u)
		if err != nil {
			return nil, err
		}
		writeEvent(&ev, u.ID, "update", data)
		return splitAtToken(ev.String()), nil
	}
	l := u.Live
	if l == nil || u.Reset {
		ev, err := encode()
		if err != nil {
			return err
		}
		ev.(tokenSlots).writeTo(buf, v.Token)
		return nil
	}
	row := u.Row // the viewer's row of the client: its newest dialog they see, their unread total
	if row == nil {
		row = l.Row
	}
	key := updateKey{lang: v.Lang, mine: row.ResponsibleUserID != nil && *row.ResponsibleUserID == v.UserID,
		row: row.ID, rowUnread: row.UnreadCount, moved: u.Moved, unread: -1, gone: u.Gone}
	if u.Counts != nil {
		key.unread = u.Counts.Unread
	}
	ev, err := l.Rendered(key, encode)
	if err != nil {
		return err
	}
	ev.(tokenSlots).writeTo(buf, v.Token)
	return nil
}

// updateKey is what an event's update looks like to a viewer: streams with
// the same key share one encoding.
type updateKey struct {
	lang              string
	mine              bool
	row               int64
	rowUnread, unread int
	moved             bool
	gone              int64
}

// tokenSlots is an encoded update cut at the token mark: each stream writes
// the pieces with its own token between them, without a copy of the whole.
type tokenSlots []string

func splitAtToken(ev string) tokenSlots { return strings.Split(ev, tokenMark) }

// writeTo writes the update with token in every slot; without a token, the
// query parameter that would carry it goes too.
func (t tokenSlots) writeTo(buf *bytes.Buffer, token string) {
	esc := url.QueryEscape(token)
	for i, piece := range t {
		if i < len(t)-1 && token == "" {
			piece = strings.TrimSuffix(strings.TrimSuffix(piece, "?st="), "&st=")
		}
		buf.WriteString(piece)
		if i < len(t)-1 {
			buf.WriteString(esc)
		}
	}
}

// updateData is an update's fragments, with the token mark for the
// viewer's token.
func (s *Server) updateData(ctx context.Context, v viewer, u inbox.Update) (string, error) {
	var data strings.Builder
	if l := u.Live; l != nil && !u.Reset {
		row := u.Row
		if row == nil {
			row = l.Row
		}
		upd := views.LiveUpdate{Row: row, Me: v.UserID, ChannelName: l.Row.ChannelName, ClientID: l.Row.ClientID,
			Moved: u.Moved, Message: l.Message, NewMessage: l.Event.Kind == inbox.EventMessage, Failure: l.Failure}
		frag, err := render(ctx, v.Lang, views.Live(upd))
		if err != nil {
			return "", err
		}
		data.WriteString(frag)
	}
	if u.Live == nil && u.Row != nil { // a dialog left the viewer, another of the client stays
		frag, err := render(ctx, v.Lang, views.Live(views.LiveUpdate{Row: u.Row, Me: v.UserID}))
		if err != nil {
			return "", err
		}
		data.WriteString(frag)
	}
	if u.Gone != 0 {
		frag, err := render(ctx, v.Lang, views.Live(views.LiveUpdate{Gone: u.Gone}))
		if err != nil {
			return "", err
		}
		data.WriteString(frag)
	}
	if u.Counts != nil {
		frag, err := render(ctx, v.Lang, views.Live(views.LiveUpdate{Counts: u.Counts}))
		if err != nil {
			return "", err
		}
		data.WriteString(frag)
	}
	return data.String(), nil
}

// render renders c with the token mark in place of the viewer's token.
func render(ctx context.Context, lang string, c templ.Component) (string, error) {
	var b strings.Builder
	err := c.Render(views.WithLang(views.WithToken(ctx, tokenMark), lang), &b)
	return b.String(), err
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
