package handlers

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"switchboard/bitrix"
	"switchboard/inbox"
	"switchboard/views"
)

// bitrixPlacement opens the app from Bitrix24: every placement POST and the
// app's main page. The POST is checked with the portal before a session
// starts; the page carries a signed token for browsers that refuse our
// cookie inside the portal's iframe.
func (s *Server) bitrixPlacement(w http.ResponseWriter, r *http.Request) {
	pl, r, ok := s.placementPost(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v, err := s.inbox.SignIn(ctx, pl)
	if errors.Is(err, inbox.ErrForged) {
		s.log.Warn("placement refused", "member_id", pl.MemberID, "domain", pl.Domain, "placement", pl.Placement, "err", err)
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
	s.allowFraming(w, v.PortalURL)
	token := s.signToken(v, pl.Lang, time.Now().Add(tokenTTL))
	ctx = withViewer(ctx, viewer{Viewer: v, Lang: views.Lang(pl.Lang), Token: token})
	r = r.WithContext(ctx)
	if !strings.HasPrefix(pl.Placement, "CRM_") {
		s.appPage(w, r, pl.Options.Int("client"))
		return
	}
	s.cardPage(w, r, pl)
}

// appPage is the shared chat, opened on a client's dialog when the link
// Bitrix24 followed names one (a notification's "Open the dialog").
func (s *Server) appPage(w http.ResponseWriter, r *http.Request, clientID int64) {
	var open int64
	if clientID > 0 {
		id, err := s.inbox.ClientDialog(r.Context(), viewerOf(r.Context()).Viewer, clientID)
		if err != nil && !errors.Is(err, inbox.ErrNotFound) {
			s.fail(w, r, err)
			return
		}
		open = id // not theirs to see (or gone): the chat opens as usual
	}
	data, err := s.inboxData(r, open)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data.Page.BX24 = s.cfg.BX24ScriptURL
	s.render(w, r, http.StatusOK, views.InboxPage(data))
}

// cardPage is the per-card chat: the dialogs of the clients on that lead,
// contact or deal.
func (s *Server) cardPage(w http.ResponseWriter, r *http.Request, pl *bitrix.Placement) {
	ctx := r.Context()
	v := viewerOf(ctx)
	card, err := s.inbox.OpenCard(ctx, v.Viewer, pl)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dialogs, err := s.inbox.CardDialogs(ctx, v.Viewer, card)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := views.CardData{
		Page:    s.page(card.Title, v),
		UserID:  v.UserID,
		Title:   card.Title,
		Dialogs: dialogs,
	}
	if data.SoundOn, err = s.inbox.SoundOn(ctx, v.Viewer); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(dialogs) > 0 {
		open, err := s.dialogData(r, dialogs[0].ID, data.Page.Tab)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data.Open = &open
	} else {
		chans, err := s.inbox.Channels(ctx, v.Viewer)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data.Write = &views.WriteData{Phones: card.Phones, Instagram: card.Instagram, Channels: chans}
	}
	s.render(w, r, http.StatusOK, views.CardPage(data))
}

// allowFraming lets the portal (and only it) frame our pages, and them load
// Bitrix24's SDK.
func (s *Server) allowFraming(w http.ResponseWriter, portalBaseURL string) {
	setPagePolicy(w, []string{origin(portalBaseURL)}, scriptOrigin(s.cfg.BX24ScriptURL))
}

// scriptOrigin is the origin of a script URL, none for none.
func scriptOrigin(u string) string {
	if u == "" {
		return ""
	}
	return origin(u)
}

// origin is the scheme://host[:port] of a URL.
func origin(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "'none'"
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}
