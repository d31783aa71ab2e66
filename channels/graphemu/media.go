package graphemu

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// mediaObject is a stored file with a Graph media id.
type mediaObject struct {
	ID        string
	Owner     string // phone_number_id or IG account id allowed to fetch it
	MIME      string
	FileName  string
	Path      string
	Size      int64
	SHA256Hex string
	SHA256B64 string
	Created   time.Time
	Deleted   bool
	Uploaded  bool // by the business through /media: kept 30 days, not 7
}

// Media id lifetimes: ids of received media live 7 days, uploaded ones 30.
const (
	receivedMediaTTL = 7 * 24 * time.Hour
	uploadedMediaTTL = 30 * 24 * time.Hour
)

// expired reports whether the media id is past its lifetime at now.
func (o *mediaObject) expired(now time.Time) bool {
	ttl := receivedMediaTTL
	if o.Uploaded {
		ttl = uploadedMediaTTL
	}
	return now.Sub(o.Created) > ttl
}

// file is the phone's view of a stored object.
func (o *mediaObject) file(name string) *MediaFile {
	if name == "" {
		name = o.FileName
	}
	return &MediaFile{ID: o.ID, MIME: o.MIME, FileName: name, Size: o.Size, URL: "/phone/media/" + o.ID,
		Voice: strings.HasPrefix(o.MIME, "audio/ogg")}
}

// WhatsApp media limits per kind (transports.md 1.12).
var mediaMaxSize = map[string]int64{
	"image":    5 << 20,
	"audio":    16 << 20,
	"video":    16 << 20,
	"document": 100 << 20,
	"sticker":  500 << 10,
}

// mediaKinds maps the accepted MIME types (without parameters) to their kind.
var mediaKinds = map[string]string{
	"image/jpeg":         "image",
	"image/png":          "image",
	"image/webp":         "sticker",
	"audio/aac":          "audio",
	"audio/amr":          "audio",
	"audio/mpeg":         "audio",
	"audio/mp4":          "audio",
	"audio/ogg":          "audio",
	"video/mp4":          "video",
	"video/3gpp":         "video",
	"text/plain":         "document",
	"application/pdf":    "document",
	"application/msword": "document",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
	"application/vnd.ms-excel": "document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         "document",
	"application/vnd.ms-powerpoint":                                             "document",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": "document",
}

// kindOfMIME returns the WhatsApp media kind of a MIME type, or "".
func kindOfMIME(m string) string {
	base, _, _ := strings.Cut(m, ";")
	return mediaKinds[strings.ToLower(strings.TrimSpace(base))]
}

// sniffMIME guesses a MIME type from a file name, then from its bytes.
func sniffMIME(name string, data []byte) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		base, _, _ := strings.Cut(t, ";")
		if strings.HasPrefix(base, "text/") {
			return "text/plain"
		}
		return base
	}
	base, _, _ := strings.Cut(http.DetectContentType(data), ";")
	return base
}

// newMediaID returns a numeric Graph media id.
func (e *Emulator) newMediaID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	n := binary.BigEndian.Uint64(b)%900_000_000_000_000 + 100_000_000_000_000 + e.seq.Add(1)
	return strconv.FormatUint(n, 10)
}

// storeBytes stores data as a media object owned by account.
func (e *Emulator) storeBytes(owner, name, mimeType string, data []byte) (*mediaObject, error) {
	return e.storeStream(owner, name, mimeType, bytes.NewReader(data), -1)
}

// storeStream copies r into a file of the media directory, hashing it, and
// registers it. With max ≥ 0 a longer stream is refused with errTooLarge.
func (e *Emulator) storeStream(owner, name, mimeType string, r io.Reader, max int64) (*mediaObject, error) {
	id := e.newMediaID()
	path := filepath.Join(e.cfg.MediaDir, id)
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("graphemu: unable to create media file: %w", err)
	}
	h := sha256.New()
	src := r
	if max >= 0 {
		src = io.LimitReader(r, max+1)
	}
	size, err := io.Copy(io.MultiWriter(f, h), src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("graphemu: unable to store media: %w", err)
	}
	if max >= 0 && size > max {
		os.Remove(path)
		return nil, errTooLarge
	}
	obj := newMediaObject(id, owner, name, mimeType, path, size, h, e.now())
	e.mu.Lock()
	e.media[id] = obj
	e.mu.Unlock()
	return obj, nil
}

var errTooLarge = errors.New("graphemu: file too large")

func newMediaObject(id, owner, name, mimeType, path string, size int64, h hash.Hash, now time.Time) *mediaObject {
	sum := h.Sum(nil)
	return &mediaObject{
		ID: id, Owner: owner, MIME: mimeType, FileName: name, Path: path, Size: size,
		SHA256Hex: hex.EncodeToString(sum), SHA256B64: base64.StdEncoding.EncodeToString(sum), Created: now,
	}
}

// mediaFor returns a live media object the account may use.
func (e *Emulator) mediaFor(id, owner string) (mediaObject, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.media[id]
	if !ok || o.Deleted || o.Owner != owner {
		return mediaObject{}, false
	}
	return *o, true
}

// mediaByID returns any stored object.
func (e *Emulator) mediaByID(id string) (mediaObject, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.media[id]
	if !ok || o.Deleted {
		return mediaObject{}, false
	}
	return *o, true
}

// signedURL builds an expiring URL under prefix for a media object.
func (e *Emulator) signedURL(prefix, id string, ttl time.Duration) string {
	exp := strconv.FormatInt(e.now().Add(ttl).Unix(), 10)
	return e.cfg.PublicURL + prefix + id + "?ext=" + exp + "&hash=" + e.urlHash(id, exp)
}

func (e *Emulator) urlHash(id, exp string) string {
	mac := hmac.New(sha256.New, e.secret)
	mac.Write([]byte(id + "|" + exp))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// checkSignedURL reports whether the request's ext/hash are genuine and unexpired.
func (e *Emulator) checkSignedURL(r *http.Request, id string) (valid, expired bool) {
	exp := r.URL.Query().Get("ext")
	if !hmac.Equal([]byte(r.URL.Query().Get("hash")), []byte(e.urlHash(id, exp))) {
		return false, false
	}
	sec, err := strconv.ParseInt(exp, 10, 64)
	if err != nil {
		return false, false
	}
	return true, e.now().Unix() > sec
}

// serveMedia writes a stored file.
func serveMedia(w http.ResponseWriter, r *http.Request, o mediaObject) {
	f, err := os.Open(o.Path)
	if err != nil {
		http.Error(w, "graphemu: media file missing", http.StatusNotFound)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", o.MIME)
	w.Header().Set("Content-Length", strconv.FormatInt(o.Size, 10))
	if o.FileName != "" {
		w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": o.FileName}))
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = io.Copy(w, f)
}

// fetchLink downloads a media link the app gave, as Meta does.
func (e *Emulator) fetchLink(ctx context.Context, link string, max int64) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, "", fmt.Errorf("graphemu: bad media link: %w", err)
	}
	resp, err := e.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("graphemu: media link fetch failed: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("%d (%s)", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, "", fmt.Errorf("graphemu: media link read failed: %w", err)
	}
	if int64(len(data)) > max {
		return nil, "", errTooLarge
	}
	ct, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	ct = strings.TrimSpace(ct)
	if ct == "" || ct == "application/octet-stream" {
		ct = sniffMIME(filepath.Base(req.URL.Path), data)
	}
	return data, ct, nil
}

// deliverLinkedMedia fetches a media link of an accepted send and delivers
// the message, or fails it asynchronously like Meta (131014 / 131053).
func (e *Emulator) deliverLinkedMedia(ctx context.Context, n Number, to string, msg *ChatMessage, link string) {
	data, ct, err := e.fetchLink(ctx, link, mediaMaxSize[msg.Type])
	if err != nil {
		e.failStatus(n, to, msg.ID, waErr(131014, fmt.Sprintf("Request for url %s failed with error: %v", link, err),
			"Meta could not download the media from the link given."))
		return
	}
	if msg.Type == "audio" && ct == "audio/ogg" {
		ct = voiceMIME
	}
	if ge := checkMediaKind(msg.Type, ct); ge != nil {
		e.failStatus(n, to, msg.ID, waErr(131053, "Media upload error", ge.ErrorData.Details))
		return
	}
	name := msg.Media.FileName
	if name == "" {
		name = filepath.Base(strings.SplitN(link, "?", 2)[0])
	}
	obj, err := e.storeBytes(n.PhoneNumberID, name, ct, data)
	if err != nil {
		e.failStatus(n, to, msg.ID, waErr(131053, "Media upload error", err.Error()))
		return
	}
	msg.Media = obj.file(name)
	e.addBusinessMessage(n.PhoneNumberID, to, msg)
}
