package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A bench message's text carries its number between markers, so a stream
// reader finds it in any fragment that shows the message.
const benchMark = "zq"

func benchText(seq int) string { return benchMark + strconv.Itoa(seq) + benchMark }

// benchClients is how many clients write the bench's webhooks, in turn.
const benchClients = 2000

// benchPhone is the client who writes message seq.
func benchPhone(seq int) string { return fmt.Sprintf("7999%07d", seq%benchClients) }

// streamSet is many open SSE streams read by the bench: for each stream,
// every bench message it shows (once), and the resets it gets.
type streamSet struct {
	client  *http.Client
	streams []*openStream
	onMsg   atomic.Pointer[func(seq int, update bool)]
	resets  atomic.Int64
}

type openStream struct {
	cancel context.CancelFunc
	resp   *http.Response
}

func newStreamSet() *streamSet {
	tr := &http.Transport{MaxIdleConnsPerHost: 16, DisableCompression: true, ReadBufferSize: 4 << 10, WriteBufferSize: 1 << 10,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext}
	return &streamSet{client: &http.Client{Transport: tr}}
}

// handle sets what is called for every bench message a stream shows.
func (ss *streamSet) handle(f func(seq int, update bool)) { ss.onMsg.Store(&f) }

// open adds n streams of url, opened 64 at a time; it returns once every
// one has its answer's header.
func (ss *streamSet) open(ctx context.Context, url string, header http.Header, n int) error {
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			st, err := ss.dial(ctx, url, header)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			ss.streams = append(ss.streams, st)
		}()
	}
	wg.Wait()
	return firstErr
}

func (ss *streamSet) dial(ctx context.Context, url string, header http.Header) (*openStream, error) {
	ctx, cancel := context.WithCancel(ctx)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header = header.Clone()
	resp, err := ss.client.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("bench: stream answered %d", resp.StatusCode)
	}
	go ss.read(resp)
	return &openStream{cancel: cancel, resp: resp}, nil
}

// read goes through one stream's events: the bench messages in each
// update's data, once per stream, and the resets. It reads bytes in place:
// the bench shares the machine with the app, and what it allocates per
// line is taken from the figures it measures.
func (ss *streamSet) read(resp *http.Response) {
	seen := map[int]bool{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 4<<10), 1<<20)
	mark := []byte(benchMark)
	update := false
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case bytes.HasPrefix(line, []byte("event: ")):
			event := line[len("event: "):]
			update = string(event) == "update"
			if string(event) == "reset" {
				ss.resets.Add(1)
			}
		case bytes.HasPrefix(line, []byte("data: ")):
			for rest := line; ; {
				i := bytes.Index(rest, mark)
				if i < 0 {
					break
				}
				rest = rest[i+len(mark):]
				j := bytes.Index(rest, mark)
				if j < 0 {
					break
				}
				seq, err := strconv.Atoi(string(rest[:j]))
				rest = rest[j+len(mark):]
				if err != nil || seen[seq] {
					continue
				}
				seen[seq] = true
				if f := ss.onMsg.Load(); f != nil {
					(*f)(seq, update)
				}
			}
		}
	}
}

// close ends every stream.
func (ss *streamSet) close() {
	for _, st := range ss.streams {
		st.cancel()
		st.resp.Body.Close()
	}
	ss.streams = nil
	ss.client.CloseIdleConnections()
}

// serveBareSSE is the memory ceiling: a bare net/http server of SSE
// streams that holds each open, as the app does, and does nothing else.
func serveBareSSE(ctx context.Context, addr string) error {
	mux := http.NewServeMux()
	mux.HandleFunc("/events", func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		if _, err := fmt.Fprint(w, "event: reset\ndata: \n\n"); err != nil || rc.Flush() != nil {
			return
		}
		ping := time.NewTicker(pingEvery)
		defer ping.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-ping.C:
				if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
					return
				}
			}
		}
	})
	return serveBare(ctx, addr, mux)
}

// serveBare serves mux, with a /readyz, on addr until ctx ends.
func serveBare(ctx context.Context, addr string, mux *http.ServeMux) error {
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// pingEvery is the app's keep-alive interval (handlers), repeated here.
const pingEvery = 15 * time.Second

// startBareSSE runs serveBareSSE as a child process.
func (e *benchEnv) startBareSSE(ctx context.Context) (*exec.Cmd, string, error) {
	return e.startBare("-sse-server")
}

// startBare runs this executable's bench with flag (a bare server's) on a
// free address as a child process, and waits for its /readyz.
func (e *benchEnv) startBare(flag string) (*exec.Cmd, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(e.bin, "bench", flag, addr)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	url := "http://" + addr
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if resp, err := http.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			return cmd, url, nil
		}
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return nil, "", fmt.Errorf("bench: the bare server of %s did not start", flag)
}

// raiseFileLimit lifts the open-file limit to its hard maximum: the bench
// holds thousands of streams, and its child processes inherit the limit.
func raiseFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	return l.Cur, nil
}
