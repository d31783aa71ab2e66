package main

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// newBrowser starts a headless Chromium for t and returns its first tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Fatal("no Chromium found: `make test` installs it (apt-get install -y chromium)")
	}
	dir, err := os.MkdirTemp("", "sb-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// Block third-party cookies outright, as Safari, Firefox and Chrome's
	// incognito do: the app inside the portal's iframe must live without.
	if err := os.MkdirAll(dir+"/Default", 0o755); err != nil {
		t.Fatal(err)
	}
	prefs := `{"profile":{"cookie_controls_mode":1,"block_third_party_cookies":true}}`
	if err := os.WriteFile(dir+"/Default/Preferences", []byte(prefs), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir), chromedp.Env("TMPDIR="+dir), chromedp.WindowSize(1280, 900),
		// One renderer for the portal and the app's iframe, so tests can
		// reach into the frame.
		chromedp.Flag("disable-site-isolation-trials", true),
		chromedp.Flag("disable-features", "IsolateOrigins,site-per-process"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// do runs steps in a tab, failing the test with what the step was for.
func do(t *testing.T, tab contextTab, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitJS waits until a JavaScript expression is truthy in the tab, across
// page loads.
func waitJS(t *testing.T, tab contextTab, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithDeadline(tab, deadline)
		var ok bool
		ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	dumpCtx, cancel := context.WithTimeout(tab, 2*time.Second)
	defer cancel()
	html, _ := chromedp.Run(dumpCtx, chromedp.OuterHTML(chromedp.CSS("body")))
	t.Fatalf("waiting for %s (last error: %v)\npage:\n%s", what, err, html)
}

// evalJS evaluates an expression in the tab.
func evalJS[T any](t *testing.T, tab contextTab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// contextTab is a browser tab's context.
type contextTab = context.Context
