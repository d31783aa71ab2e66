package handlers

import (
	"errors"
	"net/http"

	"switchboard/bitrix"
	"switchboard/inbox"
)

// bitrixEvents receives the events Bitrix24 sends (form-encoded). One
// without the portal's application token gets 401 and changes nothing.
func (s *Server) bitrixEvents(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
	ev, err := bitrix.ParseEventRequest(r)
	if err != nil {
		s.log.Warn("event refused: malformed", "err", err)
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	err = s.inbox.HandleEvent(r.Context(), ev)
	switch {
	case errors.Is(err, inbox.ErrForged):
		s.log.Warn("event refused", "event", ev.Name, "member_id", ev.Auth.MemberID, "err", err)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	case err != nil:
		s.log.Error("event failed", "event", ev.Name, "member_id", ev.Auth.MemberID, "err", err)
		http.Error(w, "failed", http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusOK)
	}
}
