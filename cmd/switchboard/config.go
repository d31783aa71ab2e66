package main

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strconv"
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
	// MediaAllowHosts are host:port pairs media may be downloaded from
	// although they are not public https addresses: the Graph API emulator
	// of the demo. Never read from the environment.
	MediaAllowHosts []string
}

func env(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}

func loadConfig(args []string) (config, error) {
	secure, _ := strconv.ParseBool(env("SWITCHBOARD_SECURE_COOKIES", "false"))
	rate, err := strconv.ParseFloat(env("BITRIX_RATE", "2"), 64)
	if err != nil || rate <= 0 {
		return config{}, fmt.Errorf("BITRIX_RATE must be a positive number of calls per second")
	}
	allowLocal, _ := strconv.ParseBool(env("BITRIX_ALLOW_LOCAL", "false"))
	burst, err := strconv.Atoi(env("BITRIX_BURST", "45"))
	if err != nil || burst < 1 {
		return config{}, fmt.Errorf("BITRIX_BURST must be a positive whole number")
	}
	c := config{
		DatabaseURL:   os.Getenv("DATABASE_URL"),
		Addr:          env("SWITCHBOARD_ADDR", ":8080"),
		PublicURL:     env("SWITCHBOARD_PUBLIC_URL", ""),
		Secret:        os.Getenv("SWITCHBOARD_SECRET"),
		SecureCookies: secure,
		LogLevel:      env("LOG_LEVEL", "info"),
		DataDir:       env("SWITCHBOARD_DATA_DIR", ".data"),
		BitrixAddr:    env("DEMO_BITRIX_ADDR", ":8081"),

		BitrixClientID:     os.Getenv("BITRIX_CLIENT_ID"),
		BitrixClientSecret: os.Getenv("BITRIX_CLIENT_SECRET"),
		BitrixOAuthURL:     env("BITRIX_OAUTH_URL", "https://oauth.bitrix.info"),
		BitrixRate:         rate,
		BitrixBurst:        burst,
		BX24ScriptURL:      env("BX24_SCRIPT_URL", "https://api.bitrix24.com/api/v1/"),
		BitrixAllowLocal:   allowLocal,
		GraphAddr:          env("DEMO_GRAPH_ADDR", ":8082"),
	}
	fs := flag.NewFlagSet("switchboard", flag.ContinueOnError)
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL (DATABASE_URL)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "app listen address (SWITCHBOARD_ADDR)")
	fs.StringVar(&c.BitrixAddr, "bitrix-addr", c.BitrixAddr, "demo: Bitrix24 emulator address (DEMO_BITRIX_ADDR)")
	fs.StringVar(&c.GraphAddr, "graph-addr", c.GraphAddr, "demo: Graph API emulator address (DEMO_GRAPH_ADDR)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://localhost" + portOf(c.Addr)
	}
	return c, nil
}

// secret is the configured signing secret, or a random one for this run
// (page tokens then die with the process, which only a demo can afford).
func (c config) secret(demo bool) ([]byte, error) {
	if len(c.Secret) >= 32 {
		return []byte(c.Secret), nil
	}
	if !demo {
		return nil, fmt.Errorf("SWITCHBOARD_SECRET must be set to at least 32 characters")
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return []byte(hex.EncodeToString(b)), nil
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
