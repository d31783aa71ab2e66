package handlers

import (
	"net/http"
	"strconv"

	"switchboard/inbox"
	"switchboard/views"
)

// demoSignInPage lists the demo portal's managers to pick from. It exists
// only in demo mode, until Bitrix24 sign-in replaces it.
func (s *Server) demoSignInPage(w http.ResponseWriter, r *http.Request) {
	users, err := s.store.Users(r.Context(), s.cfg.DemoPortalID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.SignInPage(views.Page{Title: views.T(r.Context(), "signin.title")}, users))
}

// demoSignIn signs in as the picked manager.
func (s *Server) demoSignIn(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.FormValue("user"), 10, 64)
	if err != nil {
		s.failWith(w, r, http.StatusBadRequest, views.T(r.Context(), "error.signin"))
		return
	}
	u, err := s.store.User(r.Context(), s.cfg.DemoPortalID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := r.URL.Query().Get("LANG")
	if lang == "" {
		lang = s.sessions.GetString(r.Context(), sessLang)
	}
	if err := s.startSession(r.Context(), inbox.Viewer{PortalID: u.PortalID, UserID: u.ID, IsAdmin: u.IsAdmin}, lang); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signOut ends the session.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
