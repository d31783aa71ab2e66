package graphemu

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Faults are failures injected into the Graph API, set with SetFaults or
// POST /admin/faults (JSON of this struct).
type Faults struct {
	// FailNext makes the next FailNext sends (WhatsApp or Instagram) fail.
	FailNext int `json:"fail_next"`
	// Code is the Graph error code of those failures (e.g. 131047, 131026,
	// 130429, 131056, 1, 2); 131026 by default.
	Code int `json:"code"`
	// HTTPStatus is their HTTP status; 400 by default (500 for codes 1 and 2).
	HTTPStatus int `json:"http_status"`
	// Message overrides the error title.
	Message string `json:"message,omitempty"`
	// Async accepts those sends (200 with a wamid) and fails them later with
	// a "failed" status webhook carrying Code, as Meta does for 131026/131047.
	Async bool `json:"async"`
	// Latency delays every Graph API response.
	Latency time.Duration `json:"latency"`
	// ServerErrorRate (0..1) answers that share of sends with 500 code 2.
	ServerErrorRate float64 `json:"server_error_rate"`
	// ReorderStatuses holds "sent" statuses back so that they arrive after
	// "delivered" and "read": Meta does not promise webhook order.
	ReorderStatuses bool `json:"reorder_statuses"`
	// DuplicateWebhooks delivers every webhook twice, as Meta's
	// at-least-once delivery sometimes does.
	DuplicateWebhooks bool `json:"duplicate_webhooks"`
}

// sendFault is one failure taken from Faults.
type sendFault struct {
	Code, HTTPStatus int
	Message          string
	Async            bool
}

// SetFaults replaces the injected faults.
func (e *Emulator) SetFaults(f Faults) {
	e.mu.Lock()
	e.faults = f
	e.mu.Unlock()
	e.log.Info("graphemu: faults set", "fail_next", f.FailNext, "code", f.Code, "latency", f.Latency, "server_error_rate", f.ServerErrorRate)
}

// currentFaults returns the injected faults.
func (e *Emulator) currentFaults() Faults {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.faults
}

// takeSendFault consumes one forced failure, or rolls the 5xx dice.
func (e *Emulator) takeSendFault() (sendFault, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f := &e.faults
	if f.FailNext > 0 {
		f.FailNext--
		sf := sendFault{Code: f.Code, HTTPStatus: f.HTTPStatus, Message: f.Message, Async: f.Async}
		if sf.Code == 0 {
			sf.Code = 131026
		}
		if sf.HTTPStatus == 0 {
			sf.HTTPStatus = http.StatusBadRequest
			if sf.Code == 1 || sf.Code == 2 {
				sf.HTTPStatus = http.StatusInternalServerError
			}
		}
		return sf, true
	}
	if f.ServerErrorRate > 0 && rand.Float64() < f.ServerErrorRate {
		return sendFault{Code: 2, HTTPStatus: http.StatusInternalServerError}, true
	}
	return sendFault{}, false
}

// knownErrors are titles and details of the Graph codes the faults use.
var knownErrors = map[int][2]string{
	1:      {"An unknown error occurred", "An unknown error occurred."},
	2:      {"Service temporarily unavailable", "An unexpected error has occurred. Please retry your request later."},
	4:      {"Application request limit reached", "Too many API calls from this app."},
	10:     {"Permission denied", "The app does not have permission for this action."},
	131026: {"Message Undeliverable", "Unable to deliver message. The recipient may not have WhatsApp or may not have accepted the latest Terms of Service."},
	131047: {"Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
	131048: {"Spam rate limit hit", "Message failed to send because there are restrictions on how many messages can be sent from this phone number."},
	131056: {"(Business Account, Consumer Account) pair rate limit hit", "Too many messages sent from this phone number to the same phone number in a short period of time."},
	130429: {"Rate limit hit", "Cloud API message throughput has been reached."},
	131053: {"Media upload error", "Unable to upload the media used in the message."},
	131014: {"Request for url failed", "Meta could not download the media from the link given."},
}

func (f sendFault) title() string {
	if f.Message != "" {
		return f.Message
	}
	if k, ok := knownErrors[f.Code]; ok {
		return k[0]
	}
	return "Injected failure"
}

func (f sendFault) details() string {
	if k, ok := knownErrors[f.Code]; ok {
		return k[1]
	}
	return fmt.Sprintf("Failure #%d injected by the emulator.", f.Code)
}

// graphError is the synchronous form of the fault.
func (f sendFault) graphError() graphError {
	ge := waError(f.Code, f.title(), f.details())
	if f.Code == 1 || f.Code == 2 || f.Code == 130429 || f.Code == 131056 || f.Code == 4 {
		transient := true
		ge.IsTransient = &transient
	}
	return ge
}

// rateWindow counts sends of one number in the current second.
type rateWindow struct {
	second int64
	count  int
}

// allowSend applies the per-number throughput limit.
func (e *Emulator) allowSend(n Number) bool {
	limit := e.cfg.MessagesPerSecond
	if n.Coexistence && limit > 20 {
		limit = 20
	}
	return e.allowRate(n.PhoneNumberID, limit)
}

// allowRate counts one call against a per-second limit of key.
func (e *Emulator) allowRate(key string, limit int) bool {
	sec := e.now().Unix()
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.rates[key]
	if !ok {
		w = &rateWindow{}
		e.rates[key] = w
	}
	if w.second != sec {
		w.second, w.count = sec, 0
	}
	if w.count >= limit {
		return false
	}
	w.count++
	return true
}

// Instagram Send API limits per professional account (transports.md 2.6).
const (
	igSendsPerSecond      = 300
	igMediaSendsPerSecond = 10 // audio and video attachments
)

// allowIGSend applies Instagram's per-account call limits.
func (e *Emulator) allowIGSend(account, typ string) bool {
	if !e.allowRate("ig:"+account, igSendsPerSecond) {
		return false
	}
	if typ == "audio" || typ == "video" {
		return e.allowRate("ig-media:"+account, igMediaSendsPerSecond)
	}
	return true
}

// handleGetFaults serves GET /admin/faults.
func (e *Emulator) handleGetFaults(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, e.currentFaults())
}

// handleSetFaults serves POST /admin/faults with a Faults JSON body; besides
// "latency" in nanoseconds it takes "latency_ms".
func (e *Emulator) handleSetFaults(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Faults
		LatencyMS int `json:"latency_ms"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "graphemu: bad faults JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	if in.LatencyMS > 0 {
		in.Latency = time.Duration(in.LatencyMS) * time.Millisecond
	}
	e.SetFaults(in.Faults)
	writeJSON(w, http.StatusOK, in.Faults)
}

// handleDeliveries serves GET /admin/deliveries.
func (e *Emulator) handleDeliveries(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, e.Deliveries())
}

// handleReplay serves POST /admin/replay?n=N.
func (e *Emulator) handleReplay(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 1 {
		n = 1
	}
	if err := e.Replay(n); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"replayed": n})
}
