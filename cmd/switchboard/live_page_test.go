package main

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"switchboard/inbox"
)

// TestAMessageArrivingDuringAResetReloadStaysShown: a reset (here logged by
// hand, as a history import logs one) reloads the open conversation. The
// reload's answer is held in the browser until a message the client sends
// meanwhile has reached the page live; the reload, read before that
// message, must not wipe it out once it lands.
func TestAMessageArrivingDuringAResetReloadStaysShown(t *testing.T) {
	env := runDemo(t)
	app := env.appURL
	manager := newBrowser(t)
	phone := newBrowser(t)

	// The manager's browser may hold the answer to a read of a
	// conversation's messages, and reports what its live stream receives.
	// Interception is on from the start: enabled later, a request the page
	// makes at once may slip past it.
	reloads := holdAnswers(t, manager, app+"/dialogs/*/messages*")
	live := make(chan *network.EventEventSourceMessageReceived, 256)
	if err := chromedp.Listen(manager, func(ev any) {
		if e, ok := ev.(*network.EventEventSourceMessageReceived); ok {
			select {
			case live <- e:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}

	ivanWritesHello(t, env, manager, phone)
	doFrame(t, manager, app, "open the dialog", `document.querySelector('[data-testid=dialog-row] a').click()`)
	// Until the pane settles, htmx has not taken its parts over: a reset
	// then reloads the list alone.
	waitFrame(t, manager, app, "the client's message, settled", `[...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('Hello'))
		&& !document.querySelector('#dialog-pane.htmx-settling')`)

	reloads.hold.Store(true)
	if err := env.app.store.LogEvents(context.Background(), time.Now(), inbox.Event{Portal: env.portalID, Kind: inbox.EventReset}); err != nil {
		t.Fatal(err)
	}
	var reload *fetch.EventRequestPaused
	select {
	case reload = <-reloads.held:
	case <-time.After(15 * time.Second):
		t.Fatal("the reset did not reload the open conversation")
	}

	phoneSays(t, phone, "Are you still there?")
	deadline := time.After(15 * time.Second)
	for arrived := false; !arrived; {
		select {
		case e := <-live:
			arrived = e.EventName == "update" && strings.Contains(e.Data, "Are you still there?")
		case <-deadline:
			t.Fatal("the client's new message did not reach the stream while the reload was held")
		}
	}
	if err := reloads.release(reload); err != nil {
		t.Fatalf("let the reload land: %v", err)
	}

	waitFrame(t, manager, app, "the message that arrived during the reload, once", `[...document.querySelectorAll('[data-testid=message][data-direction=in]')]
		.filter(m => m.textContent.includes('Are you still there?')).length === 1
		&& [...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('Hello'))`)
	// Updates flow again once the reload landed, without being held.
	phoneSays(t, phone, "Hello again")
	waitFrame(t, manager, app, "a message after the reload", `[...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('Hello again'))`)
}

// answerHold intercepts the answers to the GETs of a URL pattern: each lands
// at once, but the first one after hold is set, which goes to held until
// the test releases it.
type answerHold struct {
	tab  contextTab
	hold atomic.Bool
	held chan *fetch.EventRequestPaused
}

func holdAnswers(t *testing.T, tab contextTab, pattern string) *answerHold {
	t.Helper()
	h := &answerHold{tab: tab, held: make(chan *fetch.EventRequestPaused, 1)}
	paused := make(chan *fetch.EventRequestPaused, 64)
	if err := chromedp.Listen(tab, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			paused <- e // more than the page ever has in flight fit
		}
	}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			select {
			case <-tab.Done():
				return
			case p := <-paused:
				if p.Request.Method == "GET" && h.hold.CompareAndSwap(true, false) {
					h.held <- p
					continue
				}
				// An answer that fails to land fails the test's next wait.
				_ = h.release(p)
			}
		}
	}()
	_, err := chromedp.Run(tab, chromedp.Action[bool](func(ctx context.Context, target *chromedp.Target) (bool, error) {
		_, err := cdp.Call(ctx, target, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{
			{URLPattern: pattern, RequestStage: fetch.RequestStageResponse}}})
		return err == nil, err
	}))
	if err != nil {
		t.Fatalf("intercept %s: %v", pattern, err)
	}
	return h
}

// release lets a held answer land.
func (h *answerHold) release(p *fetch.EventRequestPaused) error {
	ctx, cancel := context.WithTimeout(h.tab, 15*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Action[bool](func(ctx context.Context, target *chromedp.Target) (bool, error) {
		_, err := cdp.Call(ctx, target, fetch.ContinueResponse, fetch.ContinueResponseParams{RequestID: p.RequestID})
		return err == nil, err
	}))
	return err
}

// TestLiveUpdatesLogNoErrors: an update carries every part of the screen
// its event changes (the list's row, the card's, the open conversation),
// and the page applies only those it shows: htmx logs none as an error,
// on the list alone, with a conversation open, or for a send's answer.
func TestLiveUpdatesLogNoErrors(t *testing.T) {
	env := runDemo(t)
	app := env.appURL
	manager := newBrowser(t)
	phone := newBrowser(t)
	errs := make(chan string, 64)
	if err := chromedp.Listen(manager, func(ev any) {
		if e, ok := ev.(*runtime.EventConsoleAPICalled); ok && e.Type == runtime.ConsoleAPICalledTypeError {
			var text []string
			for _, a := range e.Args {
				text = append(text, string(a.Value)+a.Description)
			}
			select {
			case errs <- strings.Join(text, " "):
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}

	ivanWritesHello(t, env, manager, phone) // the list alone: no conversation, no card
	doFrame(t, manager, app, "open the dialog", `document.querySelector('[data-testid=dialog-row] a').click()`)
	waitFrame(t, manager, app, "the client's message", `[...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('Hello'))`)
	phoneSays(t, phone, "And another thing")
	waitFrame(t, manager, app, "the next message, live", `[...document.querySelectorAll('[data-testid=message][data-direction=in]')].some(m => m.textContent.includes('And another thing'))
		&& document.querySelector('[data-testid=dialog-row] [data-testid=dialog-preview]').textContent.includes('And another thing')`)
	managerTypes(t, manager, app, "Hi Ivan!") // its answer deletes the message the stream may have shown first
	waitFrame(t, manager, app, "the reply, once", `[...document.querySelectorAll('[data-testid=message][data-direction=out]')].filter(m => m.textContent.includes('Hi Ivan!')).length === 1`)
	time.Sleep(500 * time.Millisecond) // the reply's own live update, whichever comes second
	close(errs)
	var seen []string
	for e := range errs {
		seen = append(seen, e)
	}
	if len(seen) > 0 {
		t.Fatalf("the page logged %d errors:\n%s", len(seen), strings.Join(seen, "\n"))
	}
}
