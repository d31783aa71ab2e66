package handlers

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"switchboard/inbox"
	"switchboard/views"
)

// settingsPage renders the administrators' settings page; anyone else gets
// "only administrators" (403).
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) {
	s.renderSettings(w, r, http.StatusOK, false, "", nil)
}

// renderSettings reads the page again and renders it whole, or only its
// body for htmx, with a "Saved" or an error note; keep puts back what a
// refused form held.
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, saved bool, note string, keep func(*views.SettingsData)) {
	ctx := r.Context()
	v := viewerOf(ctx)
	page, err := s.inbox.Configure(ctx, v.Viewer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := s.settingsData(page)
	data.Page = views.Page{Title: views.T(ctx, "settings.title"), Token: v.Token}
	data.Saved, data.Error = saved, note
	if keep != nil {
		keep(&data)
	}
	if isHTMX(r) {
		s.render(w, r, status, views.SettingsBody(data))
		return
	}
	s.render(w, r, status, views.SettingsPage(data))
}

// settingsData turns the page's model into what the view shows.
func (s *Server) settingsData(p inbox.SettingsPage) views.SettingsData {
	st := p.Settings
	d := views.SettingsData{
		Values: views.SettingsValues{
			Visibility: st.Visibility, SeeAll: ids(p.SeeAll), Create: st.CRM.Create,
			DealCategory: strconv.FormatInt(st.CRM.DealCategory, 10), DealStage: st.CRM.DealStage,
			SourceLabel: st.CRM.SourceLabel, Timeline: st.CRM.Timeline, TimelineOn: st.CRM.TimelineOn,
			Distribute: st.CRM.Distribute, DistributeTo: ids(st.CRM.DistributeTo),
			NotifyDelay: strconv.Itoa(st.Notify.DelayMinutes), NotifyEscalate: st.Notify.Escalate,
			NotifyEscalateAfter: strconv.Itoa(cmp.Or(st.Notify.EscalateAfterMinutes, 30)), // a start for who turns it on
		},
		NotifyOwner: strconv.FormatInt(p.NotifyOwner, 10), NotifyUnread: p.NotifyUnread,
	}
	names := map[string]string{}
	for _, u := range p.Portal.Users {
		o := views.Option{Value: u.ID.String(), Label: strings.TrimSpace(u.Name + " " + u.LastName)}
		d.Users = append(d.Users, o)
		names[o.Value] = o.Label
	}
	for _, c := range p.Portal.Pipelines {
		d.Pipelines = append(d.Pipelines, views.Option{Value: c.ID.String(), Label: c.Name})
		g := views.StageGroup{Pipeline: c.Name}
		for _, st := range p.Portal.Stages[int64(c.ID)] {
			g.Stages = append(g.Stages, views.Option{Value: st.StatusID, Label: st.Name})
		}
		d.Stages = append(d.Stages, g)
	}
	for _, src := range p.Portal.Sources {
		d.Sources = append(d.Sources, views.Option{Value: src.StatusID, Label: src.Name})
	}
	for _, c := range p.Channels {
		d.Channels = append(d.Channels, views.ChannelDataOf(c, s.webhookURL(c.Transport, c.ID)))
	}
	for _, id := range ids(p.NotifyMembers) {
		d.NotifyMembers = append(d.NotifyMembers, views.Option{Value: id, Label: cmp.Or(names[id], "#"+id)})
	}
	return d
}

// webhookURL is where Meta posts a channel's webhooks.
func (s *Server) webhookURL(transport string, id int64) string {
	return strings.TrimRight(s.inbox.PublicURL, "/") + "/hooks/" + transport + "/" + strconv.FormatInt(id, 10)
}

func ids(l []int64) []string {
	out := make([]string, 0, len(l))
	for _, id := range l {
		out = append(out, strconv.FormatInt(id, 10))
	}
	return out
}

// settingsSave stores settings 2–8 from the form; a refusal re-renders the
// page with what was refused (422), the form as it was posted, and stores
// nothing.
func (s *Server) settingsSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, inbox.ErrNotFound)
		return
	}
	f := inbox.SettingsForm{
		Visibility: r.PostForm.Get("visibility"), SeeAll: formIDs(r.PostForm["see_all"]),
		Create: r.PostForm.Get("create"), DealStage: r.PostForm.Get("deal_stage"),
		SourceLabel: r.PostForm.Get("source_label") != "", Timeline: r.PostForm.Get("timeline") != "",
		TimelineOn: slices.DeleteFunc(slices.Clone(r.PostForm["timeline_on"]), func(v string) bool { return v == "" }),
		Distribute: r.PostForm.Get("distribute"), DistributeTo: formIDs(r.PostForm["distribute_to"]),
	}
	f.DealCategory, _ = strconv.ParseInt(r.PostForm.Get("deal_category"), 10, 64)
	if r.PostForm.Has("notify_delay") {
		f.Notify = &inbox.Notify{DelayMinutes: formInt(r.PostForm.Get("notify_delay")), Escalate: r.PostForm.Get("notify_escalate"),
			EscalateAfterMinutes: formInt(r.PostForm.Get("notify_escalate_after"))}
	}
	posted := views.SettingsValues{Visibility: f.Visibility, SeeAll: ids(f.SeeAll), Create: f.Create,
		DealCategory: r.PostForm.Get("deal_category"), DealStage: f.DealStage, SourceLabel: f.SourceLabel,
		Timeline: f.Timeline, TimelineOn: f.TimelineOn, Distribute: f.Distribute, DistributeTo: ids(f.DistributeTo),
		NotifyDelay: r.PostForm.Get("notify_delay"), NotifyEscalate: r.PostForm.Get("notify_escalate"),
		NotifyEscalateAfter: r.PostForm.Get("notify_escalate_after")}
	err := s.inbox.SaveSettings(r.Context(), viewerOf(r.Context()).Viewer, f)
	s.settingsDone(w, r, err, func(d *views.SettingsData) { d.Values = posted })
}

// settingsDone answers a settings POST: the page with "Saved", with what
// was refused (422, the form put back by keep), or the failure.
func (s *Server) settingsDone(w http.ResponseWriter, r *http.Request, err error, keep func(*views.SettingsData)) {
	var bad *inbox.InvalidError
	switch {
	case errors.As(err, &bad):
		s.renderSettings(w, r, http.StatusUnprocessableEntity, false, views.Invalid(viewerOf(r.Context()).Lang, bad.Field, bad.Code), keep)
	case err != nil:
		s.fail(w, r, err)
	default:
		s.renderSettings(w, r, http.StatusOK, true, "", nil)
	}
}

// formInt reads a number field; what is not a number is -1, which every
// bound refuses.
func formInt(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return -1
	}
	return n
}

// formIDs reads user ids; what is not a positive number is dropped, and
// the rules refuse ids the portal does not have.
func formIDs(vals []string) []int64 {
	out := []int64{}
	for _, v := range vals {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}
