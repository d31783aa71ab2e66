package graphemu

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts a headless Chromium, or skips the test when there is none.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Skip("no Chromium (apt-get install -y chromium)")
	}
	dir := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir), chromedp.Env("TMPDIR="+dir), chromedp.WindowSize(1280, 900),
		chromedp.Flag("use-fake-device-for-media-stream", true), chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// run runs browser steps with a deadline.
func run(t *testing.T, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitPage waits until a JavaScript expression is truthy.
func waitPage(t *testing.T, tab context.Context, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tab, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	html, _ := chromedp.Run(tab, chromedp.OuterHTML(chromedp.CSS("#messages")))
	t.Fatalf("waiting for %s; messages:\n%s", what, html)
}

// lastInbound decodes the messages[0] of the last "messages" webhook.
func (rc *receiver) lastMessage() map[string]any {
	ch := rc.changes("messages")
	for i := len(ch) - 1; i >= 0; i-- {
		if ms, ok := ch[i]["messages"].([]any); ok {
			return ms[0].(map[string]any)
		}
	}
	return nil
}

// The phone page plays a client: every composer tool reaches the app as the
// right webhook, business replies show up live (images inline) and are read.
func TestPhonePageInBrowser(t *testing.T) {
	f := newFixture(t, coexistence)
	tab := browser(t)

	run(t, tab, "open the phone page",
		chromedp.Navigate(f.srv.URL+"/?account="+testNumber+"&client="+testClient+"&name=Anna%20Client"),
	)
	waitPage(t, tab, "connected", `document.querySelector('[data-testid=phone-connection]').dataset.state === 'open'`)

	run(t, tab, "type and press Enter", chromedp.SendKeys(chromedp.CSS(`[data-testid=phone-input]`), "Hello from the page\r"))
	waitFor(t, "text webhook", func() bool { m := f.rc.lastMessage(); return m != nil && m["type"] == "text" })
	if m := f.rc.lastMessage(); m["text"].(map[string]any)["body"] != "Hello from the page" || m["from"] != testClient {
		t.Fatalf("text %v", m)
	}
	if name := f.rc.changes("messages")[0]["contacts"].([]any)[0].(map[string]any)["profile"].(map[string]any)["name"]; name != "Anna Client" {
		t.Errorf("profile name %v", name)
	}
	waitPage(t, tab, "own bubble", `document.querySelector('[data-testid=phone-message][data-direction=out]')`)

	// The business answers with text and a photo; the phone shows them and reads them.
	textID := f.sendText(t, testClient, "Hi Anna, here is the photo")
	var img bytes.Buffer
	pic := image.NewRGBA(image.Rect(0, 0, 8, 8))
	pic.Set(1, 1, color.RGBA{255, 0, 0, 255})
	_ = png.Encode(&img, pic)
	obj, _ := f.emu.storeBytes(testNumber, "pic.png", "image/png", img.Bytes())
	code, out := f.call(t, "POST", "/v23.0/"+testNumber+"/messages", testToken, map[string]any{
		"messaging_product": "whatsapp", "to": testClient, "type": "image", "image": map[string]any{"id": obj.ID}})
	if code != 200 {
		t.Fatalf("image send %d %v", code, out)
	}
	waitPage(t, tab, "reply bubble", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')].some(m => m.textContent.includes('Hi Anna, here is the photo'))`)
	waitPage(t, tab, "inline image", `[...document.querySelectorAll('[data-testid=phone-image]')].some(i => i.complete && i.naturalWidth === 8)`)
	waitFor(t, "read", func() bool { return len(f.rc.statusSeq(textID)) == 3 })
	if seq := f.rc.statusSeq(textID); seq[1] != "delivered" || seq[2] != "read" {
		t.Errorf("statuses %v", seq)
	}

	run(t, tab, "voice note", chromedp.Click(chromedp.CSS(`[data-testid=phone-voice]`)))
	waitFor(t, "voice webhook", func() bool { m := f.rc.lastMessage(); return m["type"] == "audio" })
	if a := f.rc.lastMessage()["audio"].(map[string]any); a["voice"] != true || a["mime_type"] != voiceMIME {
		t.Errorf("voice %v", a)
	}

	waitPage(t, tab, "the sample voice note decodes", `[...document.querySelectorAll('[data-testid=phone-message][data-direction=out] [data-testid=phone-audio]')].some(a => a.readyState >= 1 && Math.abs(a.duration - 1.5) < 0.1)`)

	// A real recording (Chromium's fake microphone) is remuxed from WebM to Ogg.
	run(t, tab, "start recording", chromedp.Click(chromedp.CSS(`[data-testid=phone-record]`)))
	waitPage(t, tab, "recording", `document.querySelector('[data-testid=phone-record]').dataset.state === 'recording'`)
	time.Sleep(1200 * time.Millisecond)
	before := len(f.rc.changes("messages"))
	run(t, tab, "stop recording", chromedp.Click(chromedp.CSS(`[data-testid=phone-record]`)))
	waitFor(t, "recorded voice webhook", func() bool { return len(f.rc.changes("messages")) > before })
	rec := f.rc.lastMessage()["audio"].(map[string]any)
	if rec["voice"] != true || rec["mime_type"] != voiceMIME {
		t.Fatalf("recorded voice %v", rec)
	}
	data, _, err := f.emu.Media(rec["id"].(string))
	if err != nil || !bytes.HasPrefix(data, []byte("OggS")) {
		t.Fatalf("recorded voice is not Ogg: %v", err)
	}
	waitPage(t, tab, "the recording decodes", `(() => {
		const a = [...document.querySelectorAll('[data-testid=phone-message][data-direction=out] [data-testid=phone-audio]')].pop();
		return a.readyState >= 1 && a.duration > 0.8 && a.duration < 5;
	})()`)

	run(t, tab, "share a location",
		chromedp.Click(chromedp.CSS(`[data-testid=phone-location]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=phone-location-send]`)),
	)
	waitFor(t, "location webhook", func() bool { return f.rc.lastMessage()["type"] == "location" })
	if l := f.rc.lastMessage()["location"].(map[string]any); l["name"] != "Red Square" || l["latitude"] != 55.7539 {
		t.Errorf("location %v", l)
	}

	run(t, tab, "send a contact",
		chromedp.Click(chromedp.CSS(`[data-testid=phone-contact]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=phone-contact-send]`)),
	)
	waitFor(t, "contacts webhook", func() bool { return f.rc.lastMessage()["type"] == "contacts" })

	doc := filepath.Join(t.TempDir(), "order.pdf")
	if err := os.WriteFile(doc, []byte("%PDF-1.4 order"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, tab, "attach a file", chromedp.SetUploadFiles(chromedp.CSS(`[data-testid=phone-file]`), []string{doc}))
	waitFor(t, "document webhook", func() bool { return f.rc.lastMessage()["type"] == "document" })
	if d := f.rc.lastMessage()["document"].(map[string]any); d["filename"] != "order.pdf" || d["mime_type"] != "application/pdf" {
		t.Errorf("document %v", d)
	}

	waitPage(t, tab, "reply chosen", `(() => {
		const b = [...document.querySelectorAll('[data-testid=phone-message][data-direction=in]')].find(m => m.textContent.includes('Hi Anna'));
		b.querySelector('[data-testid=phone-reply]').click();
		return document.querySelector('[data-testid=phone-replying]').classList.contains('open');
	})()`)
	run(t, tab, "reply", chromedp.SendKeys(chromedp.CSS(`[data-testid=phone-input]`), "Thanks!\r"))
	waitFor(t, "reply webhook", func() bool {
		m := f.rc.lastMessage()
		return m["type"] == "text" && m["context"] != nil
	})
	if ctx := f.rc.lastMessage()["context"].(map[string]any); ctx["id"] != textID || ctx["from"] != testDisplay {
		t.Errorf("reply context %v", ctx)
	}

	run(t, tab, "the business phone writes",
		chromedp.SendKeys(chromedp.CSS(`[data-testid=business-input]`), "Sent from the shop phone\r"))
	waitFor(t, "echo", func() bool { return len(f.rc.changes("smb_message_echoes")) == 1 })
	waitPage(t, tab, "echo bubble", `[...document.querySelectorAll('[data-testid=phone-message][data-source=app]')].some(m => m.textContent.includes('Sent from the shop phone'))`)
	if f.rc.badSigs != 0 {
		t.Errorf("bad signatures: %d", f.rc.badSigs)
	}
	if conv := f.emu.Conversation(testNumber, testClient); len(conv) != 10 {
		t.Errorf("conversation has %d messages", len(conv))
	}
}

// The emulator controls on the page set faults and replay webhooks.
func TestPhonePageControls(t *testing.T) {
	f := newFixture(t)
	tab := browser(t)
	_, _ = f.emu.SendText(testNumber, Client{ID: testClient}, "hi")
	waitFor(t, "webhook", func() bool { return len(f.rc.all()) == 1 })
	run(t, tab, "set a fault and replay",
		chromedp.Navigate(f.srv.URL+"/?account="+testNumber+"&client="+testClient),
		chromedp.Click(chromedp.CSS(`[data-testid=emu-controls] summary`)),
		chromedp.SetValue(chromedp.CSS(`[data-testid=emu-fault-code]`), "130429"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=emu-fault-count]`), "2"),
		chromedp.Click(chromedp.CSS(`[data-testid=emu-fault-apply]`)),
	)
	waitPage(t, tab, "faults set", `document.querySelector('[data-testid=emu-status]').textContent === 'faults set'`)
	if fl := f.emu.currentFaults(); fl.FailNext != 2 || fl.Code != 130429 || fl.HTTPStatus != 400 || fl.Async {
		t.Errorf("faults %+v", fl)
	}
	run(t, tab, "replay", chromedp.Click(chromedp.CSS(`[data-testid=emu-replay]`)))
	waitFor(t, "replayed webhook", func() bool { return len(f.rc.all()) == 2 })
}
