package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// coldStart restarts the app on its migrated database: time from exec to
// a ready /readyz, and its memory a second later, idle.
func (r *benchRun) coldStart(ctx context.Context, bp *benchPortal) error {
	type start struct {
		took time.Duration
		idle int64
	}
	var idles []float64
	s, err := medianOf(r.o.runs, func() (start, float64, error) {
		if err := bp.restartApp(ctx); err != nil {
			return start{}, 0, err
		}
		time.Sleep(time.Second)
		idle, err := rss(bp.app.cmd.Process.Pid)
		idles = append(idles, float64(idle))
		return start{took: bp.app.started, idle: idle}, float64(bp.app.started), err
	})
	if err != nil {
		return err
	}
	idle := median(idles)
	r.add(benchRow{figure: "idle memory / cold start with the DB up", goal: "< 50 MB / < 1 s",
		measured: fmt.Sprintf("%.1f MiB / %s", idle/(1<<20), ms(s.took)),
		pass:     idle < 50e6 && s.took < time.Second})
	return nil
}

// streamsAndMemory opens 1,000 streams and then the rest up to o.streams on
// the freshly started app: one event's fan-out to each count, and the
// memory each open stream costs against a bare net/http SSE server's.
func (r *benchRun) streamsAndMemory(ctx context.Context, bp *benchPortal) error {
	hdr := http.Header{"X-Switchboard-Token": {bp.token}}
	before, err := rss(bp.app.cmd.Process.Pid)
	if err != nil {
		return err
	}
	ss := newStreamSet()
	defer ss.close()
	small := min(1000, r.o.streams)
	if err := ss.open(ctx, bp.appURL+"/events", hdr, small); err != nil {
		return err
	}
	send := newSender(bp.hookURL, 4)
	if err := r.fanOut(ctx, bp, ss, send, small, "< 20 ms", 20*time.Millisecond); err != nil {
		return err
	}
	if err := ss.open(ctx, bp.appURL+"/events", hdr, r.o.streams-small); err != nil {
		return err
	}
	time.Sleep(time.Second)
	after, err := rss(bp.app.cmd.Process.Pid)
	if err != nil {
		return err
	}
	if err := r.fanOut(ctx, bp, ss, send, r.o.streams, "< 200 ms", 200*time.Millisecond); err != nil {
		return err
	}
	ss.close()
	perApp := float64(after-before) / float64(r.o.streams)
	perBare, err := r.bareStream(ctx)
	if err != nil {
		return err
	}
	ratio := perApp / perBare
	r.add(benchRow{figure: fmt.Sprintf("memory per open stream (%s streams, RSS)", thousands(float64(r.o.streams))),
		goal: "≤ 1.2× a bare net/http SSE stream", measured: fmt.Sprintf("%.1f KiB", perApp/1024),
		ceiling: fmt.Sprintf("bare %.1f KiB", perBare/1024), ratio: fmt.Sprintf("%.2f×", ratio), pass: ratio <= 1.2})
	return nil
}

// fanOut sends one webhook o.runs times and measures how long until every
// one of n streams shows its message. The messages are a known client's, as
// most are: a first one, not measured, makes the client known (a new
// client costs two more inserts and a lead, which the ingest figures
// leave out too).
func (r *benchRun) fanOut(ctx context.Context, bp *benchPortal, ss *streamSet, send *sender, n int, goal string, limit time.Duration) error {
	time.Sleep(500 * time.Millisecond) // the streams' opening resets are read
	var missing []int
	var firsts []time.Duration
	client := benchPhone(r.seq + 1)
	once := func() (time.Duration, float64, error) {
		r.seq++
		seq := r.seq
		var got atomic.Int64
		done := make(chan struct{})
		var first atomic.Int64
		t0 := time.Now()
		ss.handle(func(s int, _ bool) {
			if s != seq {
				return
			}
			k := got.Add(1)
			if k == 1 {
				first.Store(int64(time.Since(t0)))
			}
			if k == int64(n) {
				close(done)
			}
		})
		if err := send.post(waHook(client, fmt.Sprintf("wamid.fan.%d", seq), benchText(seq))); err != nil {
			return 0, 0, err
		}
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			missing = append(missing, n-int(got.Load()))
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		}
		took := time.Since(t0)
		firsts = append(firsts, time.Duration(first.Load()))
		time.Sleep(200 * time.Millisecond)
		return took, float64(took), nil
	}
	if _, _, err := once(); err != nil { // the client's first message
		return err
	}
	missing, firsts = nil, nil
	took, err := medianOf(r.o.runs, once)
	if err != nil {
		return err
	}
	sort.Slice(firsts, func(i, j int) bool { return firsts[i] < firsts[j] })
	measured := ms(took) + " (the first stream: " + ms(firsts[len(firsts)/2]) + ")"
	if len(missing) > 0 {
		measured += fmt.Sprintf(" (streams missing the event: %v)", missing)
	}
	r.add(benchRow{figure: fmt.Sprintf("one event → %s open streams (webhook to the last stream)", thousands(float64(n))),
		goal: goal, measured: measured, pass: took < limit && len(missing) == 0})
	return nil
}

// bareStream is the memory one open stream costs a bare net/http SSE
// server, measured the same way as the app's.
func (r *benchRun) bareStream(ctx context.Context) (float64, error) {
	cmd, url, err := r.env.startBareSSE(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	time.Sleep(500 * time.Millisecond)
	before, err := rss(cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	ss := newStreamSet()
	defer ss.close()
	if err := ss.open(ctx, url+"/events", http.Header{}, r.o.streams); err != nil {
		return 0, err
	}
	time.Sleep(time.Second)
	after, err := rss(cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	return float64(after-before) / float64(r.o.streams), nil
}

// latency sends webhooks at 500 msg/s to a portal with open streams: from
// each webhook's send to its message on each stream, and how many arrived
// as updates rather than after a reset.
func (r *benchRun) latency(ctx context.Context, bp *benchPortal) error {
	const rate, streams = 500, 20
	ss := newStreamSet()
	defer ss.close()
	if err := ss.open(ctx, bp.appURL+"/events", http.Header{"X-Switchboard-Token": {bp.token}}, streams); err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond)
	send := newSender(bp.hookURL, 32)
	type result struct {
		p50, p99 time.Duration
		updates  float64 // share of the expected (messages × streams)
		resets   int64
	}
	res, err := medianOf(r.o.runs, func() (result, float64, error) {
		n := int(r.o.latencyFor.Seconds() * rate)
		base := r.seq + 1
		r.seq += n
		sentAt := make([]atomic.Int64, n)
		var mu sync.Mutex
		var lat []time.Duration
		var updates atomic.Int64
		ss.handle(func(seq int, update bool) {
			i := seq - base
			if i < 0 || i >= n || !update {
				return
			}
			at := sentAt[i].Load()
			if at == 0 {
				return
			}
			updates.Add(1)
			d := time.Duration(time.Now().UnixNano() - at)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		})
		resets0 := ss.resets.Load()
		jobs := make(chan int)
		var wg sync.WaitGroup
		var sendErr atomic.Pointer[error]
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					seq := base + i
					sentAt[i].Store(time.Now().UnixNano())
					if err := send.post(waHook(benchPhone(seq), fmt.Sprintf("wamid.lat.%d", seq), benchText(seq))); err != nil {
						sendErr.Store(&err)
					}
				}
			}()
		}
		t0 := time.Now()
		for i := range n {
			if d := time.Until(t0.Add(time.Duration(i) * time.Second / rate)); d > 0 {
				time.Sleep(d)
			}
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		for deadline := time.Now().Add(5 * time.Second); updates.Load() < int64(n*streams) && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		if p := sendErr.Load(); p != nil {
			return result{}, 0, *p
		}
		mu.Lock()
		defer mu.Unlock()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		out := result{p50: percentile(lat, 50), p99: percentile(lat, 99),
			updates: float64(updates.Load()) / float64(n*streams), resets: ss.resets.Load() - resets0}
		return out, float64(out.p99), nil
	})
	if err != nil {
		return err
	}
	measured := fmt.Sprintf("p50 %s, p99 %s; %.1f%% as updates, %d resets", ms(res.p50), ms(res.p99), res.updates*100, res.resets)
	if res.updates == 0 { // a failing row, not an error: the rest of the table is still measured
		measured = fmt.Sprintf("no message reached the streams as an update within 5 s (%d resets)", res.resets)
	}
	r.add(benchRow{figure: fmt.Sprintf("webhook → SSE event at %d msg/s (%d streams)", rate, streams),
		goal:     "p50 < 10 ms, p99 < 50 ms, every event an update",
		measured: measured,
		pass:     res.p50 < 10*time.Millisecond && res.p99 < 50*time.Millisecond && res.updates >= 1 && res.resets == 0})
	return nil
}
