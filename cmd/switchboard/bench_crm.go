package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"switchboard/bitrix/emulator"
)

// crmClients is how many clients the CRM drain's messages come from.
const crmClients = 20

// crmDrain is the Bitrix24 sync's drain rate: on a portal of its own
// (emulated with its default Rate and Burst), clients already linked, a
// burst of o.burst messages arrives at once; from the first webhook until
// the last timeline comment, how many comments and requests per second
// the sync achieves against the portal's allowed requests per second. The
// app's own bucket is 1 here (BITRIX_BURST), so the portal's rate, not its
// burst, is what bounds the drain.
func (r *benchRun) crmDrain(ctx context.Context) error {
	cfg := emulator.Config{}
	const rate = 2.0 // the emulator's default
	bp, err := r.env.newBenchPortal(ctx, "crm", cfg)
	if err != nil {
		return err
	}
	defer bp.close()
	if err := bp.setUp(ctx); err != nil {
		return err
	}
	// Installed with the default bucket (the install makes a burst of calls
	// the portal's page waits for); the drain runs with a bucket of 1.
	bp.app.stop()
	bp.extraEnv = []string{"BITRIX_RATE=2", "BITRIX_BURST=1"}
	if bp.app, err = bp.startApp(ctx); err != nil {
		return err
	}
	send := newSender(bp.hookURL, 8)
	for c := range crmClients {
		r.seq++
		if err := send.post(waHook(fmt.Sprintf("7777%07d", c), fmt.Sprintf("wamid.crm.%d", r.seq), benchText(r.seq))); err != nil {
			return err
		}
	}
	if err := bp.waitDrained(ctx, crmClients, 120*time.Second); err != nil {
		return err
	}
	type result struct{ comments, requests, took float64 }
	res, err := medianOf(r.o.runs, func() (result, float64, error) {
		var before int
		if err := bp.store.DB.GetContext(ctx, &before, `SELECT count(*) FROM timeline_comments WHERE portal_id = $1 AND done_at IS NOT NULL`, bp.portalID); err != nil {
			return result{}, 0, err
		}
		time.Sleep(time.Second) // the bucket drains
		bp.emu.ResetStats()
		t0 := time.Now()
		jobs := make(chan int)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for seq := range jobs {
					_ = send.post(waHook(fmt.Sprintf("7777%07d", seq%crmClients), fmt.Sprintf("wamid.crm.%d", seq), benchText(seq)))
				}
			}()
		}
		for range r.o.burst {
			r.seq++
			jobs <- r.seq
		}
		close(jobs)
		wg.Wait()
		if err := bp.waitDrained(ctx, crmClients, 10*time.Minute); err != nil {
			return result{}, 0, err
		}
		took := time.Since(t0).Seconds()
		var after int
		if err := bp.store.DB.GetContext(ctx, &after, `SELECT count(*) FROM timeline_comments WHERE portal_id = $1 AND done_at IS NOT NULL`, bp.portalID); err != nil {
			return result{}, 0, err
		}
		st := bp.emu.Stats()
		out := result{comments: float64(after-before) / took, requests: float64(st.Accepted) / took, took: took}
		return out, out.requests, nil
	})
	if err != nil {
		return err
	}
	ratio := res.requests / rate
	r.add(benchRow{figure: fmt.Sprintf("Bitrix24 sync drain, a burst of %s messages, clients linked", thousands(float64(r.o.burst))),
		goal:     "≥ 90% of the portal's allowed rate",
		measured: fmt.Sprintf("%.0f comments/s, %.2f requests/s (drained in %.1f s)", res.comments, res.requests, res.took),
		ceiling:  fmt.Sprintf("allowed %.0f requests/s", rate), ratio: fmt.Sprintf("%.0f%%", ratio*100), pass: ratio >= 0.9})
	return nil
}

// waitDrained waits until the portal's clients are linked and nothing
// waits for the timeline.
func (bp *benchPortal) waitDrained(ctx context.Context, clients int, limit time.Duration) error {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); {
		var linked, queued int
		if err := bp.store.DB.GetContext(ctx, &linked, `SELECT count(*) FROM clients WHERE portal_id = $1 AND crm_state = 'linked'`, bp.portalID); err != nil {
			return err
		}
		if err := bp.store.DB.GetContext(ctx, &queued, `SELECT count(*) FROM timeline_queue WHERE portal_id = $1`, bp.portalID); err != nil {
			return err
		}
		if linked >= clients && queued == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("bench: the CRM sync did not drain within %s", limit)
}
