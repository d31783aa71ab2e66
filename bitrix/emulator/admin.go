package emulator

import (
	"encoding/json"
	"net/http"
)

// serveAdminInstall plays Install from outside the process (curl, scripts).
func (p *Portal) serveAdminInstall(w http.ResponseWriter, r *http.Request) {
	if err := p.Install(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSONResponse(w, http.StatusOK, map[string]bool{"installed": true})
}

type adminEvent struct {
	Event  string         `json:"event"`
	Data   map[string]any `json:"data"`
	UserID *int           `json:"user_id"` // absent: the admin; 0: a robot (no tokens)
}

// serveAdminEvent sends an event: {"event":"ONCRMLEADUPDATE","data":{"FIELDS":{"ID":"7"}},"user_id":2}.
func (p *Portal) serveAdminEvent(w http.ResponseWriter, r *http.Request) {
	var in adminEvent
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Event == "" {
		http.Error(w, "emulator: want {\"event\":…,\"data\":{…}}", http.StatusBadRequest)
		return
	}
	var err error
	if in.UserID == nil {
		err = p.SendEvent(r.Context(), in.Event, in.Data)
	} else {
		err = p.SendEventAs(r.Context(), in.Event, in.Data, *in.UserID)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSONResponse(w, http.StatusOK, map[string]bool{"sent": true})
}

type deliveryJSON struct {
	Event   string `json:"event"`
	URL     string `json:"url"`
	Body    string `json:"body"`
	Status  int    `json:"status"`
	Error   string `json:"error,omitempty"`
	Handler int    `json:"event_handler_id"`
}

// serveDeliveries lists the posts made to the app.
func (p *Portal) serveDeliveries(w http.ResponseWriter, _ *http.Request) {
	out := []deliveryJSON{}
	for _, d := range p.Deliveries() {
		dj := deliveryJSON{Event: d.Event, URL: d.URL, Body: d.Body, Status: d.Status, Handler: d.Handler}
		if d.Err != nil {
			dj.Error = d.Err.Error()
		}
		out = append(out, dj)
	}
	writeJSONResponse(w, http.StatusOK, out)
}
