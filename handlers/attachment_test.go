package handlers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
	"switchboard/db"
	"switchboard/db/pgtest"
	"switchboard/inbox"
	"switchboard/inbox/inboxtest"
)

const mediaSecret = "secret-media"

// mediaApp is the HTTP side with a signed-in manager and one WhatsApp
// dialog, its files on a temporary disk.
type mediaApp struct {
	srv     *httptest.Server
	server  *Server
	in      *inbox.Inbox
	store   *db.Store
	blobs   string
	token   string // the manager's page token
	dialog  int64
	portal  int64
	channel int64
}

func newMediaApp(t *testing.T) *mediaApp {
	t.Helper()
	ctx := context.Background()
	a := &mediaApp{store: db.New(pgtest.New(t)), blobs: t.TempDir()}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a.in = inbox.New(a.store, []channels.Transport{&whatsapp.Transport{}}, log)
	a.in.Blobs = inbox.NewDisk(a.blobs)
	a.in.LinkSecret = bytes.Repeat([]byte("m"), 32)
	portal, err := a.store.UpsertPortal(ctx, db.Portal{Domain: "a.bitrix24.test", MemberID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	a.portal = portal
	u, err := a.store.UpsertUser(ctx, db.User{PortalID: portal, BitrixUserID: 1, Name: "Anna", CanUseApp: true})
	if err != nil {
		t.Fatal(err)
	}
	chID, err := a.store.UpsertChannel(ctx, db.Channel{PortalID: portal, Transport: "whatsapp", ExternalID: "100200300",
		Name: "Sales", AppSecret: mediaSecret})
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := a.store.Channel(ctx, portal, chID)
	a.channel = chID
	_, err = a.in.Ingest(ctx, ch, &channels.Webhook{Messages: []channels.Message{{ProviderID: "wamid.1",
		Direction: channels.Inbound, Peer: channels.Peer{ID: "79990001122"}, Kind: channels.KindText, Text: "Hello"}}})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := a.store.Dialogs(ctx, db.Visibility{PortalID: portal, All: true}, db.DialogFilter{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("dialogs %v %v", rows, err)
	}
	a.dialog = rows[0].ID
	a.server = New(Config{Secret: bytes.Repeat([]byte("k"), 32)}, a.in, inbox.NewHub(a.in), log)
	a.srv = httptest.NewServer(a.server.Routes())
	a.in.PublicURL = a.srv.URL
	t.Cleanup(func() { a.server.Close(); a.srv.Close() })
	a.token = a.server.signToken(inbox.Viewer{PortalID: portal, UserID: u.ID}, "en", time.Now().Add(time.Hour))
	return a
}

// upload posts the composer form with one generated file of size bytes,
// streamed: neither side holds the file.
func (a *mediaApp) upload(t *testing.T, name, ctype string, size int64) (int, string) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("text", "")
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="files"; filename=%q`, name))
		h.Set("Content-Type", ctype)
		part, err := mw.CreatePart(h)
		if err == nil {
			_, err = io.Copy(part, io.LimitReader(pattern{}, size))
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/dialogs/"+strconv.FormatInt(a.dialog, 10)+"/messages", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set(tokenHeader, a.token)
	req.Header.Set(hxRequest, "true")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// pattern is an endless PDF-looking byte stream.
type pattern struct{}

func (pattern) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = "%PDF-1.4 0123456789\n"[i%20]
	}
	return len(p), nil
}

func (a *mediaApp) outgoing(t *testing.T) int {
	t.Helper()
	var n int
	if err := a.store.DB.Get(&n, `SELECT count(*) FROM messages WHERE direction = 'out'`); err != nil {
		t.Fatal(err)
	}
	return n
}

func blobFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestA60MBFileIsRefusedAndA45MBPDFAccepted(t *testing.T) {
	a := newMediaApp(t)
	status, body := a.upload(t, "huge.pdf", "application/pdf", 60<<20)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "huge.pdf is larger than 50 MB") {
		t.Fatalf("60 MB: %d %q, want 422 saying it is larger than 50 MB", status, body)
	}
	if n := a.outgoing(t); n != 0 {
		t.Fatalf("%d messages queued after a refused file", n)
	}
	if n := blobFiles(t, a.blobs); n != 0 {
		t.Fatalf("%d files kept after a refused upload", n)
	}

	const size = 45 << 20
	status, body = a.upload(t, "offer.pdf", "application/pdf", size)
	if status != http.StatusOK || !strings.Contains(body, "offer.pdf") || !strings.Contains(body, `data-testid="attachment-file"`) {
		t.Fatalf("45 MB: %d %q", status, body)
	}
	var att db.Attachment
	if err := a.store.DB.Get(&att, `SELECT portal_id, id, message_id, file_name, mime, size, sha256, storage_key, position,
		state, provider_media_id, provider_url, attempts, last_error FROM attachments`); err != nil {
		t.Fatal(err)
	}
	if att.Size != size || att.MIME != "application/pdf" || att.State != db.AttachmentReady || len(att.SHA256) != 64 {
		t.Fatalf("stored attachment %+v", att)
	}

	// Served to its dialog's viewer with its name and type, never sniffed.
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/attachments/"+strconv.FormatInt(att.ID, 10), nil)
	req.Header.Set(tokenHeader, a.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 200 || n != size || h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Content-Disposition") != `attachment; filename=offer.pdf` {
		t.Fatalf("download: %d, %d bytes, headers %v", resp.StatusCode, n, h)
	}
}

// TestUploadMemoryStaysFlat measures the server's heap while a 45 MB file
// streams through the composer: it must not grow by anything near the file.
func TestUploadMemoryStaysFlat(t *testing.T) {
	a := newMediaApp(t)
	const size = 45 << 20
	a.upload(t, "warmup.pdf", "application/pdf", 1<<20)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	status, _ := a.upload(t, "offer.pdf", "application/pdf", size)
	close(stop)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if status != http.StatusOK {
		t.Fatalf("upload: %d", status)
	}
	growth := int64(peak.Load()) - int64(before.HeapInuse)
	t.Logf("45 MB upload: heap in use %.1f MB before, peak %.1f MB (growth %.1f MB); %.1f MB allocated in total over the upload (client and server, in 32 KB buffers); VmHWM %s",
		mb(before.HeapInuse), mb(peak.Load()), float64(growth)/(1<<20), mb(after.TotalAlloc-before.TotalAlloc), vmHWM())
	if growth > size/4 {
		t.Fatalf("the heap grew by %.1f MB during a 45 MB upload: the file is being held in memory", float64(growth)/(1<<20))
	}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }

// vmHWM is the process's peak resident set, from /proc.
func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func TestAttachmentsAreScopedAndLinksSigned(t *testing.T) {
	a := newMediaApp(t)
	ctx := context.Background()
	if status, _ := a.upload(t, "photo.png", "image/png", 4096); status != http.StatusOK {
		t.Fatalf("upload: %d", status)
	}
	var att db.Attachment
	if err := a.store.DB.Get(&att, `SELECT portal_id, id, file_name, mime, size FROM attachments`); err != nil {
		t.Fatal(err)
	}
	get := func(url, token string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set(tokenHeader, token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	path := a.srv.URL + "/attachments/" + strconv.FormatInt(att.ID, 10)
	if r := get(path, a.token); r.StatusCode != 200 || r.Header.Get("Content-Disposition") != "inline; filename=photo.png" {
		t.Fatalf("own picture: %d %v", r.StatusCode, r.Header)
	}
	if r := get(path, ""); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a session: %d, want 401", r.StatusCode)
	}
	other, _ := a.store.UpsertPortal(ctx, db.Portal{Domain: "b.bitrix24.test", MemberID: "b"})
	ou, _ := a.store.UpsertUser(ctx, db.User{PortalID: other, BitrixUserID: 1, Name: "Eve", CanUseApp: true})
	stranger := a.server.signToken(inbox.Viewer{PortalID: other, UserID: ou.ID}, "en", time.Now().Add(time.Hour))
	if r := get(path, stranger); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another portal's manager: %d, want 404", r.StatusCode)
	}

	link := a.in.MediaLink(att)
	if r := get(link, ""); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("signed link: %d %v", r.StatusCode, r.Header)
	}
	tampered := strings.Replace(link, "/media/"+strconv.FormatInt(a.portal, 10)+".", "/media/"+strconv.FormatInt(other, 10)+".", 1)
	if r := get(tampered, ""); r.StatusCode != http.StatusNotFound {
		t.Fatalf("tampered link: %d, want 404", r.StatusCode)
	}
	a.in.Clock = inboxtest.NewClock(time.Now().Add(2 * time.Hour))
	if r := get(link, ""); r.StatusCode != http.StatusNotFound {
		t.Fatalf("expired link: %d, want 404", r.StatusCode)
	}
}
