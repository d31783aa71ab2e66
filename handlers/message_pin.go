package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"switchboard/inbox"
	"switchboard/views"
)

// messagePin pins a message in the CRM timelines it was mirrored into (or,
// at /unpin, unpins it) and redraws it; a refusal shows under it.
func (s *Server) messagePin(pin bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, err := pathID(r, "id")
		if err != nil {
			s.fail(w, r, inbox.ErrNotFound)
			return
		}
		view, err := s.inbox.PinMessage(ctx, viewerOf(ctx).Viewer, id, pin)
		var limit *inbox.PinLimitError
		var msg string
		switch {
		case errors.As(err, &limit):
			msg = views.PinLimitText(ctx, limit.Limit, limit.EntityType)
		case errors.Is(err, inbox.ErrNotInTimeline):
			msg = views.T(ctx, "pin.none")
		case err != nil:
			s.fail(w, r, err)
			return
		}
		if msg != "" {
			retarget(w, "#pin-note-"+strconv.FormatInt(id, 10), "innerHTML")
			s.render(w, r, http.StatusUnprocessableEntity, views.PinRefusal(msg))
			return
		}
		s.render(w, r, http.StatusOK, views.MessageItem(view.Message, view.ChannelName, view.Failure, false))
	}
}
