package emulator

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"time"
)

// leakyBucket is Bitrix24's per-portal request limiter: every request adds
// one, the level drains at rate per second, and a request that would lift
// the level above burst is refused.
type leakyBucket struct {
	rate  float64
	burst float64
	level float64
	last  time.Time
}

func (b *leakyBucket) drain(now time.Time) {
	if !b.last.IsZero() && now.After(b.last) {
		b.level -= now.Sub(b.last).Seconds() * b.rate
		if b.level < 0 {
			b.level = 0
		}
	}
	if now.After(b.last) {
		b.last = now
	}
}

func (b *leakyBucket) take(now time.Time) bool {
	b.drain(now)
	if b.level+1 > b.burst {
		return false
	}
	b.level++
	return true
}

// Stats is what the portal observed of the app's REST traffic.
type Stats struct {
	Requests     int            // REST requests received
	Accepted     int            // requests that passed the limiter
	Rejected     map[string]int // refusals by error code (limiter, auth, OAuth)
	Injected     int            // 503s injected by Faults.ErrorRate / ForceRateLimit
	Methods      map[string]int // accepted requests per method (batch counts once)
	BatchCalls   int            // commands run inside batches
	OAuthGrants  int            // tokens issued by /oauth/token/
	MaxPerSecond int            // most accepted requests in any 1-second window
	PeakLevel    float64        // highest leaky-bucket level reached (≤ Burst)
	// DemandPeak is the highest level an unbounded bucket fed with every
	// request (refused ones too) would reach: above Burst means the client
	// asked for more than the portal allows.
	DemandPeak  float64
	First, Last time.Time // first and last accepted request
}

type recorder struct {
	s      Stats
	times  []time.Time
	demand leakyBucket // unbounded: burst is +Inf
}

func newRecorder() recorder {
	return recorder{s: Stats{Rejected: map[string]int{}, Methods: map[string]int{}}}
}

func (r *recorder) reject(code any) {
	if s, ok := code.(string); ok {
		r.s.Rejected[s]++
		return
	}
	r.s.Rejected[str(code)]++
}

func (r *recorder) oauthGrant() { r.s.OAuthGrants++ }

func (r *recorder) accept(now time.Time, name string, level float64) {
	r.s.Accepted++
	r.s.Methods[name]++
	if r.s.First.IsZero() {
		r.s.First = now
	}
	r.s.Last = now
	r.s.PeakLevel = max(r.s.PeakLevel, level)
	r.times = append(r.times, now)
}

// maxIn is the most accepted requests inside any window of length d.
func (r *recorder) maxIn(d time.Duration) int {
	best, lo := 0, 0
	for hi := range r.times {
		for r.times[hi].Sub(r.times[lo]) >= d {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// Stats returns a snapshot of the traffic statistics.
func (p *Portal) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats.s
	s.Rejected = maps.Clone(s.Rejected)
	s.Methods = maps.Clone(s.Methods)
	s.MaxPerSecond = p.stats.maxIn(time.Second)
	return s
}

// MaxCallsIn is the most accepted REST requests inside any window of
// length d: with the default bucket, no window of n seconds may hold more
// than 50+2n.
func (p *Portal) MaxCallsIn(d time.Duration) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats.maxIn(d)
}

// CallTimes returns the accepted requests' arrival times.
func (p *Portal) CallTimes() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.stats.times)
}

// ResetStats clears the statistics and empties the bucket.
func (p *Portal) ResetStats() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats = newRecorder()
	p.bucket.level = 0
}

// admit runs the limiter and the injected faults for one REST request.
func (p *Portal) admit(name string) *apiError {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	p.stats.s.Requests++
	p.stats.demand.rate = p.bucket.rate
	p.stats.demand.drain(now)
	p.stats.demand.level++
	p.stats.s.DemandPeak = max(p.stats.s.DemandPeak, p.stats.demand.level)
	if p.faults.PortalDeleted {
		e := newErr(p.cfg.PortalDeletedStatus, "PORTAL_DELETED", "Portal was deleted")
		p.stats.reject(e.code)
		return e
	}
	if p.faults.ForceRateLimit || (p.faults.ErrorRate > 0 && p.rng.Float64() < p.faults.ErrorRate) {
		p.stats.s.Injected++
		p.stats.reject(errQueryLimit.code)
		return errQueryLimit
	}
	if !p.bucket.take(now) {
		p.stats.reject(errQueryLimit.code)
		return errQueryLimit
	}
	p.stats.accept(now, name, p.bucket.level)
	return nil
}

// operatingWindow holds one method's execution time samples.
type operatingWindow struct {
	samples []operatingSample
}

type operatingSample struct {
	at  time.Time
	dur time.Duration
}

const operatingSpan = 10 * time.Minute

func (w *operatingWindow) prune(now time.Time) {
	i := 0
	for i < len(w.samples) && now.Sub(w.samples[i].at) >= operatingSpan {
		i++
	}
	w.samples = w.samples[i:]
}

func (w *operatingWindow) total() time.Duration {
	var t time.Duration
	for _, s := range w.samples {
		t += s.dur
	}
	return t
}

// checkOperating refuses a method whose operating time is over the limit; p.mu held.
func (p *Portal) checkOperating(name string, now time.Time) *apiError {
	if p.cfg.OperatingLimit <= 0 {
		return nil
	}
	w := p.operating[name]
	if w == nil {
		return nil
	}
	w.prune(now)
	if w.total() >= p.cfg.OperatingLimit {
		return errOperating
	}
	return nil
}

// recordOperating adds a call's execution time (plus injected latency, so
// tests can reach the limit); p.mu held.
func (p *Portal) recordOperating(name string, started time.Time, latency time.Duration) {
	if p.cfg.OperatingLimit <= 0 || name == "batch" {
		return
	}
	w := p.operating[name]
	if w == nil {
		w = &operatingWindow{}
		p.operating[name] = w
	}
	w.samples = append(w.samples, operatingSample{at: started, dur: p.now().Sub(started) + latency})
}

// operatingState is the time.operating / operating_reset_at pair of a
// method; p.mu held.
func (p *Portal) operatingState(name string, now time.Time) (float64, int64) {
	reset := now.Add(operatingSpan).Unix()
	w := p.operating[name]
	if w == nil {
		return 0, reset
	}
	w.prune(now)
	if len(w.samples) > 0 {
		reset = w.samples[0].at.Add(operatingSpan).Unix()
	}
	return w.total().Seconds(), reset
}

// Faults are injected failures, for testing the app's resilience.
type Faults struct {
	ErrorRate         float64       // share of REST requests answered 503 QUERY_LIMIT_EXCEEDED
	Latency           time.Duration // added before every REST answer
	ExpireTokensEvery time.Duration // every access token older than the last tick expires
	ForceRateLimit    bool          // every REST request answers 503 QUERY_LIMIT_EXCEEDED
	PortalDeleted     bool          // every REST request answers PORTAL_DELETED (Config.PortalDeletedStatus)
	// LoseAnswers names methods (lower case) whose calls are carried out
	// but never answered: the connection drops, as a timeout leaves an
	// outcome unknown.
	LoseAnswers []string
}

// SetFaults replaces the injected faults.
func (p *Portal) SetFaults(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = f
	p.faultAt = p.now()
}

// CurrentFaults returns the injected faults.
func (p *Portal) CurrentFaults() Faults {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faults
}

type faultsJSON struct {
	ErrorRate         float64 `json:"error_rate"`
	Latency           string  `json:"latency"`
	ExpireTokensEvery string  `json:"expire_tokens_every"`
	ForceRateLimit    bool    `json:"force_rate_limit"`
	PortalDeleted     bool    `json:"portal_deleted"`
}

// serveFaults reads (GET) or replaces (POST/PUT JSON) the faults:
// {"error_rate":0.1,"latency":"200ms","expire_tokens_every":"1m","force_rate_limit":false}.
func (p *Portal) serveFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost, http.MethodPut:
		var in faultsJSON
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, "emulator: bad faults JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
		f := Faults{ErrorRate: in.ErrorRate, ForceRateLimit: in.ForceRateLimit, PortalDeleted: in.PortalDeleted}
		var err error
		if in.Latency != "" {
			if f.Latency, err = time.ParseDuration(in.Latency); err != nil {
				http.Error(w, "emulator: bad latency: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		if in.ExpireTokensEvery != "" {
			if f.ExpireTokensEvery, err = time.ParseDuration(in.ExpireTokensEvery); err != nil {
				http.Error(w, "emulator: bad expire_tokens_every: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		p.SetFaults(f)
		p.log.Info("faults set", "error_rate", f.ErrorRate, "latency", f.Latency, "expire_every", f.ExpireTokensEvery, "force_rate_limit", f.ForceRateLimit)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	f := p.CurrentFaults()
	writeJSONResponse(w, http.StatusOK, faultsJSON{
		ErrorRate: f.ErrorRate, Latency: f.Latency.String(),
		ExpireTokensEvery: f.ExpireTokensEvery.String(), ForceRateLimit: f.ForceRateLimit, PortalDeleted: f.PortalDeleted,
	})
}

// serveStats answers the traffic statistics as JSON.
func (p *Portal) serveStats(w http.ResponseWriter, _ *http.Request) {
	writeJSONResponse(w, http.StatusOK, p.Stats())
}
