package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"switchboard/bitrix/emulator"
	"switchboard/db"
	"switchboard/db/pgcluster"
	"switchboard/handlers"
)

// The bench's fixed names: its Bitrix24 app, its portals, its channel.
const (
	benchClientID     = "local.bench"
	benchClientSecret = "bench-client-secret"
	benchAppSecret    = "bench-app-secret"
	benchSecret       = "bench-page-token-secret-0123456789abcdef"
	benchPhoneID      = "100200300"
)

// benchEnv is the bench's world: a throwaway cluster, an emulated portal,
// and the app as a process of its own (its memory and start are measured
// from outside), reached over HTTP only.
type benchEnv struct {
	dir     string
	cluster *pgcluster.Cluster
	bin     string // this executable: the app and the bare SSE server
	log     *slog.Logger
}

// startBenchEnv starts the cluster in a fresh directory under /dev/shm.
func startBenchEnv(ctx context.Context, log *slog.Logger) (*benchEnv, error) {
	bin, err := os.Executable()
	if err != nil {
		return nil, err
	}
	base := "/dev/shm"
	if st, err := os.Stat(base); err != nil || !st.IsDir() {
		base = os.TempDir()
	}
	dir, err := os.MkdirTemp(base, "sbbench-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	cluster, err := pgcluster.Start(ctx, filepath.Join(dir, "d"), pgcluster.Options{Ephemeral: true})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &benchEnv{dir: dir, cluster: cluster, bin: bin, log: log}, nil
}

func (e *benchEnv) close() {
	e.cluster.Stop()
	os.RemoveAll(e.dir)
}

// createDB creates an empty database on the cluster and returns its DSN.
func (e *benchEnv) createDB(ctx context.Context, name string) (string, error) {
	admin, err := db.Open(ctx, e.cluster.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	return e.cluster.DSN(name), nil
}

// benchPortal is one emulated portal with the app installed, a WhatsApp
// channel, and a signed-in admin's page token.
type benchPortal struct {
	env      *benchEnv
	dsn      string
	emu      *emulator.Portal
	emuSrv   *http.Server
	emuURL   string
	appAddr  string
	appURL   string
	app      *appProcess
	store    *db.Store // the bench's own connection, for setup and checks
	portalID int64
	hookURL  string
	token    string
	extraEnv []string
}

// newBenchPortal serves an emulated portal and starts the app for it on a
// database of its own; it is installed and signed into by setUp.
func (e *benchEnv) newBenchPortal(ctx context.Context, dbName string, emu emulator.Config, extraEnv ...string) (*benchPortal, error) {
	dsn, err := e.createDB(ctx, dbName)
	if err != nil {
		return nil, err
	}
	bp := &benchPortal{env: e, dsn: dsn, extraEnv: extraEnv}
	if bp.appAddr, err = freeAddr(); err != nil {
		return nil, err
	}
	bp.appURL = "http://" + bp.appAddr
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	bp.emuURL = "http://" + ln.Addr().String()
	emu.Domain, emu.MemberID, emu.ClientID, emu.ClientSecret = ln.Addr().String(), dbName, benchClientID, benchClientSecret
	emu.AppHandlers = emulator.AppHandlerURLs{Install: bp.appURL + handlers.PathInstall, App: bp.appURL + handlers.PathPlacement}
	emu.NoAutoEvents = true
	emu.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	bp.emu = emulator.New(emu)
	bp.emu.AddUser(emulator.User{ID: 1, Name: "Anna", LastName: "Petrova", Admin: true})
	bp.emu.AddUser(emulator.User{ID: 2, Name: "Boris", LastName: "Ivanov"})
	bp.emuSrv = &http.Server{Handler: bp.emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = bp.emuSrv.Serve(ln) }()
	conn, err := db.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	bp.store = db.New(conn)
	return bp, nil
}

// setUp starts the app (migrating its database), installs it into the
// portal as an admin would, adds the channel and signs the admin in.
func (bp *benchPortal) setUp(ctx context.Context) error {
	var err error
	if bp.app, err = bp.startApp(ctx); err != nil {
		return err
	}
	if err := bp.emu.Install(ctx); err != nil {
		return fmt.Errorf("bench: installing the app: %w", err)
	}
	p, err := bp.store.PortalByMemberID(ctx, bp.emu.MemberID())
	if err != nil {
		return fmt.Errorf("bench: the install stored no portal: %w", err)
	}
	bp.portalID = p.ID
	id, err := bp.store.UpsertChannel(ctx, db.Channel{PortalID: p.ID, Transport: "whatsapp", ExternalID: benchPhoneID,
		Name: "Sales", AccessToken: "bench-token", AppSecret: benchAppSecret, VerifyToken: "bench-verify",
		APIBase: "http://127.0.0.1:9/v23.0"})
	if err != nil {
		return err
	}
	bp.hookURL = bp.appURL + "/hooks/whatsapp/" + strconv.FormatInt(id, 10)
	bp.token, err = bp.signIn(1)
	return err
}

var benchTokenInPage = regexp.MustCompile(`X-Switchboard-Token&#34;:&#34;([^&]+)&#34;`)

// signIn opens the app from the portal's left menu as user and returns the
// page token the app put into the page.
func (bp *benchPortal) signIn(user int) (string, error) {
	pr, err := bp.emu.PlacementPost(user, "LEFT_MENU", bp.appURL+handlers.PathPlacement, nil, "en")
	if err != nil {
		return "", err
	}
	resp, err := http.Post(pr.URL, "application/x-www-form-urlencoded", strings.NewReader(pr.Form.Encode()))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := benchTokenInPage.FindSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("bench: no page token in the placement page (status %d)", resp.StatusCode)
	}
	return string(m[1]), nil
}

func (bp *benchPortal) close() {
	if bp.app != nil {
		bp.app.stop()
	}
	_ = bp.emuSrv.Close()
	bp.store.DB.Close()
}

// restartApp stops the app and starts it again on the same database.
func (bp *benchPortal) restartApp(ctx context.Context) error {
	bp.app.stop()
	app, err := bp.startApp(ctx)
	if err != nil {
		return err
	}
	bp.app = app
	return nil
}

// appProcess is `switchboard serve` running as a child process.
type appProcess struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	started time.Duration // from exec to the first ready /readyz
}

// startApp runs the app and waits until /readyz answers 200.
func (bp *benchPortal) startApp(ctx context.Context) (*appProcess, error) {
	logFile, err := os.OpenFile(filepath.Join(bp.env.dir, "app.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bp.env.bin, "serve")
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+bp.dsn, "SWITCHBOARD_ADDR="+bp.appAddr, "SWITCHBOARD_PUBLIC_URL="+bp.appURL,
		"SWITCHBOARD_SECRET="+benchSecret, "LOG_LEVEL=warn", "SWITCHBOARD_DATA_DIR="+filepath.Join(bp.env.dir, "data"),
		"BITRIX_CLIENT_ID="+benchClientID, "BITRIX_CLIENT_SECRET="+benchClientSecret, "BITRIX_OAUTH_URL="+bp.emuURL,
		"BITRIX_ALLOW_LOCAL=true")
	cmd.Env = append(cmd.Env, bp.extraEnv...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &appProcess{cmd: cmd, exited: make(chan struct{})}
	exited := p.exited
	go func() { _ = cmd.Wait(); close(exited) }()
	client := &http.Client{Timeout: time.Second}
	for deadline := t0.Add(30 * time.Second); time.Now().Before(deadline); {
		resp, err := client.Get(bp.appURL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.started = time.Since(t0)
				return p, nil
			}
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("bench: the app exited during start-up (see %s)", logFile.Name())
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	p.stop()
	return nil, errors.New("bench: the app was not ready within 30 s")
}

// stop ends the app gracefully and waits for it.
func (p *appProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// rss is the process's resident memory in bytes.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("bench: no VmRSS")
}

// freeAddr is a loopback address nothing listens on right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waHook is a signed WhatsApp webhook body carrying one client text.
func waHook(from string, id, text string) []byte {
	return []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{`+
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001001","phone_number_id":%q},`+
		`"contacts":[{"profile":{"name":"Client %s"},"wa_id":%q}],`+
		`"messages":[{"from":%q,"id":%q,"timestamp":"%d","type":"text","text":{"body":%q}}]}}]}]}`,
		benchPhoneID, from, from, from, id, time.Now().Unix(), text))
}

// sender posts signed webhooks over keep-alive connections.
type sender struct {
	url    string
	client *http.Client
}

func newSender(hookURL string, conns int) *sender {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	return &sender{url: hookURL, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// post sends one webhook as Meta does: signed with the app secret.
func (s *sender) post(body []byte) error {
	mac := hmac.New(sha256.New, []byte(benchAppSecret))
	mac.Write(body)
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: webhook answered %d", resp.StatusCode)
	}
	return nil
}

// get fetches path as the signed-in viewer (an htmx request when hx).
func (bp *benchPortal) get(client *http.Client, path string, hx bool) error {
	_, err := bp.fetch(client, path, hx)
	return err
}

// fetch is get that keeps the answer's body.
func (bp *benchPortal) fetch(client *http.Client, path string, hx bool) (string, error) {
	req, _ := http.NewRequest(http.MethodGet, bp.appURL+path, nil)
	req.Header.Set("X-Switchboard-Token", bp.token)
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("bench: GET %s answered %d", path, resp.StatusCode)
	}
	return string(body), nil
}
