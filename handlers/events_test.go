package handlers_test

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
)

// openStream opens the live stream, resuming after lastID when given, and
// returns a reader of its text up to a wanted piece.
func openStream(t *testing.T, ctx context.Context, url, lastID string) (read func(want string) string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	read = func(want string) string {
		var seen strings.Builder
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("stream ended before %q:\n%s", want, seen.String())
				}
				seen.WriteString(l + "\n")
				if strings.Contains(l, want) {
					return seen.String()
				}
			case <-ctx.Done():
				t.Fatalf("no %q on the stream:\n%s", want, seen.String())
			}
		}
	}
	return read, func() { cancel(); resp.Body.Close() }
}

// A browser that lost its stream comes back with Last-Event-ID: what
// happened meanwhile is replayed, without a reset.
func TestAReconnectedStreamReplaysWhatItMissed(t *testing.T) {
	it := newInstalled(t)
	token := it.signedIn(t, 2)
	_, first := it.dialogIn(t, "member-a", "79990000001")
	_, second := it.dialogIn(t, "member-a", "79990000003")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a hang guard
	defer cancel()
	url := it.app.URL + "/events?st=" + token
	p, err := it.store.PortalByMemberID(ctx, "member-a")
	if err != nil {
		t.Fatal(err)
	}
	logRead := func(dialog int64) {
		if err := it.store.LogEvents(ctx, time.Now(), inbox.Event{Portal: p.ID, Dialog: dialog, Kind: inbox.EventRead}); err != nil {
			t.Fatal(err)
		}
	}
	read, stop := openStream(t, ctx, url, "")
	read("event: reset")
	logRead(first)
	seen := read(`data-dialog="` + strconv.FormatInt(first, 10) + `"`)
	i := strings.LastIndex(seen, "id: ")
	if i < 0 {
		t.Fatalf("an update without an id:\n%s", seen)
	}
	lastID := strings.TrimSpace(strings.SplitN(seen[i+4:], "\n", 2)[0])
	stop()

	logRead(second) // while the stream is down
	read, stop = openStream(t, ctx, url, lastID)
	defer stop()
	seen = read(`data-dialog="` + strconv.FormatInt(second, 10) + `"`)
	if strings.Contains(seen, "event: reset") || strings.Contains(seen, `data-dialog="`+strconv.FormatInt(first, 10)+`"`) {
		t.Fatalf("a resumed stream must replay only what it missed, without a reset:\n%s", seen)
	}

	read, stop = openStream(t, ctx, url, "1-1") // older than anything this instance holds
	defer stop()
	read("event: reset")
}
