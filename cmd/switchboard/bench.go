package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"switchboard/bitrix/emulator"
)

// benchOptions size the bench; the defaults are the table.
type benchOptions struct {
	runs       int           // every figure is the median of this many runs
	streams    int           // the large fan-out and the memory figure
	senders    int           // webhook senders of the ingest figure (and 32)
	ingestFor  time.Duration // each ingest run
	latencyFor time.Duration // each run at 500 msg/s
	dialogs    int           // the seeded portal
	perDialog  int
	burst      int // messages of the CRM drain
	only       map[string]bool
}

// bench runs the performance table of issue 8 against a throwaway cluster
// and prints it as markdown: every figure with its ceiling measured in the
// same run, the ratio, and whether it meets its goal.
func bench(ctx context.Context, args []string) error {
	o := benchOptions{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&o.runs, "runs", 3, "runs per figure (the median is shown)")
	fs.IntVar(&o.streams, "streams", 10_000, "open streams of the large fan-out and the memory figure")
	fs.IntVar(&o.senders, "senders", 8, "concurrent webhook senders (the table adds 32)")
	fs.DurationVar(&o.ingestFor, "ingest-for", 3*time.Second, "length of each ingest run")
	fs.DurationVar(&o.latencyFor, "latency-for", 4*time.Second, "length of each run at 500 msg/s")
	fs.IntVar(&o.dialogs, "dialogs", 100_000, "dialogs of the seeded portal")
	fs.IntVar(&o.perDialog, "per-dialog", 20, "messages per seeded dialog")
	fs.IntVar(&o.burst, "burst", 1_000, "messages of the CRM drain burst")
	only := fs.String("only", "", "comma-separated figures to run: start, streams, ingest, latency, pages, crm (default all)")
	sseServer := fs.String("sse-server", "", "internal: serve bare SSE streams on this address")
	webhookServer := fs.String("webhook-server", "", "internal: check and parse webhooks, store nothing, on this address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *only != "" {
		o.only = map[string]bool{}
		for _, f := range strings.Split(*only, ",") {
			o.only[strings.TrimSpace(f)] = true
		}
	}
	if *sseServer != "" {
		return serveBareSSE(ctx, *sseServer)
	}
	if *webhookServer != "" {
		return serveBareWebhooks(ctx, *webhookServer)
	}
	limit, err := raiseFileLimit()
	if err != nil {
		return err
	}
	if need := uint64(o.streams) + 1000; limit < need {
		return fmt.Errorf("bench: the open-file limit is %d, %d streams need %d (ulimit -Hn)", limit, o.streams, need)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	env, err := startBenchEnv(ctx, log)
	if err != nil {
		return err
	}
	defer env.close()
	r := &benchRun{env: env, o: o, log: log}
	if err := r.all(ctx); err != nil {
		return err
	}
	r.print(os.Stdout)
	return nil
}

// benchRun collects the table's rows.
type benchRun struct {
	env  *benchEnv
	o    benchOptions
	log  *slog.Logger
	rows []benchRow
	seq  int // the last bench message number
}

type benchRow struct {
	figure, goal, measured, ceiling, ratio string
	pass                                   bool
}

func (r *benchRun) add(row benchRow) {
	r.rows = append(r.rows, row)
	r.log.Info("bench", "figure", row.figure, "measured", row.measured, "ceiling", row.ceiling, "ratio", row.ratio, "pass", row.pass)
}

// all measures every figure, in an order that keeps them apart: memory on
// a freshly started app, ingestion before the large seed, the CRM drain on
// a portal of its own.
func (r *benchRun) all(ctx context.Context) error {
	main, err := r.env.newBenchPortal(ctx, "bench", emulator.Config{})
	if err != nil {
		return err
	}
	defer main.close()
	if err := main.setUp(ctx); err != nil {
		return err
	}
	steps := []struct {
		name string
		run  func(context.Context, *benchPortal) error
	}{
		{"start", r.coldStart}, {"streams", r.streamsAndMemory}, {"ingest", r.ingest},
		{"latency", r.latency}, {"pages", r.inboxPages},
	}
	for _, step := range steps {
		if r.o.only != nil && !r.o.only[step.name] {
			continue
		}
		if err := step.run(ctx, main); err != nil {
			return err
		}
		if step.name == "streams" { // the next figures start on an app that never held 10,000 streams
			if err := main.restartApp(ctx); err != nil {
				return err
			}
		}
	}
	if r.o.only != nil && !r.o.only["crm"] {
		return nil
	}
	return r.crmDrain(ctx)
}

func (r *benchRun) print(w io.Writer) {
	fmt.Fprintf(w, "\n`make bench`, %s, median of %d runs, every ceiling measured in the same run:\n\n", time.Now().Format("2006-01-02 15:04"), r.o.runs)
	fmt.Fprintln(w, "| figure | goal | measured | ceiling | ratio | pass |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
	failed := 0
	for _, row := range r.rows {
		pass := "yes"
		if !row.pass {
			pass, failed = "**no**", failed+1
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", row.figure, row.goal, row.measured, orDash(row.ceiling), orDash(row.ratio), pass)
	}
	fmt.Fprintf(w, "\n%d of %d figures meet their goal.\n", len(r.rows)-failed, len(r.rows))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// median of xs (xs is sorted in place).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	return xs[len(xs)/2]
}

// percentile p (0..100) of sorted durations.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(float64(len(ds)-1) * p / 100)
	return ds[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func thousands(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// medianOf runs f o.runs times and returns the run with the median key.
func medianOf[T any](runs int, f func() (T, float64, error)) (T, error) {
	type result struct {
		v   T
		key float64
	}
	var rs []result
	for range runs {
		v, key, err := f()
		if err != nil {
			var zero T
			return zero, err
		}
		rs = append(rs, result{v, key})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].key < rs[j].key })
	return rs[len(rs)/2].v, nil
}
