package views

import (
	"context"
	"net/url"
	"strings"
)

type tokenKey struct{}

// WithToken makes the viewer's page token available to links rendered with
// the returned context.
func WithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

// authURL adds the viewer's page token to a link of ours, so that it opens
// (in a new tab, or before htmx has taken it over) where the browser
// refuses our cookie: inside a portal's iframe.
func authURL(ctx context.Context, path string) string {
	token, _ := ctx.Value(tokenKey{}).(string)
	if token == "" {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "st=" + url.QueryEscape(token)
}

// AuthURL is authURL for handlers: where a response sends the browser next.
func AuthURL(ctx context.Context, path string) string { return authURL(ctx, path) }
