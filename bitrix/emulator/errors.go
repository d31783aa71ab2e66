package emulator

import (
	"fmt"
	"net/http"
)

// apiError is a REST error answer: {"error":…,"error_description":…}.
type apiError struct {
	status int
	code   any // usually a string; the timeline pin limit answers with the number 0
	desc   string
	extra  [][2]string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("emulator: %v: %s", e.code, e.desc)
}

func (e *apiError) body() *obj {
	o := newObj().set("error", e.code).set("error_description", e.desc)
	for _, kv := range e.extra {
		o.set(kv[0], kv[1])
	}
	return o
}

func newErr(status int, code any, desc string) *apiError {
	return &apiError{status: status, code: code, desc: desc}
}

// badRequest is the usual method-level failure (400).
func badRequest(code any, desc string) *apiError { return newErr(http.StatusBadRequest, code, desc) }

// crmErr is the classic CRM failure: empty code, text in the description.
func crmErr(desc string) *apiError { return badRequest("", desc) }

// argErr is ERROR_ARGUMENT for a missing argument.
func argErr(name string) *apiError {
	e := badRequest("ERROR_ARGUMENT", fmt.Sprintf("Argument '%s' is null or empty", name))
	e.extra = [][2]string{{"argument", name}}
	return e
}

var (
	errNoAuth       = newErr(http.StatusUnauthorized, "NO_AUTH_FOUND", "Wrong authorization data")
	errExpiredToken = newErr(http.StatusUnauthorized, "expired_token", "The access token provided has expired")
	errBadWebhook   = newErr(http.StatusUnauthorized, "INVALID_CREDENTIALS", "Invalid request credentials")
	errQueryLimit   = newErr(http.StatusServiceUnavailable, "QUERY_LIMIT_EXCEEDED", "Too many requests")
	errOperating    = newErr(http.StatusTooManyRequests, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.")
	errAppContext   = newErr(http.StatusForbidden, "WRONG_AUTH_TYPE", "Current authorization type is denied for this method Application context required")
	errNotAdmin     = newErr(http.StatusForbidden, "ACCESS_DENIED", "Access denied! Available only for administrators")
)

func (p *Portal) errMethodNotFound() *apiError {
	return newErr(p.cfg.MethodNotFoundStatus, "ERROR_METHOD_NOT_FOUND", "Method not found!")
}

func (p *Portal) errScope() *apiError {
	return newErr(p.cfg.InsufficientScopeStatus, "insufficient_scope", "The request requires higher privileges than provided by the access token")
}

func (p *Portal) errInvalidToken() *apiError {
	return newErr(http.StatusUnauthorized, "invalid_token", p.cfg.InvalidTokenDescription)
}
