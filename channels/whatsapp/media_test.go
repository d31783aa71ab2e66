package whatsapp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
)

// mediaServer serves GET /v23.0/{id} with a download URL and GET /dl/{n}
// with the file; failDownloads makes the first n downloads answer status.
func mediaServer(t *testing.T, fileSize string, failDownloads int, status int) (channels.Account, *int32) {
	t.Helper()
	var resolves, downloads int32
	var base string
	a, srv := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("method %s", r.Method)
		}
		switch {
		case r.URL.Path == "/v23.0/65463453":
			if got := r.URL.Query().Get("phone_number_id"); got != phoneNumberID {
				t.Errorf("phone_number_id = %q", got)
			}
			n := atomic.AddInt32(&resolves, 1)
			writeJSON(w, 200, fmt.Sprintf(`{"messaging_product":"whatsapp","url":"%s/dl/%d","mime_type":"image/jpeg",
				"sha256":"4654+8g=","file_size":%s,"id":"65463453"}`, base, n, fileSize))
		case strings.HasPrefix(r.URL.Path, "/dl/"):
			if atomic.AddInt32(&downloads, 1) <= int32(failDownloads) {
				w.WriteHeader(status)
				return
			}
			w.Header().Set("Content-Type", "image/jpeg")
			io.WriteString(w, "JPEGDATA")
		default:
			writeJSON(w, 404, graphErrorBody(100, "Unsupported get request", false))
		}
	})
	base = srv.URL
	return a, &resolves
}

func TestFetchMediaByID(t *testing.T) {
	tests := []struct {
		name          string
		fileSize      string
		failDownloads int
		status        int
		resolves      int32
	}{
		{"file_size as number", `8`, 0, 0, 1},
		{"file_size as string", `"8"`, 0, 0, 1},
		{"expired url (404) is resolved again", `8`, 1, 404, 2},
		{"expired url (401) is resolved again", `8`, 1, 401, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, resolves := mediaServer(t, tt.fileSize, tt.failDownloads, tt.status)
			ref := channels.MediaRef{ID: "65463453", MIME: "image/jpeg", FileName: "photo.jpg"}
			body, info, err := allowing(a).FetchMedia(context.Background(), a, ref)
			if err != nil {
				t.Fatal(err)
			}
			defer body.Close()
			data, _ := io.ReadAll(body)
			if string(data) != "JPEGDATA" {
				t.Errorf("body = %q", data)
			}
			want := channels.MediaInfo{MIME: "image/jpeg", Size: 8, FileName: "photo.jpg"}
			if info != want {
				t.Errorf("info = %+v, want %+v", info, want)
			}
			if *resolves != tt.resolves {
				t.Errorf("resolved %d times, want %d", *resolves, tt.resolves)
			}
		})
	}
}

func TestFetchMediaFailures(t *testing.T) {
	t.Run("url expired twice: resolved once more, then the error", func(t *testing.T) {
		a, resolves := mediaServer(t, `8`, 5, 404)
		_, _, err := allowing(a).FetchMedia(context.Background(), a, channels.MediaRef{ID: "65463453"})
		var se *channels.SendError
		if !errors.As(err, &se) || se.HTTPStatus != 404 || se.Transient || *resolves != 2 {
			t.Fatalf("err = %v (resolves %d), want a permanent 404 after 2 resolves", err, *resolves)
		}
	})
	t.Run("download 5xx is transient", func(t *testing.T) {
		a, _ := mediaServer(t, `8`, 5, 503)
		_, _, err := allowing(a).FetchMedia(context.Background(), a, channels.MediaRef{ID: "65463453"})
		var se *channels.SendError
		if !errors.As(err, &se) || !se.Transient {
			t.Fatalf("err = %v, want a transient SendError", err)
		}
	})
	t.Run("unknown media id", func(t *testing.T) {
		a, _ := mediaServer(t, `8`, 0, 0)
		_, _, err := allowing(a).FetchMedia(context.Background(), a, channels.MediaRef{ID: "nope"})
		var se *channels.SendError
		if !errors.As(err, &se) || se.Code != 100 || se.Transient || !strings.HasPrefix(err.Error(), "whatsapp: fetch media nope: ") {
			t.Fatalf("err = %v, want a permanent SendError #100", err)
		}
	})
	t.Run("no id and no url", func(t *testing.T) {
		_, _, err := (&whatsapp.Transport{}).FetchMedia(context.Background(), acct, channels.MediaRef{})
		if err == nil {
			t.Fatal("want an error")
		}
	})
}

func TestFetchMediaByURLOnly(t *testing.T) {
	a, srv := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cdn/file" {
			t.Errorf("path %s", r.URL.Path)
		}
		w.Header().Set("Content-Type", "application/pdf")
		io.WriteString(w, "%PDF")
	})
	ref := channels.MediaRef{URL: srv.URL + "/cdn/file", FileName: "a.pdf"}
	body, info, err := allowing(a).FetchMedia(context.Background(), a, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	data, _ := io.ReadAll(body)
	want := channels.MediaInfo{MIME: "application/pdf", Size: 4, FileName: "a.pdf"}
	if string(data) != "%PDF" || info != want {
		t.Fatalf("got %q %+v", data, info)
	}
}

// countingReader yields n bytes of a pattern without holding them.
type countingReader struct{ left int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	for i := range p {
		p[i] = 'x'
	}
	c.left -= int64(len(p))
	return len(p), nil
}

func TestUploadMedia(t *testing.T) {
	const size = 6 << 20
	a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v23.0/1122334455667/media" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		if r.ContentLength != -1 {
			t.Errorf("ContentLength = %d: the body was buffered, not streamed", r.ContentLength)
		}
		mr, err := r.MultipartReader()
		if err != nil {
			t.Fatal(err)
		}
		fields := map[string]string{}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.FormName() == "file" {
				n, _ := io.Copy(io.Discard, p)
				fields["file"] = fmt.Sprintf("%s|%s|%d", p.FileName(), p.Header.Get("Content-Type"), n)
				continue
			}
			v, _ := io.ReadAll(p)
			fields[p.FormName()] = string(v)
		}
		want := map[string]string{
			"messaging_product": "whatsapp",
			"type":              "video/mp4",
			"file":              fmt.Sprintf("clip \"1\".mp4|video/mp4|%d", size),
		}
		if fmt.Sprint(fields) != fmt.Sprint(want) {
			t.Errorf("form = %v, want %v", fields, want)
		}
		writeJSON(w, 200, `{"id":"1037543291543636"}`)
	})
	info := channels.MediaInfo{MIME: "video/mp4", Size: size, FileName: `clip "1".mp4`}
	id, err := (&whatsapp.Transport{}).UploadMedia(context.Background(), a, &countingReader{left: size}, info)
	if err != nil || id != "1037543291543636" {
		t.Fatalf("UploadMedia = %q, %v", id, err)
	}
}

func TestUploadMediaFailures(t *testing.T) {
	t.Run("refused by Meta", func(t *testing.T) {
		a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			writeJSON(w, 400, graphErrorBody(131053, "Media upload error", false))
		})
		_, err := (&whatsapp.Transport{}).UploadMedia(context.Background(), a, strings.NewReader("x"),
			channels.MediaInfo{MIME: "image/png"})
		var se *channels.SendError
		if !errors.As(err, &se) || se.Code != 131053 || se.Transient {
			t.Fatalf("err = %v, want a permanent SendError #131053", err)
		}
	})
	t.Run("MIME type required", func(t *testing.T) {
		_, err := (&whatsapp.Transport{}).UploadMedia(context.Background(), acct, strings.NewReader("x"), channels.MediaInfo{})
		if err == nil {
			t.Fatal("want an error")
		}
	})
	t.Run("file read error fails the upload", func(t *testing.T) {
		a, _ := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			writeJSON(w, 200, `{"id":"should-not-count"}`)
		})
		broken := io.MultiReader(bytes.NewReader([]byte("part")), errReader{})
		_, err := (&whatsapp.Transport{}).UploadMedia(context.Background(), a, broken, channels.MediaInfo{MIME: "image/png"})
		if err == nil {
			t.Fatal("want an error")
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk gone") }
