package handlers

import "net/http"

// htmx request and response headers, in one place.
const (
	hxRequest  = "HX-Request"
	hxRetarget = "HX-Retarget"
	hxReswap   = "HX-Reswap"
)

func isHTMX(r *http.Request) bool { return r.Header.Get(hxRequest) == "true" }

// retarget makes htmx put this response somewhere else than the request said.
func retarget(w http.ResponseWriter, selector, swap string) {
	w.Header().Set(hxRetarget, selector)
	w.Header().Set(hxReswap, swap)
}
