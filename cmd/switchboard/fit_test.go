package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestComposerVisibleInACardTab opens a deal card's tab at 1440×800 and at
// 360 px wide: the app sizes its frame to what the portal's page shows of
// it, so the composer and Send are on screen without scrolling the portal,
// and after a send the messages end at the newest one.
func TestComposerVisibleInACardTab(t *testing.T) {
	for _, size := range []struct{ w, h int64 }{{1440, 800}, {360, 740}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			env := runDemo(t)
			manager, phone := newBrowser(t), newBrowser(t)
			app := env.appURL
			deal := dealTitled(t, env.portal, "Order #1024") // Ivan Kuznetsov, +7 999 123-45-67
			openPhone(t, phone, env, "79991234567", "Ivan Kuznetsov")
			for i := range 12 { // enough messages to fill the pane
				phoneSays(t, phone, fmt.Sprintf("Message %d about my order", i+1))
			}
			viewport(t, manager, size.w, size.h)
			signInToPortal(t, env, manager, 2, fmt.Sprintf("/crm/deal/details/%d/", deal))
			do(t, manager, "open the deal card's tab", chromedp.Click(chromedp.CSS(`[data-testid=card-tab-app]`)))
			waitFrame(t, manager, app, "the card chat, fitted", `document.body.dataset.fit === 'on'
				&& [...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('Message 12'))`)
			waitJS(t, manager, "the frame on screen, the portal not scrolled", `(() => {
				const f = document.querySelector('[data-testid=app-frame]').getBoundingClientRect();
				return window.scrollY === 0 && f.bottom <= innerHeight && f.right <= innerWidth + 1;
			})()`)
			waitFrame(t, manager, app, "the composer inside the frame", `(() => {
				const send = document.querySelector('[data-testid=composer-send]').getBoundingClientRect();
				const input = document.querySelector('[data-testid=composer-input]').getBoundingClientRect();
				return send.bottom <= innerHeight && send.right <= innerWidth && send.width > 0
					&& input.width >= 150 && input.bottom <= innerHeight;
			})()`)
			managerTypes(t, manager, app, "It ships today.")
			waitFrame(t, manager, app, "the messages end at the sent one", `(() => {
				const list = document.querySelector('[data-testid=messages]');
				const last = [...list.querySelectorAll('[data-testid=message]')].pop();
				return last.textContent.includes('It ships today.') && list.scrollHeight > list.clientHeight
					&& list.scrollTop + list.clientHeight >= list.scrollHeight - 2;
			})()`)
			screenshot(t, manager, fmt.Sprintf("card-tab-%dx%d.png", size.w, size.h))
		})
	}
}

// viewport sets the tab's window size.
func viewport(t *testing.T, tab contextTab, w, h int64) {
	t.Helper()
	_, err := chromedp.Run(tab, chromedp.Action[chromedp.Void](func(ctx context.Context, target *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, target, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: w, Height: h, DeviceScaleFactor: 1})
		return chromedp.Void{}, err
	}))
	if err != nil {
		t.Fatalf("set the viewport: %v", err)
	}
}

// screenshot saves the tab as name under $SCREENSHOTS_DIR, when set (the
// pictures for an issue's closing note).
func screenshot(t *testing.T, tab contextTab, name string) {
	t.Helper()
	dir := os.Getenv("SCREENSHOTS_DIR")
	if dir == "" {
		return
	}
	shot, err := chromedp.Run(tab, chromedp.Action[[]byte](func(ctx context.Context, target *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, target, page.CaptureScreenshot, page.CaptureScreenshotParams{})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	}))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), shot, 0o644); err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
}
