package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"switchboard/inbox"
	"switchboard/views"
)

// planUsage renders a channel's dialog counter and limit form, the
// fragment the channel's settings embed; administrators only (404 else).
func (s *Server) planUsage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.inbox.Usage(r.Context(), viewerOf(r.Context()).Viewer, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.PlanUsage(views.NewPlanData(u)))
}

// planLimit sets a channel's plan limit from the counter's form and renders
// the counter again: saved, or refused with what was typed kept.
func (s *Server) planLimit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := viewerOf(ctx).Viewer
	typed, period := strings.TrimSpace(r.PostFormValue("limit")), r.PostFormValue("period")
	limit, err := strconv.Atoi(typed)
	if err != nil {
		err = inbox.ErrBadLimit
	} else {
		err = s.inbox.SetLimit(ctx, v, id, period, limit)
	}
	status := http.StatusOK
	switch {
	case errors.Is(err, inbox.ErrBadLimit):
		status = http.StatusUnprocessableEntity
	case err != nil:
		s.fail(w, r, err)
		return
	}
	u, uerr := s.inbox.Usage(ctx, v, id)
	if uerr != nil {
		s.fail(w, r, uerr)
		return
	}
	data := views.NewPlanData(u)
	if err != nil {
		data.Refused, data.Limit, data.Period = true, typed, period
	} else {
		data.Saved = true
	}
	s.render(w, r, status, views.PlanUsage(data))
}
