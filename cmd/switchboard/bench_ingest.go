package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
	"switchboard/db/pgcluster"
)

// ingest posts signed webhooks, one client text each, from o.senders and
// from 32 concurrent senders, as fast as the app answers 200 (stored and
// committed). Two ceilings are measured right after, with as many clients:
// pgbench's single-row INSERT TPS on the same cluster (the issue's), and a
// bare net/http server that does to each webhook what the app does before
// its first query (read, check the signature, parse) and nothing else,
// which bounds any receiver of these webhooks on this machine.
func (r *benchRun) ingest(ctx context.Context, bp *benchPortal) error {
	if _, err := r.env.createDB(ctx, "ceiling"); err != nil {
		return err
	}
	if err := r.knowClients(bp); err != nil {
		return err
	}
	bare, bareURL, err := r.env.startBare("-webhook-server")
	if err != nil {
		return err
	}
	defer func() { _ = bare.Process.Kill(); _ = bare.Wait() }()
	for _, senders := range []int{r.o.senders, 32} {
		type result struct{ rate, tps, bare float64 }
		res, err := medianOf(r.o.runs, func() (result, float64, error) {
			rate, err := r.ingestRun(bp.hookURL, senders, r.o.ingestFor)
			if err != nil {
				return result{}, 0, err
			}
			tps, err := r.env.pgbenchInsert(ctx, "ceiling", senders, r.o.ingestFor)
			if err != nil {
				return result{}, 0, err
			}
			bare, err := r.ingestRun(bareURL+"/hook", senders, r.o.ingestFor)
			return result{rate, tps, bare}, rate, err
		})
		if err != nil {
			return err
		}
		ratio := res.rate / res.tps
		r.add(benchRow{figure: fmt.Sprintf("signed webhooks ingested, committed, one instance, %d senders", senders),
			goal:     "≥ 1,000 msg/s and ≥ 50% of INSERT TPS",
			measured: thousands(res.rate) + " msg/s",
			ceiling:  fmt.Sprintf("pgbench INSERT %s TPS; a bare webhook server %s req/s", thousands(res.tps), thousands(res.bare)),
			ratio:    fmt.Sprintf("%.0f%% (the bare server: %.0f%%)", ratio*100, res.bare/res.tps*100), pass: res.rate >= 1000 && ratio >= 0.5})
	}
	return nil
}

// serveBareWebhooks is the ingest's second ceiling: a bare net/http server
// that reads each webhook, checks its signature and parses it as the app's
// WhatsApp transport does, and answers 200 without storing anything.
func serveBareWebhooks(ctx context.Context, addr string) error {
	t := &whatsapp.Transport{}
	acct := channels.Account{Transport: "whatsapp", ExternalID: benchPhoneID, AppSecret: benchAppSecret}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hook", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 32<<20)) // the app's limit (handlers.maxWebhookBody)
		if err != nil {
			http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		hook, err := t.ParseWebhook(acct, r.Header.Get("X-Hub-Signature-256"), body)
		if err != nil || len(hook.Messages) != 1 {
			http.Error(w, fmt.Sprintf("not one message: %v", err), http.StatusBadRequest)
		}
	})
	return serveBare(ctx, addr, mux)
}

// knowClients has each of the bench's clients write once before the runs,
// so that every run measures the same thing, messages of clients the portal
// has: the most common case, and otherwise the first run alone would meet
// the 2,000 new ones (two more inserts each, and a lead for the CRM sync).
func (r *benchRun) knowClients(bp *benchPortal) error {
	send := newSender(bp.hookURL, r.o.senders)
	next := make(chan int)
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	for range r.o.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := range next {
				if err := send.post(waHook(benchPhone(seq), fmt.Sprintf("wamid.known.%d", seq), benchText(seq))); err != nil {
					firstErr.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	for seq := r.seq; seq < r.seq+benchClients && firstErr.Load() == nil; seq++ {
		next <- seq
	}
	close(next)
	wg.Wait()
	r.seq += benchClients
	if p := firstErr.Load(); p != nil {
		return *p
	}
	return nil
}

// ingestRun sends webhooks to url for d from senders goroutines and
// returns how many were answered 200 per second.
func (r *benchRun) ingestRun(url string, senders int, d time.Duration) (float64, error) {
	send := newSender(url, senders)
	var next atomic.Int64
	next.Store(int64(r.seq))
	var stored atomic.Int64
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	t0 := time.Now()
	deadline := t0.Add(d)
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				seq := int(next.Add(1))
				if err := send.post(waHook(benchPhone(seq), fmt.Sprintf("wamid.in.%d", seq), benchText(seq))); err != nil {
					firstErr.Store(&err)
					return
				}
				stored.Add(1)
			}
		}()
	}
	wg.Wait()
	took := time.Since(t0)
	r.seq = int(next.Load())
	if p := firstErr.Load(); p != nil {
		return 0, *p
	}
	return float64(stored.Load()) / took.Seconds(), nil
}

var pgbenchTPS = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// pgbenchInsert is the database's single-row INSERT TPS with clients
// connections for d: each transaction one INSERT of a row like a message.
func (e *benchEnv) pgbenchInsert(ctx context.Context, dbName string, clients int, d time.Duration) (float64, error) {
	bin, err := pgcluster.BinDir()
	if err != nil {
		return 0, err
	}
	script := filepath.Join(e.dir, "insert.sql")
	if err := os.WriteFile(script, []byte("INSERT INTO ceiling (portal_id, body, created_at) VALUES (1, 'hello', now());\n"), 0o644); err != nil {
		return 0, err
	}
	psql := exec.CommandContext(ctx, filepath.Join(bin, "psql"), "-q", "-h", e.cluster.Dir, "-U", "postgres", "-d", dbName, "-c",
		`CREATE TABLE IF NOT EXISTS ceiling (id bigserial PRIMARY KEY, portal_id bigint NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL)`)
	if out, err := psql.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("bench: psql: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, filepath.Join(bin, "pgbench"), "-n", "-h", e.cluster.Dir, "-U", "postgres",
		"-c", strconv.Itoa(clients), "-j", "2", "-T", strconv.Itoa(max(1, int(d.Seconds()))), "-f", script, dbName)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("bench: pgbench: %v\n%s", err, out)
	}
	m := pgbenchTPS.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("bench: no TPS in pgbench's output:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
