package handlers

import (
	"errors"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"

	"switchboard/inbox"
)

// maxWebhookBody bounds a webhook body; a history backfill chunk is the
// largest thing Meta sends.
const maxWebhookBody = 32 << 20

// signatureHeader carries Meta's signature of a webhook body.
const signatureHeader = "X-Hub-Signature-256"

// webhookVerify answers Meta's subscription handshake.
func (s *Server) webhookVerify(w http.ResponseWriter, r *http.Request) {
	challenge, err := s.inbox.VerifyWebhook(r.Context(), chi.URLParam(r, "transport"), chi.URLParam(r, "channel"), r.URL.Query())
	switch {
	case errors.Is(err, inbox.ErrNotFound):
		http.NotFound(w, r)
		return
	case err != nil:
		s.log.Warn("webhook verification refused", "path", r.URL.Path, "err", err)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, challenge)
}

// webhookReceive hands a signed webhook to inbox, which stores what it
// carries before the 200; a refused one gets an error status and stores
// nothing, and a failure of the store a 500, so Meta retries.
func (s *Server) webhookReceive(w http.ResponseWriter, r *http.Request) {
	signature := r.Header.Get(signatureHeader)
	if signature == "" { // unsigned: refused before reading a byte
		s.log.Warn("webhook refused: bad signature", "path", r.URL.Path, "remote", r.RemoteAddr)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		s.log.Warn("webhook body unreadable", "path", r.URL.Path, "err", err)
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	rec, err := s.inbox.Receive(r.Context(), chi.URLParam(r, "transport"), chi.URLParam(r, "channel"), signature, body)
	switch {
	case errors.Is(err, inbox.ErrNotFound):
		s.log.Warn("webhook for an unknown channel", "path", r.URL.Path)
		http.NotFound(w, r)
	case errors.Is(err, inbox.ErrBadSignature):
		s.log.Warn("webhook refused: bad signature", "path", r.URL.Path, "remote", r.RemoteAddr)
		http.Error(w, "bad signature", http.StatusUnauthorized)
	case errors.Is(err, inbox.ErrMalformed):
		s.log.Warn("webhook refused: malformed", "path", r.URL.Path, "err", err)
		http.Error(w, "malformed webhook", http.StatusBadRequest)
	case err != nil:
		s.log.Error("webhook not stored", "path", r.URL.Path, "err", err)
		http.Error(w, "not stored, retry later", http.StatusInternalServerError)
	default:
		s.log.Debug("webhook stored", "channel", rec.ChannelID, "history", rec.History, "stored", rec.Stored,
			"duplicates", rec.Duplicates, "statuses", rec.Statuses, "rejected", rec.Rejected)
		w.WriteHeader(http.StatusOK)
	}
}
