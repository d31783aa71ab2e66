package inbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Blobs stores files by key. Rows hold only keys, so an S3-compatible store
// can replace the disk. Put streams: no implementation may hold a whole file
// in memory.
type Blobs interface {
	// Put stores r under key and reports its size and hex SHA-256. A failed
	// Put leaves nothing under key.
	Put(ctx context.Context, key string, r io.Reader) (size int64, sha256 string, err error)
	// Open reads the file under key; ErrNoBlob when there is none.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// ErrNoBlob is returned by Open for a key that holds no file.
var ErrNoBlob = errors.New("inbox: no such file")

// Disk keeps files under a directory (SWITCHBOARD_DATA_DIR/blobs by default).
type Disk struct {
	Dir string
}

// NewDisk is a blob store under dir, created on first use.
func NewDisk(dir string) *Disk { return &Disk{Dir: dir} }

func (d *Disk) path(key string) (string, error) {
	clean := filepath.Clean("/" + key)
	if key == "" || clean != "/"+key || strings.Contains(key, "\\") {
		return "", fmt.Errorf("inbox: bad file key %q", key)
	}
	return filepath.Join(d.Dir, filepath.FromSlash(key)), nil
}

// Put writes r to a temporary file beside the target, hashing as it goes,
// and renames it into place once complete.
func (d *Disk) Put(ctx context.Context, key string, r io.Reader) (int64, string, error) {
	target, err := d.path(key)
	if err != nil {
		return 0, "", err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return 0, "", fmt.Errorf("inbox: unable to store file %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".upload-*")
	if err != nil {
		return 0, "", fmt.Errorf("inbox: unable to store file %s: %w", key, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if err == nil {
		err = tmp.Sync() // on disk before a row says "ready"
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, "", fmt.Errorf("inbox: unable to store file %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return 0, "", fmt.Errorf("inbox: unable to store file %s: %w", key, err)
	}
	if dir, err := os.Open(filepath.Dir(target)); err == nil { // the rename too
		_ = dir.Sync()
		dir.Close()
	}
	return size, hex.EncodeToString(h.Sum(nil)), nil
}

// Open opens the file under key; the caller closes it. The reader is an
// *os.File, so it also seeks (range requests).
func (d *Disk) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("inbox: file %s: %w", key, ErrNoBlob)
	}
	if err != nil {
		return nil, fmt.Errorf("inbox: unable to open file %s: %w", key, err)
	}
	return f, nil
}

// Delete removes the file under key, if any.
func (d *Disk) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("inbox: unable to delete file %s: %w", key, err)
	}
	return nil
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// newBlobKey is a fresh, unguessable key for a portal's file.
func newBlobKey(portalID int64, kind string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("p%d/%s/%s", portalID, kind, hex.EncodeToString(b))
}
