package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// errNoFrame means no frame of the page has loaded the wanted URL yet.
var errNoFrame = errors.New("no such frame yet")

// inFrame evaluates expr (returning JSON-able T) inside the page's frame
// whose URL starts with prefix: the app inside the portal's iframe. It runs
// in an isolated world, which shares the frame's DOM (and its event
// listeners) but not its scripts' globals.
func inFrame[T any](prefix, expr string) chromedp.Action[T] {
	return func(ctx context.Context, t *chromedp.Target) (T, error) {
		var zero T
		tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return zero, err
		}
		frame := findFrame(tree.FrameTree, prefix)
		if frame == nil {
			return zero, fmt.Errorf("%w (frames: %s)", errNoFrame, frameURLs(tree.FrameTree))
		}
		world, err := cdp.Call(ctx, t, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: frame.ID, WorldName: "test"})
		if err != nil {
			return zero, err
		}
		byValue := true
		res, err := cdp.Call(ctx, t, runtime.Evaluate, runtime.EvaluateParams{
			Expression: "JSON.stringify(" + expr + ")", ContextID: world.ExecutionContextID, ReturnByValue: &byValue})
		if err != nil {
			return zero, err
		}
		if res.ExceptionDetails != nil {
			return zero, fmt.Errorf("in frame: %s", res.ExceptionDetails.Text)
		}
		var text string
		if err := json.Unmarshal([]byte(res.Result.Value), &text); err != nil {
			return zero, fmt.Errorf("in frame: %s gave %s", expr, res.Result.Value)
		}
		var v T
		return v, json.Unmarshal([]byte(text), &v)
	}
}

func frameURLs(tree *page.FrameTree) string {
	if tree == nil || tree.Frame == nil {
		return ""
	}
	out := tree.Frame.URL
	for _, c := range tree.ChildFrames {
		out += " > " + frameURLs(c)
	}
	return out
}

func findFrame(tree *page.FrameTree, prefix string) *cdp.Frame {
	if tree == nil {
		return nil
	}
	if tree.Frame != nil && strings.HasPrefix(tree.Frame.URL, prefix) {
		return tree.Frame
	}
	for _, child := range tree.ChildFrames {
		if f := findFrame(child, prefix); f != nil {
			return f
		}
	}
	return nil
}

// waitFrame waits until expr is truthy inside the app's frame.
func waitFrame(t *testing.T, tab context.Context, prefix, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithDeadline(tab, deadline)
		var ok bool
		ok, err = chromedp.Run(ctx, inFrame[bool](prefix, "!!("+expr+")"))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(tab, 2*time.Second)
	defer cancel()
	seen, _ := chromedp.Run(ctx, inFrame[string](prefix, frameSummary))
	html, _ := chromedp.Run(ctx, inFrame[string](prefix, "document.body.outerHTML"))
	t.Fatalf("waiting in the app's frame for %s (last error: %v)\nseen: %s\nframe:\n%s", what, err, seen, html)
}

// frameSummary is a failed wait's first clue, short enough to survive a
// truncated log: the stream's state, the messages shown and any error.
const frameSummary = `(() => {
	const text = el => el.textContent.replace(/\s+/g, ' ').trim().slice(0, 60);
	return "live=" + document.body.dataset.liveState
		+ " messages=[" + [...document.querySelectorAll('[data-testid=message]')].map(m => m.dataset.direction + ":" + m.dataset.status + ":" + text(m)).join(" | ") + "]"
		+ " errors=[" + [...document.querySelectorAll('.composer-error, .flash, [role=alert]')].map(text).filter(Boolean).join(" | ") + "]";
})()`

// doFrame runs a statement inside the app's frame.
func doFrame(t *testing.T, tab context.Context, prefix, what, stmt string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, inFrame[bool](prefix, "(() => { "+stmt+"; return true })()")); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// evalFrame evaluates expr inside the app's frame.
func evalFrame[T any](t *testing.T, tab context.Context, prefix, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab, inFrame[T](prefix, expr))
	if err != nil {
		t.Fatalf("evaluate %s in the app's frame: %v", expr, err)
	}
	return v
}
