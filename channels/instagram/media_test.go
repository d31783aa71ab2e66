package instagram_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"switchboard/channels"
	"switchboard/channels/instagram"
)

func TestFetchMedia(t *testing.T) {
	a, srv := graphServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/ig_messaging_cdn/" || r.URL.Query().Get("asset_id") != "111" {
			t.Errorf("request %s %s", r.Method, r.URL)
		}
		if auth := r.Header.Get("Authorization"); auth != "" {
			t.Errorf("token sent to the CDN: %q", auth)
		}
		w.Header().Set("Content-Type", "image/jpeg")
		io.WriteString(w, "JPEG")
	})
	ref := channels.MediaRef{URL: srv.URL + "/ig_messaging_cdn/?asset_id=111"}
	body, info, err := allowing(a).FetchMedia(context.Background(), a, ref)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	data, _ := io.ReadAll(body)
	if string(data) != "JPEG" || info != (channels.MediaInfo{MIME: "image/jpeg", Size: 4}) {
		t.Fatalf("got %q %+v", data, info)
	}
}

func TestFetchMediaFailures(t *testing.T) {
	tests := []struct {
		status    int
		transient bool
	}{{403, false}, {404, false}, {500, true}, {503, true}}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			a, srv := graphServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tt.status) })
			_, _, err := allowing(a).FetchMedia(context.Background(), a, channels.MediaRef{URL: srv.URL + "/x"})
			var se *channels.SendError
			if !errors.As(err, &se) || se.HTTPStatus != tt.status || se.Transient != tt.transient {
				t.Fatalf("err = %v, want status %d transient %v", err, tt.status, tt.transient)
			}
			if !strings.HasPrefix(err.Error(), "instagram: fetch media: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
	t.Run("no url", func(t *testing.T) {
		if _, _, err := (&instagram.Transport{}).FetchMedia(context.Background(), acct, channels.MediaRef{ID: "x"}); err == nil {
			t.Fatal("want an error")
		}
	})
}

func TestUploadMediaUnsupported(t *testing.T) {
	_, err := (&instagram.Transport{}).UploadMedia(context.Background(), acct, strings.NewReader("x"), channels.MediaInfo{MIME: "image/png"})
	if !errors.Is(err, channels.ErrUploadUnsupported) {
		t.Fatalf("err = %v, want ErrUploadUnsupported", err)
	}
}
