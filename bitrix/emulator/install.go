package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// PlacementRequest is a POST the portal makes to open an app page in its
// iframe: URL carries DOMAIN, PROTOCOL, LANG and APP_SID; Form is the body.
type PlacementRequest struct {
	URL  string
	Form url.Values
}

// PlacementPost builds the POST that opens handler for userID in placement
// code with options (encoded as the PLACEMENT_OPTIONS JSON string), with a
// freshly issued token, exactly as the portal page submits it.
func (p *Portal) PlacementPost(userID int, code, handler string, options map[string]any, lang string) (PlacementRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.placementPostLocked(userID, code, handler, options, lang)
}

func (p *Portal) placementPostLocked(userID int, code, handler string, options map[string]any, lang string) (PlacementRequest, error) {
	if _, ok := p.users[userID]; !ok {
		return PlacementRequest{}, fmt.Errorf("emulator: no user %d", userID)
	}
	if lang == "" {
		lang = p.cfg.Language
	}
	u, err := url.Parse(handler)
	if err != nil {
		return PlacementRequest{}, fmt.Errorf("emulator: bad handler URL %q: %w", handler, err)
	}
	sid := p.randomHex(16)
	p.appSIDs[sid] = userID
	q := u.Query()
	q.Set("DOMAIN", p.cfg.Domain)
	protocol := "0"
	if p.cfg.Scheme == "https" {
		protocol = "1"
	}
	q.Set("PROTOCOL", protocol)
	q.Set("LANG", lang)
	q.Set("APP_SID", sid)
	u.RawQuery = q.Encode()

	a, r := p.issueLocked(userID)
	opts := "{}"
	if len(options) > 0 {
		b, _ := json.Marshal(options)
		opts = string(phpSlashes(b))
	}
	form := url.Values{}
	form.Set("AUTH_ID", a.value)
	form.Set("AUTH_EXPIRES", strconv.Itoa(int(p.cfg.AccessTTL.Seconds())))
	form.Set("REFRESH_ID", r.value)
	form.Set("SERVER_ENDPOINT", p.ServerEndpoint())
	form.Set("APPLICATION_TOKEN", p.appToken)
	form.Set("APPLICATION_SCOPE", p.scopeString())
	form.Set("member_id", p.cfg.MemberID)
	form.Set("status", p.cfg.Status)
	form.Set("PLACEMENT", code)
	form.Set("PLACEMENT_OPTIONS", opts)
	return PlacementRequest{URL: u.String(), Form: form}, nil
}

// OpenPlacement makes the placement POST (see PlacementPost) and returns
// the app's answer; the caller closes the body.
func (p *Portal) OpenPlacement(ctx context.Context, userID int, code, handler string, options map[string]any) (*http.Response, error) {
	pr, err := p.PlacementPost(userID, code, handler, options, "")
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, pr.URL, strings.NewReader(pr.Form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("emulator: build placement POST: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", p.BaseURL()+"/")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("emulator: placement POST to %s: %w", pr.URL, err)
	}
	return resp, nil
}

// Install plays the install flow as the installing admin. With an install
// URL it POSTs the install page (PLACEMENT=DEFAULT) and then finishes the
// installation itself, standing in for the page's BX24.installFinish();
// with an InstallEvent URL it sends ONAPPINSTALL there (a rest-only app is
// installed at once). Use OpenInstallPage to leave finishing to a browser.
func (p *Portal) Install(ctx context.Context) error {
	cfg := p.cfg.AppHandlers
	if cfg.Install == "" && cfg.InstallEvent == "" {
		return errors.New("emulator: no install URL or install event URL configured")
	}
	if cfg.Install != "" {
		if err := p.OpenInstallPage(ctx); err != nil {
			return err
		}
	}
	p.FinishInstall()
	if cfg.InstallEvent != "" {
		if err := p.sendInstallEvent(ctx); err != nil {
			return err
		}
	}
	return nil
}

// OpenInstallPage POSTs the install page with PLACEMENT=DEFAULT as the
// installing admin, without finishing the installation.
func (p *Portal) OpenInstallPage(ctx context.Context) error {
	p.mu.Lock()
	admin := p.adminLocked()
	p.mu.Unlock()
	if admin == nil {
		return errors.New("emulator: no admin user to install the app")
	}
	resp, err := p.OpenPlacement(ctx, admin.ID, "DEFAULT", p.cfg.AppHandlers.Install, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("emulator: install page answered %d", resp.StatusCode)
	}
	return nil
}

// FinishInstall marks the app installed, as BX24.installFinish() does:
// from now on placements show and events are sent.
func (p *Portal) FinishInstall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.installed {
		p.log.Info("app installed")
	}
	p.installed = true
	p.uninstalled = false
}

func (p *Portal) sendInstallEvent(ctx context.Context) error {
	p.mu.Lock()
	admin := p.adminLocked()
	if admin == nil {
		p.mu.Unlock()
		return errors.New("emulator: no admin user to install the app")
	}
	data := newObj().set("VERSION", "1").set("ACTIVE", "Y").set("INSTALLED", "Y").set("LANGUAGE_ID", p.cfg.Language)
	d := p.eventPostLocked("ONAPPINSTALL", 0, p.cfg.AppHandlers.InstallEvent, data, admin.ID, true)
	p.mu.Unlock()
	return p.post(ctx, d)
}

// Uninstall deletes the app: ONAPPUNINSTALL goes to its bound handlers
// (auth without tokens), then bindings, placements and tokens are gone.
func (p *Portal) Uninstall(ctx context.Context, clean bool) error {
	cleanFlag := "0"
	if clean {
		cleanFlag = "1"
	}
	// As on a real portal, the app's API access is gone by the time
	// ONAPPUNINSTALL arrives: its handler cannot check anything with REST.
	p.mu.Lock()
	p.tokens = map[string]*accessToken{}
	p.refresh = map[string]*refreshToken{}
	p.mu.Unlock()
	err := p.sendEvent(ctx, "ONAPPUNINSTALL", newObj().set("LANGUAGE_ID", p.cfg.Language).set("CLEAN", cleanFlag), 0)
	if errors.Is(err, ErrNoHandler) {
		err = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.installed = false
	p.uninstalled = true
	p.events = nil
	p.placements = nil
	return err
}
