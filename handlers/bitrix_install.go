package handlers

import (
	"errors"
	"net/http"
	"time"

	"switchboard/bitrix"
	"switchboard/inbox"
	"switchboard/views"
)

// placementPost reads a POST Bitrix24 sends to open one of our pages, and
// switches the request to its LANG; a request that is not one is answered.
func (s *Server) placementPost(w http.ResponseWriter, r *http.Request) (*bitrix.Placement, *http.Request, bool) {
	pl, err := bitrix.ParsePlacement(r)
	if err != nil {
		s.log.Warn("refused: not a Bitrix24 placement POST", "path", r.URL.Path, "err", err)
		s.failWith(w, r, http.StatusBadRequest, views.T(r.Context(), "error.not_from_bitrix"))
		return nil, r, false
	}
	return pl, r.WithContext(views.WithLang(r.Context(), pl.Lang)), true
}

// bitrixInstall is the install page Bitrix24 opens with PLACEMENT=DEFAULT:
// it sets the portal up, then finishes the install (BX24.installFinish).
func (s *Server) bitrixInstall(w http.ResponseWriter, r *http.Request) {
	pl, r, ok := s.placementPost(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v, err := s.inbox.Install(ctx, pl)
	if errors.Is(err, inbox.ErrForged) {
		s.log.Warn("install refused", "member_id", pl.MemberID, "domain", pl.Domain, "err", err)
		s.failWith(w, r, http.StatusUnauthorized, views.T(ctx, "error.signin"))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.startSession(ctx, v, pl.Lang); err != nil {
		s.fail(w, r, err)
		return
	}
	// The portal frames the page, which loads Bitrix24's SDK from its origin.
	setPagePolicy(w, []string{origin(pl.BaseURL())}, origin(s.cfg.BX24ScriptURL))
	page := views.Page{Title: views.T(ctx, "install.title"), Token: s.signToken(v, pl.Lang, time.Now().Add(tokenTTL))}
	s.render(w, r, http.StatusOK, views.InstallPage(page, s.cfg.BX24ScriptURL))
}
