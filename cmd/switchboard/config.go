package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/lib/pq"
)

// config is read from the environment; flags of the same meaning win.
type config struct {
	DatabaseURL   string // DATABASE_URL
	Addr          string // SWITCHBOARD_ADDR
	PublicURL     string // SWITCHBOARD_PUBLIC_URL
	Secret        string // SWITCHBOARD_SECRET
	SecureCookies bool   // SWITCHBOARD_SECURE_COOKIES
	LogLevel      string // LOG_LEVEL
	DataDir       string // SWITCHBOARD_DATA_DIR
	DebugAddr     string // SWITCHBOARD_DEBUG_ADDR: net/http/pprof, off when empty

	BitrixClientID     string  // BITRIX_CLIENT_ID
	BitrixClientSecret string  // BITRIX_CLIENT_SECRET
	BitrixOAuthURL     string  // BITRIX_OAUTH_URL
	BitrixRate         float64 // BITRIX_RATE
	BitrixBurst        int     // BITRIX_BURST
	BX24ScriptURL      string  // BX24_SCRIPT_URL
	BitrixAllowLocal   bool    // BITRIX_ALLOW_LOCAL

	// Demo mode only.
	BitrixAddr string // DEMO_BITRIX_ADDR
	GraphAddr  string // DEMO_GRAPH_ADDR

	// publicURLSet is whether SWITCHBOARD_PUBLIC_URL was given rather than
	// derived from the listen address; `serve` requires it.
	publicURLSet bool

	// MediaAllowHosts are host:port pairs media may be downloaded from
	// although they are not public https addresses: the Graph API emulator
	// of the demo. Never read from the environment.
	MediaAllowHosts []string
}

// minSecretLen is the shortest SWITCHBOARD_SECRET accepted.
const minSecretLen = 32

// configError lists every bad variable at once, so one start reports all
// of them.
type configError []string

func (e configError) Error() string {
	return "invalid configuration:\n  " + strings.Join(e, "\n  ")
}

// loadConfig reads the process environment and args.
func loadConfig(args []string) (config, error) {
	return parseConfig(args, os.LookupEnv)
}

// parseConfig reads every variable strictly through lookup: a value that
// does not parse is an error (an empty one means the default), and all the
// errors are returned together as one configError.
func parseConfig(args []string, lookup func(string) (string, bool)) (config, error) {
	e := &envReader{lookup: lookup}
	c := config{
		DatabaseURL:   e.databaseURL("DATABASE_URL"),
		Addr:          e.addr("SWITCHBOARD_ADDR", ":8080"),
		PublicURL:     e.httpURL("SWITCHBOARD_PUBLIC_URL", ""),
		Secret:        e.secret("SWITCHBOARD_SECRET"),
		SecureCookies: e.boolean("SWITCHBOARD_SECURE_COOKIES", false),
		LogLevel:      e.logLevel("LOG_LEVEL", "info"),
		DataDir:       e.str("SWITCHBOARD_DATA_DIR", ".data"),
		DebugAddr:     e.addr("SWITCHBOARD_DEBUG_ADDR", ""),

		BitrixClientID:     e.str("BITRIX_CLIENT_ID", ""),
		BitrixClientSecret: e.str("BITRIX_CLIENT_SECRET", ""),
		BitrixOAuthURL:     e.httpURL("BITRIX_OAUTH_URL", "https://oauth.bitrix.info"),
		BitrixRate:         e.positiveFloat("BITRIX_RATE", 2),
		BitrixBurst:        e.positiveInt("BITRIX_BURST", 45),
		BX24ScriptURL:      e.httpURL("BX24_SCRIPT_URL", "https://api.bitrix24.com/api/v1/"),
		BitrixAllowLocal:   e.boolean("BITRIX_ALLOW_LOCAL", false),

		BitrixAddr: e.addr("DEMO_BITRIX_ADDR", ":8081"),
		GraphAddr:  e.addr("DEMO_GRAPH_ADDR", ":8082"),
	}
	c.publicURLSet = c.PublicURL != ""
	fs := flag.NewFlagSet("switchboard", flag.ContinueOnError)
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL (DATABASE_URL)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "app listen address (SWITCHBOARD_ADDR)")
	fs.StringVar(&c.BitrixAddr, "bitrix-addr", c.BitrixAddr, "demo: Bitrix24 emulator address (DEMO_BITRIX_ADDR)")
	fs.StringVar(&c.GraphAddr, "graph-addr", c.GraphAddr, "demo: Graph API emulator address (DEMO_GRAPH_ADDR)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	// A flag wins over its variable, so it is checked as strictly.
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		switch f.Name {
		case "database-url":
			e.checkDatabaseURL("-database-url", v)
		default:
			e.checkAddr("-"+f.Name, v)
		}
	})
	if len(e.errs) > 0 {
		return c, e.errs
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://localhost" + portOf(c.Addr)
	}
	return c, nil
}

// checkServe reports every variable that `serve` needs and was not given;
// the demo fills them in itself.
func (c config) checkServe() error {
	var errs configError
	for _, v := range []struct {
		name string
		set  bool
	}{
		{"DATABASE_URL", c.DatabaseURL != ""},
		{"SWITCHBOARD_PUBLIC_URL", c.publicURLSet},
		{"SWITCHBOARD_SECRET", c.Secret != ""},
		{"BITRIX_CLIENT_ID", c.BitrixClientID != ""},
		{"BITRIX_CLIENT_SECRET", c.BitrixClientSecret != ""},
	} {
		if !v.set {
			errs = append(errs, v.name+" must be set for serve")
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// secret is the configured signing secret, or a random one for this run
// (page tokens then die with the process, which only a demo can afford).
func (c config) secret(demo bool) ([]byte, error) {
	if c.Secret != "" {
		return []byte(c.Secret), nil
	}
	if !demo {
		return nil, fmt.Errorf("SWITCHBOARD_SECRET must be set to at least %d characters", minSecretLen)
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return []byte(hex.EncodeToString(b)), nil
}

// envReader reads variables and collects what is wrong with them.
type envReader struct {
	lookup func(string) (string, bool)
	errs   configError
}

// raw is the variable's value, or "" when it is unset or empty.
func (e *envReader) raw(name string) string {
	v, _ := e.lookup(name)
	return v
}

func (e *envReader) fail(name, value, format string, args ...any) {
	e.errs = append(e.errs, fmt.Sprintf("%s=%q: ", name, value)+fmt.Sprintf(format, args...))
}

func (e *envReader) str(name, fallback string) string {
	if v := e.raw(name); v != "" {
		return v
	}
	return fallback
}

func (e *envReader) boolean(name string, fallback bool) bool {
	v := e.raw(name)
	if v == "" {
		return fallback
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.fail(name, v, "not a boolean (accepted: true, false, 1, 0, t, f, TRUE, FALSE, True, False)")
		return fallback
	}
	return b
}

func (e *envReader) positiveFloat(name string, fallback float64) float64 {
	v := e.raw(name)
	if v == "" {
		return fallback
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		e.fail(name, v, "must be a positive number, such as 2 or 0.5")
		return fallback
	}
	return f
}

func (e *envReader) positiveInt(name string, fallback int) int {
	v := e.raw(name)
	if v == "" {
		return fallback
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		e.fail(name, v, "must be a positive whole number, such as 45")
		return fallback
	}
	return n
}

// logLevels are the accepted LOG_LEVEL values, any case.
var logLevels = []string{"debug", "info", "warn", "error"}

func (e *envReader) logLevel(name, fallback string) string {
	v := e.raw(name)
	if v == "" {
		return fallback
	}
	for _, l := range logLevels {
		if strings.EqualFold(v, l) {
			return l
		}
	}
	e.fail(name, v, "must be one of %s", strings.Join(logLevels, ", "))
	return fallback
}

// httpURL reads an absolute http or https URL with a host.
func (e *envReader) httpURL(name, fallback string) string {
	v := e.raw(name)
	if v == "" {
		return fallback
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		e.fail(name, v, "not a URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		e.fail(name, v, "must be an absolute http:// or https:// URL")
	case u.Host == "" || u.Hostname() == "":
		e.fail(name, v, "must name a host, as in https://example.com/")
	case u.User != nil:
		e.fail(name, v, "must not carry a user name or password")
	default:
		return v
	}
	return fallback
}

func (e *envReader) addr(name, fallback string) string {
	v := e.raw(name)
	if v == "" {
		return fallback
	}
	if !e.checkAddr(name, v) {
		return fallback
	}
	return v
}

// checkAddr accepts a listen address host:port (host may be empty) with a
// numeric port.
func (e *envReader) checkAddr(name, v string) bool {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		e.fail(name, v, "must be a listen address host:port, such as :8080 or 127.0.0.1:8080")
		return false
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || (n == 0 && port != "0") {
		e.fail(name, v, "the port must be a number from 0 to 65535")
		return false
	}
	return true
}

func (e *envReader) databaseURL(name string) string {
	v := e.raw(name)
	if v != "" && !e.checkDatabaseURL(name, v) {
		return ""
	}
	return v
}

// checkDatabaseURL parses a postgres:// URL or a key=value DSN the way the
// driver will, without connecting.
func (e *envReader) checkDatabaseURL(name, v string) bool {
	if _, err := pq.NewConnector(v); err != nil {
		e.fail(name, redactDSN(v), "not a PostgreSQL URL or key=value DSN: %s", redactDSN(err.Error()))
		return false
	}
	return true
}

// redactDSN hides a password in a DSN or URL before it is printed.
func redactDSN(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	if i := strings.Index(s, "password="); i >= 0 {
		end := strings.IndexByte(s[i:], ' ')
		if end < 0 {
			return s[:i] + "password=xxxxx"
		}
		return s[:i] + "password=xxxxx" + s[i+end:]
	}
	return s
}

// secret reads SWITCHBOARD_SECRET, which must be long enough when given.
func (e *envReader) secret(name string) string {
	v := e.raw(name)
	if v != "" && len(v) < minSecretLen {
		// Never print the secret itself.
		e.errs = append(e.errs, fmt.Sprintf("%s: must be at least %d characters (it has %d)", name, minSecretLen, len(v)))
		return ""
	}
	return v
}

// portOf turns ":8080" or "0.0.0.0:8080" into ":8080".
func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i:]
		}
	}
	return ":" + addr
}
