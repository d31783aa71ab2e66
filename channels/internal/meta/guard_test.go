package meta

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync/atomic"
	"testing"

	"switchboard/channels"
)

func TestIsPublic(t *testing.T) {
	tests := []struct {
		ip     string
		public bool
	}{
		{"127.0.0.1", false},
		{"127.8.9.10", false},
		{"::1", false},
		{"10.0.0.5", false},
		{"172.16.0.1", false},
		{"172.31.255.254", false},
		{"192.168.1.10", false},
		{"169.254.169.254", false}, // cloud metadata
		{"169.254.1.1", false},
		{"fd00::1", false},
		{"fd00:ec2::254", false}, // AWS metadata over IPv6
		{"fe80::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"100.100.100.200", false}, // Alibaba metadata, carrier-grade NAT range
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.5", false},
		{"64:ff9b::a00:5", false}, // NAT64 of 10.0.0.5
		{"224.0.0.1", false},
		{"255.255.255.255", false},
		{"8.8.8.8", true},
		{"157.240.1.35", true}, // a Meta CDN address
		{"172.32.0.1", true},   // just past 172.16/12
		{"2a03:2880:f10c:83:face:b00c::25de", true},
	}
	for _, tt := range tests {
		if got := IsPublic(netip.MustParseAddr(tt.ip)); got != tt.public {
			t.Errorf("IsPublic(%s) = %v, want %v", tt.ip, got, tt.public)
		}
	}
}

// refused checks err is the guard's refusal: a permanent SendError that is
// ErrNotPublic.
func refused(t *testing.T, err error) {
	t.Helper()
	var se *channels.SendError
	if !errors.Is(err, ErrNotPublic) || !errors.As(err, &se) || se.Transient {
		t.Fatalf("err = %v, want a permanent refusal (ErrNotPublic)", err)
	}
}

// counting serves 200 "ok" and counts the requests it got.
func counting(t *testing.T, tls bool) (*httptest.Server, *int32) {
	var n int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { atomic.AddInt32(&n, 1); io.WriteString(w, "ok") })
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, &n
}

func hostOf(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func TestDownloadRefusesWhatIsNotPublicHTTPS(t *testing.T) {
	tlsSrv, hits := counting(t, true)
	port := hostOf(t, tlsSrv.URL)[len("127.0.0.1"):]
	c := Client{}
	for _, u := range []string{
		tlsSrv.URL + "/file",                        // https, but loopback
		"https://localhost" + port + "/file",        // a name that resolves to loopback
		"https://[::1]" + port + "/file",            // IPv6 loopback
		"https://10.0.0.5/file",                     // private
		"https://172.16.4.4/file",                   // private
		"https://192.168.0.1/file",                  // private
		"https://169.254.169.254/latest/meta-data/", // cloud metadata
		"https://[fd00::1]/file",                    // unique local IPv6
		"http://example.com/file",                   // not https, whatever the address
		"ftp://example.com/file",
	} {
		t.Run(u, func(t *testing.T) {
			resp, err := c.Download(context.Background(), "", u)
			if err == nil {
				resp.Body.Close()
			}
			refused(t, err)
		})
	}
	if *hits != 0 {
		t.Errorf("the loopback server got %d requests, want none", *hits)
	}
}

func TestDownloadRefusesARedirectToAnInternalAddress(t *testing.T) {
	inner, innerHits := counting(t, false)
	innerTLS, innerTLSHits := counting(t, true)
	for name, target := range map[string]string{"to http": inner.URL + "/secret", "to https": innerTLS.URL + "/secret"} {
		t.Run(name, func(t *testing.T) {
			// The first hop is allowed, as the emulator is in tests; where
			// it sends the download is not.
			outer := httptest.NewServer(http.RedirectHandler(target, http.StatusFound))
			t.Cleanup(outer.Close)
			c := Client{AllowHosts: []string{hostOf(t, outer.URL)}}
			resp, err := c.Download(context.Background(), "", outer.URL+"/file")
			if err == nil {
				resp.Body.Close()
			}
			refused(t, err)
		})
	}
	if *innerHits != 0 || *innerTLSHits != 0 {
		t.Errorf("the internal servers got %d and %d requests, want none", *innerHits, *innerTLSHits)
	}
}

func TestDownloadFromAnAllowedHost(t *testing.T) {
	srv, hits := counting(t, false)
	c := Client{AllowHosts: []string{hostOf(t, srv.URL)}}
	resp, err := c.Download(context.Background(), "", srv.URL+"/file")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "ok" || *hits != 1 {
		t.Fatalf("got %q after %d requests", b, *hits)
	}
	// The same host on another port is not allowed.
	other, _ := counting(t, false)
	_, err = c.Download(context.Background(), "", other.URL+"/file")
	refused(t, err)
}
