package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// envOf looks variables up in a map, as parseConfig does in os.Environ.
func envOf(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
}

func TestConfigDefaults(t *testing.T) {
	c, err := parseConfig(nil, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		Addr: ":8080", PublicURL: "http://localhost:8080", LogLevel: "info", DataDir: ".data",
		BitrixOAuthURL: "https://oauth.bitrix.info", BitrixRate: 2, BitrixBurst: 45,
		BX24ScriptURL: "https://api.bitrix24.com/api/v1/", BitrixAddr: ":8081", GraphAddr: ":8082",
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", c, want)
	}
}

// TestConfigVariables gives every variable good and bad values: a good one
// lands in its field, a bad one is an error naming the variable and the value.
func TestConfigVariables(t *testing.T) {
	long := strings.Repeat("s", 32)
	for _, tc := range []struct {
		name, value string
		got         func(config) any
		want        any    // for a good value
		err         string // for a bad value: what the message says besides name and value
	}{
		{"DATABASE_URL", "postgres://u:p@localhost:5432/sb?sslmode=disable", func(c config) any { return c.DatabaseURL }, "postgres://u:p@localhost:5432/sb?sslmode=disable", ""},
		{"DATABASE_URL", "host=/tmp dbname=sb sslmode=disable", func(c config) any { return c.DatabaseURL }, "host=/tmp dbname=sb sslmode=disable", ""},
		{"DATABASE_URL", "host=/tmp dbname='sb", nil, nil, "not a PostgreSQL URL"},
		{"DATABASE_URL", "postgres://localhost/sb?sslmode=sometimes", nil, nil, "not a PostgreSQL URL"},

		{"SWITCHBOARD_ADDR", ":9090", func(c config) any { return c.Addr }, ":9090", ""},
		{"SWITCHBOARD_ADDR", "127.0.0.1:9090", func(c config) any { return c.Addr }, "127.0.0.1:9090", ""},
		{"SWITCHBOARD_ADDR", "[::1]:9090", func(c config) any { return c.Addr }, "[::1]:9090", ""},
		{"SWITCHBOARD_ADDR", "8080", nil, nil, "host:port"},
		{"SWITCHBOARD_ADDR", ":http", nil, nil, "port must be a number"},
		{"SWITCHBOARD_ADDR", ":70000", nil, nil, "port must be a number"},

		{"SWITCHBOARD_PUBLIC_URL", "https://sb.example.com", func(c config) any { return c.PublicURL }, "https://sb.example.com", ""},
		{"SWITCHBOARD_PUBLIC_URL", "http://localhost:8080/", func(c config) any { return c.PublicURL }, "http://localhost:8080/", ""},
		{"SWITCHBOARD_PUBLIC_URL", "sb.example.com", nil, nil, "absolute http:// or https://"},
		{"SWITCHBOARD_PUBLIC_URL", "ftp://sb.example.com", nil, nil, "absolute http:// or https://"},
		{"SWITCHBOARD_PUBLIC_URL", "https:///path", nil, nil, "must name a host"},
		{"SWITCHBOARD_PUBLIC_URL", "https://exa mple.com", nil, nil, "not a URL"},

		{"SWITCHBOARD_SECRET", long, func(c config) any { return c.Secret }, long, ""},
		{"SWITCHBOARD_SECRET", "short", nil, nil, "at least 32 characters"},

		{"SWITCHBOARD_SECURE_COOKIES", "true", func(c config) any { return c.SecureCookies }, true, ""},
		{"SWITCHBOARD_SECURE_COOKIES", "1", func(c config) any { return c.SecureCookies }, true, ""},
		{"SWITCHBOARD_SECURE_COOKIES", "FALSE", func(c config) any { return c.SecureCookies }, false, ""},
		{"SWITCHBOARD_SECURE_COOKIES", "ture", nil, nil, "not a boolean (accepted: true, false"},
		{"SWITCHBOARD_SECURE_COOKIES", "yes", nil, nil, "not a boolean"},

		{"SWITCHBOARD_DATA_DIR", "/var/lib/sb", func(c config) any { return c.DataDir }, "/var/lib/sb", ""},

		{"LOG_LEVEL", "debug", func(c config) any { return c.LogLevel }, "debug", ""},
		{"LOG_LEVEL", "WARN", func(c config) any { return c.LogLevel }, "warn", ""},
		{"LOG_LEVEL", "error", func(c config) any { return c.LogLevel }, "error", ""},
		{"LOG_LEVEL", "verbose", nil, nil, "one of debug, info, warn, error"},
		{"LOG_LEVEL", "info+2", nil, nil, "one of debug, info, warn, error"},

		{"BITRIX_CLIENT_ID", "local.abc", func(c config) any { return c.BitrixClientID }, "local.abc", ""},
		{"BITRIX_CLIENT_SECRET", "xyz", func(c config) any { return c.BitrixClientSecret }, "xyz", ""},

		{"BITRIX_OAUTH_URL", "https://oauth.example.com", func(c config) any { return c.BitrixOAuthURL }, "https://oauth.example.com", ""},
		{"BITRIX_OAUTH_URL", "oauth.bitrix.info", nil, nil, "absolute http:// or https://"},
		{"BITRIX_OAUTH_URL", "https://user:pw@oauth.bitrix.info", nil, nil, "must not carry a user name"},

		{"BITRIX_RATE", "5", func(c config) any { return c.BitrixRate }, 5.0, ""},
		{"BITRIX_RATE", "0.5", func(c config) any { return c.BitrixRate }, 0.5, ""},
		{"BITRIX_RATE", "0", nil, nil, "positive number"},
		{"BITRIX_RATE", "-1", nil, nil, "positive number"},
		{"BITRIX_RATE", "NaN", nil, nil, "positive number"},
		{"BITRIX_RATE", "Inf", nil, nil, "positive number"},
		{"BITRIX_RATE", "two", nil, nil, "positive number"},

		{"BITRIX_BURST", "250", func(c config) any { return c.BitrixBurst }, 250, ""},
		{"BITRIX_BURST", "0", nil, nil, "positive whole number"},
		{"BITRIX_BURST", "4.5", nil, nil, "positive whole number"},

		{"BX24_SCRIPT_URL", "https://api.bitrix24.com/api/v1/", func(c config) any { return c.BX24ScriptURL }, "https://api.bitrix24.com/api/v1/", ""},
		{"BX24_SCRIPT_URL", "//api.bitrix24.com/api/v1/", nil, nil, "absolute http:// or https://"},
		{"BX24_SCRIPT_URL", "javascript:alert(1)", nil, nil, "absolute http:// or https://"},

		{"BITRIX_ALLOW_LOCAL", "true", func(c config) any { return c.BitrixAllowLocal }, true, ""},
		{"BITRIX_ALLOW_LOCAL", "0", func(c config) any { return c.BitrixAllowLocal }, false, ""},
		{"BITRIX_ALLOW_LOCAL", "on", nil, nil, "not a boolean"},

		{"DEMO_GRAPH_ADDR", "127.0.0.1:0", func(c config) any { return c.GraphAddr }, "127.0.0.1:0", ""},
		{"DEMO_GRAPH_ADDR", "localhost", nil, nil, "host:port"},
		{"DEMO_BITRIX_ADDR", ":18081", func(c config) any { return c.BitrixAddr }, ":18081", ""},
		{"DEMO_BITRIX_ADDR", ":-1", nil, nil, "port must be a number"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			c, err := parseConfig(nil, envOf(map[string]string{tc.name: tc.value}))
			if tc.err == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got := tc.got(c); got != tc.want {
					t.Errorf("got %#v, want %#v", got, tc.want)
				}
				return
			}
			var ce configError
			if !errors.As(err, &ce) || len(ce) != 1 {
				t.Fatalf("want one configuration error, got %v", err)
			}
			if !strings.HasPrefix(ce[0], tc.name) || !strings.Contains(ce[0], tc.err) {
				t.Errorf("message %q should name %s and say %q", ce[0], tc.name, tc.err)
			}
			if tc.name != "SWITCHBOARD_SECRET" && !strings.Contains(ce[0], `"`+tc.value+`"`) {
				t.Errorf("message %q should quote the value %q", ce[0], tc.value)
			}
		})
	}
}

func TestConfigReportsEveryBadVariableTogether(t *testing.T) {
	_, err := parseConfig(nil, envOf(map[string]string{
		"SWITCHBOARD_SECURE_COOKIES": "ture",
		"BITRIX_RATE":                "fast",
		"LOG_LEVEL":                  "loud",
		"BX24_SCRIPT_URL":            "api.bitrix24.com",
	}))
	if err == nil {
		t.Fatal("bad values were accepted")
	}
	for _, name := range []string{"SWITCHBOARD_SECURE_COOKIES", "BITRIX_RATE", "LOG_LEVEL", "BX24_SCRIPT_URL"} {
		if !strings.Contains(err.Error(), name+"=") {
			t.Errorf("the error does not report %s:\n%v", name, err)
		}
	}
}

func TestConfigSecretIsNeverPrinted(t *testing.T) {
	_, err := parseConfig(nil, envOf(map[string]string{
		"SWITCHBOARD_SECRET": "hunter2-hunter2",
		"DATABASE_URL":       "postgres://sb:hunter3@localhost/sb?sslmode=bogus",
	}))
	if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "hunter3") {
		t.Errorf("want an error that hides the secrets, got %v", err)
	}
}

func TestConfigFlagsAreCheckedToo(t *testing.T) {
	c, err := parseConfig([]string{"-addr", "127.0.0.1:9000"}, envOf(map[string]string{"SWITCHBOARD_ADDR": ":8000"}))
	if err != nil || c.Addr != "127.0.0.1:9000" || c.PublicURL != "http://localhost:9000" {
		t.Errorf("the flag should win: %+v, %v", c, err)
	}
	_, err = parseConfig([]string{"-graph-addr", "nowhere"}, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), `-graph-addr="nowhere"`) {
		t.Errorf("want the bad flag reported, got %v", err)
	}
}

func TestServeRequiresItsVariables(t *testing.T) {
	c, err := parseConfig(nil, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	err = c.checkServe()
	for _, name := range []string{"DATABASE_URL", "SWITCHBOARD_PUBLIC_URL", "SWITCHBOARD_SECRET", "BITRIX_CLIENT_ID", "BITRIX_CLIENT_SECRET"} {
		if err == nil || !strings.Contains(err.Error(), name+" must be set") {
			t.Errorf("serve does not ask for %s: %v", name, err)
		}
	}
	c, err = parseConfig(nil, envOf(map[string]string{
		"DATABASE_URL": "postgres://localhost/sb", "SWITCHBOARD_PUBLIC_URL": "https://sb.example.com",
		"SWITCHBOARD_SECRET": strings.Repeat("s", 32), "BITRIX_CLIENT_ID": "id", "BITRIX_CLIENT_SECRET": "secret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.checkServe(); err != nil {
		t.Errorf("a complete configuration is refused: %v", err)
	}
}

// runMainEnv makes the test binary run main instead of the tests (see TestMain).
const runMainEnv = "SWITCHBOARD_TEST_RUN_MAIN"

// TestBadConfigStopsTheStart runs the real main with a typo in a boolean:
// it exits non-zero with the message before it touches anything (the demo
// would create its database cluster under SWITCHBOARD_DATA_DIR).
func TestBadConfigStopsTheStart(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "demo")
	cmd.Env = []string{runMainEnv + "=1", "PATH=" + os.Getenv("PATH"),
		"SWITCHBOARD_DATA_DIR=" + dataDir, "SWITCHBOARD_SECURE_COOKIES=ture", "BITRIX_BURST=many",
		"SWITCHBOARD_ADDR=127.0.0.1:0", "DEMO_GRAPH_ADDR=127.0.0.1:0", "DEMO_BITRIX_ADDR=127.0.0.1:0"}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("want exit status 1, got %v; output:\n%s", err, out)
	}
	for _, want := range []string{"invalid configuration", `SWITCHBOARD_SECURE_COOKIES="ture": not a boolean`, `BITRIX_BURST="many"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(dataDir); !os.IsNotExist(err) {
		t.Errorf("the demo touched its data dir before refusing its configuration: %v", err)
	}
}
