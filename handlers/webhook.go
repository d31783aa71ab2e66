package handlers

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"switchboard/channels"
	"switchboard/db"
	"switchboard/inbox"
)

// maxWebhookBody bounds a webhook body; a history backfill chunk is the
// largest thing Meta sends.
const maxWebhookBody = 32 << 20

// webhookChannel finds the transport and channel a webhook URL names.
func (s *Server) webhookChannel(r *http.Request) (channels.Transport, db.Channel, error) {
	name := chi.URLParam(r, "transport")
	t, ok := s.inbox.Transports[name]
	if !ok {
		return nil, db.Channel{}, db.ErrNotFound
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "channel"), 10, 64)
	if err != nil {
		return nil, db.Channel{}, db.ErrNotFound
	}
	ch, err := s.store.ChannelForWebhook(r.Context(), name, id)
	return t, ch, err
}

// webhookVerify answers Meta's subscription handshake.
func (s *Server) webhookVerify(w http.ResponseWriter, r *http.Request) {
	t, ch, err := s.webhookChannel(r)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	challenge, err := t.Verify(inbox.Account(ch), r.URL.Query())
	if err != nil {
		s.log.Warn("webhook verification refused", "channel", ch.ID, "err", err)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, challenge)
}

// webhookReceive checks a webhook's signature, parses it and stores what it
// carries in one transaction before answering 200; anything else gets an
// error status and stores nothing, so Meta retries what we could not take.
func (s *Server) webhookReceive(w http.ResponseWriter, r *http.Request) {
	t, ch, err := s.webhookChannel(r)
	if err != nil {
		s.log.Warn("webhook for an unknown channel", "path", r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("X-Hub-Signature-256") == "" { // unsigned: refused before reading a byte
		s.log.Warn("webhook refused: bad signature", "channel", ch.ID, "remote", r.RemoteAddr)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		s.log.Warn("webhook body unreadable", "channel", ch.ID, "err", err)
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	hook, err := t.ParseWebhook(inbox.Account(ch), r.Header.Get("X-Hub-Signature-256"), body)
	switch {
	case errors.Is(err, channels.ErrBadSignature):
		s.log.Warn("webhook refused: bad signature", "channel", ch.ID, "remote", r.RemoteAddr)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	case err != nil:
		s.log.Warn("webhook refused: malformed", "channel", ch.ID, "err", err)
		http.Error(w, "malformed webhook", http.StatusBadRequest)
		return
	}
	if hook.History {
		// A history backfill: kept raw first, absorbed in the background.
		id, err := s.inbox.KeepWebhook(r.Context(), ch, r.Header.Get("X-Hub-Signature-256"), body)
		if err != nil {
			s.log.Error("history webhook not kept", "channel", ch.ID, "err", err)
			http.Error(w, "not stored, retry later", http.StatusInternalServerError)
			return
		}
		s.log.Debug("history webhook kept", "channel", ch.ID, "backlog", id)
		w.WriteHeader(http.StatusOK)
		return
	}
	res, err := s.inbox.Ingest(r.Context(), ch, hook)
	if err != nil {
		s.log.Error("webhook not stored", "channel", ch.ID, "err", err)
		http.Error(w, "not stored, retry later", http.StatusInternalServerError)
		return
	}
	s.log.Debug("webhook stored", "channel", ch.ID, "stored", res.Stored, "duplicates", res.Duplicates, "statuses", res.Statuses)
	w.WriteHeader(http.StatusOK)
}
