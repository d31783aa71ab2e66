package emulator

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSecureCallSignature(t *testing.T) {
	tp := newTestPortal(t)
	tp.FinishInstall()
	a := tp.form("app.info", url.Values{"state": {"nonce-42"}})
	sig, _ := a.body["signature"].(string)
	i := strings.LastIndexByte(sig, '.')
	if i < 0 {
		t.Fatalf("no signature: %s", a.raw)
	}
	sum := md5.Sum([]byte(tp.MemberID() + tp.cfg.ClientSecret))
	mac := hmac.New(sha256.New, []byte(hex.EncodeToString(sum[:])))
	mac.Write([]byte(sig[:i]))
	if base64.StdEncoding.EncodeToString(mac.Sum(nil)) != sig[i+1:] {
		t.Fatal("bad HMAC")
	}
	data, _ := base64.StdEncoding.DecodeString(sig[:i])
	var payload map[string]any
	_ = json.Unmarshal(data, &payload)
	if payload["state"] != "nonce-42" || payload["INSTALLED"] != true {
		t.Fatal(payload)
	}
	if _, ok := tp.form("app.info", nil).body["signature"]; ok {
		t.Fatal("signature without state")
	}
	prof := tp.form("profile", url.Values{"state": {"s"}})
	if prof.body["signature"] == nil {
		t.Fatal(prof.raw)
	}
}

func TestRenameDomain(t *testing.T) {
	tp := newTestPortal(t)
	tp.RenameDomain("https://new.example.com")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(tp.srv.URL+"/rest/profile?x=1", url.Values{"auth": {tp.token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "https://new.example.com/rest/profile?x=1" {
		t.Fatal(resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestNotifyTags(t *testing.T) {
	tp := newTestPortal(t)
	expectOK(t, tp.form("im.notify.system.add", url.Values{"USER_ID": {"2"}, "MESSAGE": {"1 unread"}, "TAG": {"client-1"}}))
	expectOK(t, tp.form("im.notify.system.add", url.Values{"USER_ID": {"2"}, "MESSAGE": {"2 unread"}, "TAG": {"client-1"}}))
	n := tp.Notifications()
	if len(n) != 1 || n[0].Message != "2 unread" {
		t.Fatal(n)
	}
	expectOK(t, tp.form("im.notify.delete", url.Values{"TAG": {"client-1"}}))
	if len(tp.Notifications()) != 0 {
		t.Fatal("not deleted")
	}
	if tp.form("crm.settings.mode.get", nil).result() != float64(1) {
		t.Fatal("classic mode")
	}
}

func TestSendEventCommandFallback(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	botSetup(t, tp, app)
	tp.mu.Lock()
	var cmdID string
	for id := range tp.commands {
		cmdID = str(id)
	}
	tp.mu.Unlock()
	err := tp.SendEvent(context.Background(), "ONIMCOMMANDADD", map[string]any{
		"COMMAND": map[string]any{cmdID: map[string]any{"COMMAND": "noreply", "COMMAND_CONTEXT": "KEYBOARD"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for ev := range app.got {
		if ev.path == "/command" {
			if ev.form.Get("data[COMMAND]["+cmdID+"][COMMAND_CONTEXT]") != "KEYBOARD" {
				t.Fatal(ev.form)
			}
			break
		}
	}
}

func TestSeedDemo(t *testing.T) {
	p := New(Config{Domain: "localhost:8081"})
	if admin := p.SeedDemo(); admin != 1 {
		t.Fatal(admin)
	}
	if len(p.Users()) != 4 || len(p.EntityIDs("DEAL")) != 3 || len(p.EntityIDs("CONTACT")) != 3 {
		t.Fatal("demo data")
	}
	if d, _ := p.Entity("DEAL", 3); d["CATEGORY_ID"] != "1" || d["STAGE_ID"] != "C1:NEW" || d["SOURCE_ID"] != "PARTNER" {
		t.Fatal("a deal in the second pipeline", d)
	}
	d, _ := p.Entity("DEAL", 2)
	if d["CONTACT_ID"] != "2" {
		t.Fatal(d)
	}
	srv := httptestServer(t, p)
	resp, err := http.Get(srv + "/emulator/avatar/1.svg")
	if err != nil || resp.StatusCode != 200 {
		t.Fatal(err, resp.StatusCode)
	}
	resp.Body.Close()
}

func TestAdminEndpoints(t *testing.T) {
	tp := newTestPortal(t)
	app := newAppServer(t)
	tp.FinishInstall()
	expectOK(t, tp.form("event.bind", url.Values{"event": {"ONCRMDEALUPDATE"}, "handler": {app.URL}}))
	resp, err := http.Post(tp.srv.URL+"/emulator/events", "application/json",
		strings.NewReader(`{"event":"OnCrmDealUpdate","data":{"FIELDS":{"ID":"5"}},"user_id":0}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatal(err, resp.StatusCode)
	}
	resp.Body.Close()
	f := (<-app.got).form
	if f.Get("data[FIELDS][ID]") != "5" || f.Get("auth[access_token]") != "" {
		t.Fatal(f)
	}
	list := []map[string]any{}
	r2, _ := http.Get(tp.srv.URL + "/emulator/deliveries")
	_ = json.NewDecoder(r2.Body).Decode(&list)
	r2.Body.Close()
	if len(list) != 1 || list[0]["event"] != "ONCRMDEALUPDATE" || list[0]["status"] != float64(200) {
		t.Fatal(list)
	}
}

func TestNewServer(t *testing.T) {
	p, srv := NewServer(Config{})
	defer srv.Close()
	p.AddUser(User{ID: 1, Name: "A", Admin: true})
	tok, _ := p.IssueToken(1)
	resp, err := http.Get(srv.URL + "/rest/app.info?auth=" + tok)
	if err != nil || resp.StatusCode != 200 {
		t.Fatal(err)
	}
	resp.Body.Close()
	if p.ClientEndpoint() != srv.URL+"/rest/" {
		t.Fatal(p.ClientEndpoint())
	}
}
