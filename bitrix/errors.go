package bitrix

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is an error answered by a portal or by the OAuth server.
// Code is Bitrix's `error` (often "" for classic CRM methods, which put the meaning in
// Description); match it with errors.Is against the sentinels below.
type Error struct {
	HTTPStatus  int    // HTTP status of the answer; 0 for a command inside a batch
	Code        string // `error`, e.g. "expired_token", "QUERY_LIMIT_EXCEEDED", ""
	Description string // `error_description`
	Method      string // REST method (or "oauth/token") that failed
}

// Error formats the error as "bitrix: method: CODE (status): description".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("bitrix: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteString(": ")
	}
	code := e.Code
	if code == "" {
		code = "error"
	}
	b.WriteString(code)
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, " (%d)", e.HTTPStatus)
	}
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	return b.String()
}

// Sentinels matched by errors.Is against an *Error.
var (
	// ErrExpiredToken: the access token expired (the client refreshes and retries once by itself).
	ErrExpiredToken = errors.New("bitrix: access token expired")
	// ErrInvalidToken: the token is unknown or missing (invalid_token, NO_AUTH_FOUND, INVALID_CREDENTIALS).
	ErrInvalidToken = errors.New("bitrix: invalid token")
	// ErrRateLimited: the portal's request bucket is full (503 QUERY_LIMIT_EXCEEDED).
	ErrRateLimited = errors.New("bitrix: too many requests")
	// ErrOperationLimit: the method's operating-time budget is spent (429 OPERATION_TIME_LIMIT).
	ErrOperationLimit = errors.New("bitrix: operation time limit")
	// ErrAccessDenied: the user or auth type may not do this (ACCESS_DENIED, WRONG_AUTH_TYPE, "Access denied.").
	ErrAccessDenied = errors.New("bitrix: access denied")
	// ErrInsufficientScope: the app lacks a scope for the method (401 or 403 insufficient_scope).
	ErrInsufficientScope = errors.New("bitrix: insufficient scope")
	// ErrMethodNotFound: no such method, or its module is missing (ERROR_METHOD_NOT_FOUND).
	ErrMethodNotFound = errors.New("bitrix: method not found")
	// ErrInvalidGrant: the refresh token is dead; the app must be re-installed or re-authorized.
	ErrInvalidGrant = errors.New("bitrix: invalid grant")
	// ErrNotFound: the entity does not exist (NOT_FOUND, ERROR_NOT_FOUND, OWNER_NOT_FOUND, "" + "Not found.").
	ErrNotFound = errors.New("bitrix: not found")
	// ErrAlreadyBound: event.bind/placement.bind found the same handler already bound.
	ErrAlreadyBound = errors.New("bitrix: handler already bound")
	// ErrCantEditMessage: the message is too old (3 days) or not ours to edit or delete.
	ErrCantEditMessage = errors.New("bitrix: message can no longer be edited")
	// ErrPinLimit: the owner already has the most pinned timeline entries the portal allows.
	ErrPinLimit = errors.New("bitrix: too many pinned timeline entries")
	// ErrPaymentRequired: the paid app's period has expired.
	ErrPaymentRequired = errors.New("bitrix: payment required")
	// ErrPortalMoved: the portal answered 302 (renamed); Description holds the new Location.
	ErrPortalMoved = errors.New("bitrix: portal moved")
)

// codePortalMoved is the Code the client gives a 302 answer (Bitrix sends no body then).
const codePortalMoved = "PORTAL_MOVED"

// Is matches e against the package sentinels.
func (e *Error) Is(target error) bool {
	code := e.Code
	lower := strings.ToLower(e.Description)
	switch target {
	case ErrExpiredToken:
		return code == "expired_token"
	case ErrInvalidToken:
		return code == "invalid_token" || code == "NO_AUTH_FOUND" || code == "INVALID_CREDENTIALS"
	case ErrRateLimited:
		return code == "QUERY_LIMIT_EXCEEDED" || (e.HTTPStatus == http.StatusServiceUnavailable && code != "OVERLOAD_LIMIT")
	case ErrOperationLimit:
		return code == "OPERATION_TIME_LIMIT" || e.HTTPStatus == http.StatusTooManyRequests
	case ErrAccessDenied:
		switch code {
		case "ACCESS_DENIED", "WRONG_AUTH_TYPE", "user_access_error", "ACCESS_ERROR":
			return true
		case "":
			return strings.HasPrefix(lower, "access denied")
		}
		return false
	case ErrInsufficientScope:
		return code == "insufficient_scope"
	case ErrMethodNotFound:
		return code == "ERROR_METHOD_NOT_FOUND"
	case ErrInvalidGrant:
		return code == "invalid_grant"
	case ErrNotFound:
		switch code {
		case "NOT_FOUND", "ERROR_NOT_FOUND", "OWNER_NOT_FOUND", "ERROR_ENTITY_NOT_FOUND":
			return true
		case "":
			return strings.Contains(lower, "not found")
		}
		return false
	case ErrAlreadyBound:
		return code == "ERROR_HANDLER_ALREADY_EXIST" || strings.Contains(lower, "already binded") ||
			strings.Contains(lower, "handler already exists")
	case ErrCantEditMessage:
		return code == "CANT_EDIT_MESSAGE"
	case ErrPinLimit:
		return strings.Contains(lower, "can be added to favorites")
	case ErrPaymentRequired:
		return code == "PAYMENT_REQUIRED"
	case ErrPortalMoved:
		return code == codePortalMoved
	}
	return false
}

// IsNotFound reports whether err means the requested entity does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsRateLimited reports whether err is a portal limit (503 or 429) that outlasted the retries.
func IsRateLimited(err error) bool {
	return errors.Is(err, ErrRateLimited) || errors.Is(err, ErrOperationLimit)
}

// IsAuthError reports whether err says the token is expired, invalid or missing.
func IsAuthError(err error) bool {
	return errors.Is(err, ErrExpiredToken) || errors.Is(err, ErrInvalidToken)
}

// NeedsReinstall reports whether the portal's stored grant is unusable: the app must be
// installed again (or re-authorized) before any call can succeed.
func NeedsReinstall(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return errors.Is(err, ErrInvalidGrant)
	}
	switch e.Code {
	case "invalid_grant", "APPLICATION_NOT_FOUND", "PORTAL_DELETED", "PAYMENT_REQUIRED":
		return true
	}
	return false
}

// PortalMovedTo returns the portal's new base URL when err is a 302 rename answer.
func PortalMovedTo(err error) (string, bool) {
	var e *Error
	if errors.As(err, &e) && e.Code == codePortalMoved {
		return e.Description, true
	}
	return "", false
}
