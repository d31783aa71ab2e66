package handlers

import (
	"net/http"
	"strings"
)

// pagePolicy is the Content-Security-Policy of our pages. Scripts and styles
// come only from our own origin, as files (no inline script, no eval: htmx
// runs with allowEval off and without its injected indicator styles, see
// views.Layout); nothing is embedded as a plugin, no <base> can redirect
// relative URLs, and forms post only to us. frameAncestors, when set, are
// the only pages that may frame ours (besides our own); scriptOrigins are
// further origins a page may load scripts from (the install page's BX24 SDK).
func pagePolicy(frameAncestors []string, scriptOrigins ...string) string {
	directives := []string{
		"default-src 'self'",
		"script-src " + sources("'self'", scriptOrigins...),
		"style-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
	}
	if len(frameAncestors) > 0 {
		directives = append(directives, "frame-ancestors "+sources("'self'", frameAncestors...))
	}
	return strings.Join(directives, "; ")
}

// sources joins CSP source expressions, leaving out what origin could not
// make an origin of.
func sources(self string, more ...string) string {
	out := []string{self}
	for _, s := range more {
		if s != "" && s != "'none'" && s != self {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

// setPagePolicy sets the page's Content-Security-Policy, replacing the
// default one securityHeaders set.
func setPagePolicy(w http.ResponseWriter, frameAncestors []string, scriptOrigins ...string) {
	w.Header().Set("Content-Security-Policy", pagePolicy(frameAncestors, scriptOrigins...))
}
