package pgcluster

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// LocalDir resolves the data directory of the demo's cluster. It is dir
// (./.data/pg) when the server's OS user can reach it; otherwise (a checkout
// under /root or a mktemp -d folder, as root) the data lives under
// /var/lib/switchboard and dir becomes a symlink to it, so the demo data still
// survives restarts and `ls .data/pg` still shows it.
func LocalDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("pgcluster: %w", err)
	}
	if target, err := os.Readlink(abs); err == nil {
		return target, nil
	}
	if ReachableByServer(abs) {
		return abs, nil
	}
	sum := sha256.Sum256([]byte(abs))
	target := filepath.Join("/var/lib/switchboard", "pg-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return "", fmt.Errorf("pgcluster: unable to create %s: %w", filepath.Dir(target), err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return "", fmt.Errorf("pgcluster: unable to create %s: %w", filepath.Dir(abs), err)
	}
	if st, err := os.Lstat(abs); err == nil && st.IsDir() {
		entries, _ := os.ReadDir(abs)
		if len(entries) > 0 {
			return "", fmt.Errorf("pgcluster: %s exists but the postgres user cannot reach it; move it away", abs)
		}
		_ = os.Remove(abs)
	}
	if err := os.Symlink(target, abs); err != nil {
		return "", fmt.Errorf("pgcluster: unable to link %s to %s: %w", abs, target, err)
	}
	return target, nil
}
