// Package static embeds the front-end files: vendored htmx, its SSE
// extension, SortableJS and emojibase-data (the emoji picker's data, MIT),
// and our CSS and JS. Files are served under
// content-hashed paths with a year-long cache, since embed.FS has no
// modification times.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed *.css *.js vendor
var files embed.FS

// Prefix is where the handler is mounted.
const Prefix = "/static/"

var hashes = func() map[string]string {
	h := map[string]string{}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h[p] = hex.EncodeToString(sum[:5])
		return nil
	})
	return h
}()

// Path is the cache-busting URL of an embedded file, e.g.
// Path("app.css") == "/static/1a2b3c4d5e/app.css".
func Path(name string) string {
	return Prefix + hashes[name] + "/" + name
}

// Handler serves the files; mount it at Prefix.
func Handler() http.Handler {
	fileServer := http.FileServerFS(files)
	return http.StripPrefix(Prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hash, name, ok := strings.Cut(r.URL.Path, "/")
		if !ok || hashes[path.Clean(name)] != hash {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r.URL.Path = "/" + name
		fileServer.ServeHTTP(w, r)
	}))
}
