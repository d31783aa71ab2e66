// Package pgcluster runs a private PostgreSQL server: the demo's local
// cluster under ./.data/pg and the throwaway clusters of the test suite.
// As root it runs PostgreSQL as the postgres OS user, which PostgreSQL demands.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNotInstalled means no PostgreSQL server binaries were found.
var ErrNotInstalled = errors.New("pgcluster: PostgreSQL server binaries not found (Debian/Ubuntu: apt-get install -y postgresql)")

// Cluster is a running PostgreSQL server listening on a Unix socket only.
type Cluster struct {
	Dir    string // data directory; the socket lives here too
	cmd    *exec.Cmd
	exited chan struct{} // closed when the server process ends
	err    error         // its exit status, once exited is closed
}

// Options tune a cluster.
type Options struct {
	// Ephemeral trades durability for speed (fsync off): tests.
	Ephemeral bool
	// Log receives the server's output; nil discards it.
	Log *os.File
}

// BinDir finds the directory holding initdb and postgres.
func BinDir() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if isExec(filepath.Join(dir, "initdb")) && isExec(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(found, func(i, j int) bool { return pgMajor(found[i]) > pgMajor(found[j]) })
	for _, f := range found {
		dir := filepath.Dir(f)
		if isExec(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && isExec(filepath.Join(filepath.Dir(real), "postgres")) {
			return filepath.Dir(real), nil
		}
	}
	return "", ErrNotInstalled
}

func pgMajor(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

func isExec(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// Start creates the cluster in dir on first use (initdb) and starts it. The
// server stops when ctx is cancelled, when Stop is called, or when this
// process dies.
func Start(ctx context.Context, dir string, opts Options) (*Cluster, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if len(dir)+len("/.s.PGSQL.5432") >= 100 {
		return nil, fmt.Errorf("pgcluster: %s is too long for a Unix socket path", dir)
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("pgcluster: unable to create %s: %w", dir, err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("pgcluster: unable to give %s to postgres: %w", dir, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", dir, "-A", "trust", "-U", "postgres",
			"-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
		initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		if out, err := initdb.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("pgcluster: initdb %s failed: %w\n%s", dir, err, out)
		}
	}
	_ = os.Remove(filepath.Join(dir, "postmaster.pid")) // a stale pid file from a killed run
	args := []string{"-D", dir, "-k", dir, "-c", "listen_addresses=", "-c", "max_connections=200"}
	if opts.Ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	cmd := exec.Command(filepath.Join(bin, "postgres"), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGTERM, Setpgid: true}
	if opts.Log != nil {
		cmd.Stdout, cmd.Stderr = opts.Log, opts.Log
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pgcluster: unable to start postgres: %w", err)
	}
	c := &Cluster{Dir: dir, cmd: cmd, exited: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	go func() {
		select {
		case <-ctx.Done():
			c.Stop()
		case <-c.exited:
		}
	}()
	if err := c.waitReady(15 * time.Second); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	sock := filepath.Join(c.Dir, ".s.PGSQL.5432")
	for time.Now().Before(deadline) {
		if _, err := os.Stat(sock); err == nil {
			if pid, err := os.ReadFile(filepath.Join(c.Dir, "postmaster.pid")); err == nil && strings.Contains(string(pid), "ready") {
				return nil
			}
		}
		select {
		case <-c.exited:
			return fmt.Errorf("pgcluster: postgres exited during start-up: %v", c.err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("pgcluster: postgres in %s not ready after %s", c.Dir, limit)
}

// DSN is a lib/pq connection string for database name on this cluster.
func (c *Cluster) DSN(name string) string {
	return fmt.Sprintf("host=%s user=postgres dbname=%s sslmode=disable", c.Dir, name)
}

// Stop shuts the server down (fast mode) and waits for it.
func (c *Cluster) Stop() {
	if c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

// serverCredential is the postgres OS user when running as root, nil otherwise.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root needs the postgres OS user (created by the postgresql package): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// ReachableByServer reports whether the OS user running PostgreSQL can reach
// dir: as root, postgres cannot enter a tree under a 0700 folder like /root.
func ReachableByServer(dir string) bool {
	cred, err := serverCredential()
	if err != nil || cred == nil {
		return err == nil
	}
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				if d == filepath.Dir(d) {
					return true
				}
				continue
			}
			return false
		}
		sys, ok := st.Sys().(*syscall.Stat_t)
		if !ok {
			return false
		}
		perm := st.Mode().Perm()
		switch {
		case sys.Uid == cred.Uid:
			if perm&0o100 == 0 {
				return false
			}
		case sys.Gid == cred.Gid:
			if perm&0o010 == 0 {
				return false
			}
		default:
			if perm&0o001 == 0 {
				return false
			}
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}
