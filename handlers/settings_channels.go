package handlers

import (
	"net/http"
	"strconv"

	"switchboard/inbox"
	"switchboard/views"
)

// channelAdd connects an account from the page's form; the page then shows
// its webhook URL and verify token and waits for the handshake.
func (s *Server) channelAdd(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, inbox.ErrNotFound)
		return
	}
	nc := inbox.NewChannel{
		Transport: r.PostForm.Get("transport"), ExternalID: r.PostForm.Get("external_id"), Name: r.PostForm.Get("name"),
		AccessToken: r.PostForm.Get("access_token"), AppSecret: r.PostForm.Get("app_secret"), Mode: r.PostForm.Get("mode"),
		BusinessID: r.PostForm.Get("business_id"),
	}
	_, err := s.inbox.AddChannel(r.Context(), viewerOf(r.Context()).Viewer, nc)
	// A refusal puts back what was typed, but never the secrets.
	s.settingsDone(w, r, err, func(d *views.SettingsData) {
		d.NewChannel = views.NewChannelValues{Transport: nc.Transport, ExternalID: nc.ExternalID, Name: nc.Name, Mode: nc.Mode,
			BusinessID: nc.BusinessID}
	})
}

// channelEdit renames a channel, sets its mode and CRM source.
func (s *Server) channelEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = r.ParseForm()
	}
	if err != nil {
		s.fail(w, r, inbox.ErrNotFound)
		return
	}
	e := inbox.ChannelEdit{}
	if v, ok := r.PostForm["name"]; ok {
		e.Name = &v[0]
	}
	if v, ok := r.PostForm["mode"]; ok {
		e.Mode = &v[0]
	}
	if v, ok := r.PostForm["source"]; ok {
		e.Source = &v[0]
	}
	err = s.inbox.ChangeChannel(r.Context(), viewerOf(r.Context()).Viewer, id, e)
	s.settingsDone(w, r, err, func(d *views.SettingsData) { // a refused name stays in its field
		for i := range d.Channels {
			if d.Channels[i].ID == id && e.Name != nil {
				d.Channels[i].Name = *e.Name
			}
		}
	})
}

// channelSwitch turns a channel on or off.
func (s *Server) channelSwitch(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r, "id")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.settingsDone(w, r, s.inbox.ChangeChannel(r.Context(), viewerOf(r.Context()).Viewer, id, inbox.ChannelEdit{Enabled: &on}), nil)
	}
}

// channelRemove removes a channel; its dialogs and history stay.
func (s *Server) channelRemove(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.settingsDone(w, r, s.inbox.RemoveChannel(r.Context(), viewerOf(r.Context()).Viewer, id), nil)
}

// channelStatus redraws a channel's webhook set-up, which the page asks for
// until the handshake succeeds.
func (s *Server) channelStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ch, err := s.inbox.ConfiguredChannel(r.Context(), viewerOf(r.Context()).Viewer, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.ChannelStatus(views.ChannelDataOf(ch, s.webhookURL(ch.Transport, ch.ID))))
}

// notifyAdd adds a portal user to the notification chat.
func (s *Server) notifyAdd(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, inbox.ErrNotFound)
		return
	}
	uid, _ := strconv.ParseInt(r.PostForm.Get("user"), 10, 64)
	s.settingsDone(w, r, s.inbox.AddNotifyMember(r.Context(), viewerOf(r.Context()).Viewer, uid), nil)
}

// notifyRemove takes a user out of the notification chat.
func (s *Server) notifyRemove(w http.ResponseWriter, r *http.Request) {
	uid, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, inbox.ErrNotFound)
		return
	}
	s.settingsDone(w, r, s.inbox.RemoveNotifyMember(r.Context(), viewerOf(r.Context()).Viewer, uid), nil)
}
