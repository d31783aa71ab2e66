package meta

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNotPublic is a media URL the guard refuses: not https, or an address
// that is not public (loopback, private, link-local, cloud metadata...).
// Webhooks name attachment URLs, so whoever can send us a message could
// otherwise make the app fetch from inside its own network.
var ErrNotPublic = errors.New("media URL is not a public https address")

// notPublic are the ranges a download never connects to, beyond what
// netip's IsLoopback, IsPrivate, IsLinkLocal*, IsMulticast and IsUnspecified
// already cover (127/8, 10/8, 172.16/12, 192.168/16, 169.254/16 with the
// metadata address 169.254.169.254, fc00::/7 with AWS's fd00:ec2::254,
// fe80::/10).
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT; Alibaba's metadata 100.100.100.200
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: would reach any IPv4 address
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("2002::/16"),       // 6to4: would reach any IPv4 address
}

// IsPublic reports whether a download may connect to ip.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// checkDialed refuses a connection about to be made to a non-public
// address. It runs in the dialer's Control, after name resolution and for
// each address tried, so a name that resolves (or later re-resolves) to an
// internal address is refused too.
func checkDialed(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrNotPublic, address)
	}
	if !IsPublic(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrNotPublic, ap.Addr())
	}
	return nil
}

// guard is the RoundTripper of a download client: it refuses any request
// (the first and every redirect) that is not https unless its host is
// allowed, and dials through a dialer that checks every address.
type guard struct {
	allow map[string]bool // host:port
	next  *http.Transport
}

func newGuard(allow []string) *guard {
	g := &guard{allow: map[string]bool{}}
	for _, h := range allow {
		g.allow[strings.ToLower(h)] = true
	}
	checked := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: checkDialed}
	plain := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	g.next = &http.Transport{
		// No proxy: the address checked must be the one connected to.
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if g.allow[strings.ToLower(addr)] {
				return plain.DialContext(ctx, network, addr)
			}
			return checked.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   16,
		ForceAttemptHTTP2:     true,
	}
	return g
}

func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" && !g.allow[hostPort(req.URL)] {
		return nil, fmt.Errorf("%w: %s", ErrNotPublic, req.URL.Redacted())
	}
	return g.next.RoundTrip(req)
}

// hostPort is u's host:port, the port from the scheme when u names none.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return strings.ToLower(net.JoinHostPort(u.Hostname(), port))
}

// guardedClients are the download clients by allow list, so that every
// adapter with the same list shares one connection pool.
var guardedClients sync.Map // string → *http.Client

// guardedClient is the download client for an allow list.
func guardedClient(allow []string) *http.Client {
	allow = slices.Sorted(slices.Values(allow))
	key := strings.Join(allow, " ")
	if c, ok := guardedClients.Load(key); ok {
		return c.(*http.Client)
	}
	c, _ := guardedClients.LoadOrStore(key, &http.Client{Transport: newGuard(allow)})
	return c.(*http.Client)
}
