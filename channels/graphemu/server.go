package graphemu

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// Config configures an Emulator. Zero values get sensible defaults.
type Config struct {
	// Version is the Graph API version the emulator advertises, e.g. "v23.0".
	// Any "vNN.N" is accepted in paths, as on the real Graph API.
	Version string
	// PublicURL is the base URL the emulator is reachable at, without a
	// trailing slash; media download URLs are built on it.
	PublicURL string
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// HTTPClient delivers webhooks and fetches media links.
	HTTPClient *http.Client
	// Logger receives the emulator's logs; slog.Default by default.
	Logger *slog.Logger
	// MessagesPerSecond is the per-number send throughput (80 by default,
	// 20 for coexistence numbers); beyond it sends fail with 130429.
	MessagesPerSecond int
	// RetryDelays are the waits before re-delivering a failed webhook;
	// 1s, 5s, 30s by default. Their count bounds the retries.
	RetryDelays []time.Duration
	// MediaDir holds stored media files; a fresh temporary directory by default.
	MediaDir string
	// MediaURLTTL is how long a media download URL stays valid (5 minutes).
	MediaURLTTL time.Duration
	// HistoryChunkSize is how many messages one history webhook carries (100).
	HistoryChunkSize int
	// PhoneClient and PhoneClientName prefill the phone page's "who are
	// you" (79990001122, "Anna Client" by default).
	PhoneClient, PhoneClientName string
}

// Emulator is a fake Graph API server. Its methods are safe for concurrent use.
type Emulator struct {
	cfg    Config
	ownDir string // a media directory New created, removed by Close
	log    *slog.Logger
	secret []byte // signs media URLs
	seq    atomic.Uint64

	// statusMu orders a message's status changes with the queuing of their
	// webhooks, so "sent" is always queued before "delivered".
	statusMu sync.Mutex

	mu         sync.Mutex
	numbers    map[string]*Number
	igAccounts map[string]*IGAccount
	convs      map[convKey]*conversation
	media      map[string]*mediaObject
	subs       map[convKey]map[*subscriber]struct{}
	faults     Faults
	rates      map[string]*rateWindow
	deliveries []*Delivery // the most recent maxDeliveries
	deliveryN  int
	queues     map[string]chan *Delivery

	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// New returns an Emulator configured by cfg.
func New(cfg Config) *Emulator {
	if cfg.Version == "" {
		cfg.Version = "v23.0"
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://localhost:8082"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MessagesPerSecond <= 0 {
		cfg.MessagesPerSecond = 80
	}
	if cfg.RetryDelays == nil {
		cfg.RetryDelays = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second}
	}
	if cfg.MediaURLTTL <= 0 {
		cfg.MediaURLTTL = 5 * time.Minute
	}
	if cfg.HistoryChunkSize <= 0 {
		cfg.HistoryChunkSize = 100
	}
	log := cfg.Logger.With("component", "graphemu")
	ownDir := ""
	if cfg.MediaDir == "" {
		dir, err := os.MkdirTemp("", "graphemu-media-")
		if err != nil {
			log.Error("graphemu: unable to create media directory", "err", err)
			dir = os.TempDir()
		} else {
			ownDir = dir
		}
		cfg.MediaDir = dir
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	return &Emulator{
		cfg:        cfg,
		ownDir:     ownDir,
		log:        log,
		secret:     secret,
		numbers:    map[string]*Number{},
		igAccounts: map[string]*IGAccount{},
		convs:      map[convKey]*conversation{},
		media:      map[string]*mediaObject{},
		subs:       map[convKey]map[*subscriber]struct{}{},
		rates:      map[string]*rateWindow{},
		queues:     map[string]chan *Delivery{},
		done:       make(chan struct{}),
	}
}

// Close stops webhook delivery, ends open phone-page streams and removes
// the media directory New created.
func (e *Emulator) Close() {
	first := false
	e.closeOnce.Do(func() {
		e.mu.Lock()
		close(e.done)
		e.mu.Unlock()
		first = true
	})
	e.wg.Wait()
	if first && e.ownDir != "" {
		if err := os.RemoveAll(e.ownDir); err != nil {
			e.log.Warn("graphemu: unable to remove media directory", "dir", e.ownDir, "err", err)
		}
	}
}

// Handler serves the Graph API, media downloads, the phone page and its API,
// and the admin endpoints, all on one port.
func (e *Emulator) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.GetHead)

	r.Get("/", e.handlePhonePage)
	r.Route("/phone", func(r chi.Router) {
		r.Get("/api/accounts", e.handlePhoneAccounts)
		r.Get("/api/clients", e.handlePhoneClients)
		r.Get("/api/conversation", e.handlePhoneConversation)
		r.Get("/api/events", e.handlePhoneEvents)
		r.Post("/api/send", e.handlePhoneSend)
		r.Post("/api/read", e.handlePhoneRead)
		r.Post("/api/played", e.handlePhonePlayed)
		r.Post("/api/business/send", e.handleBusinessSend)
		r.Post("/api/business/edit", e.handleBusinessEdit)
		r.Post("/api/business/revoke", e.handleBusinessRevoke)
		r.Get("/media/{mediaID}", e.handlePhoneMedia)
		r.Get("/voice-sample.ogg", e.handleVoiceSample)
	})
	r.Get("/media-download/{mediaID}", e.handleMediaDownload)
	r.Get("/ig-cdn/{mediaID}", e.handleIGCDN)
	r.Route("/admin", func(r chi.Router) {
		r.Get("/faults", e.handleGetFaults)
		r.Post("/faults", e.handleSetFaults)
		r.Get("/deliveries", e.handleDeliveries)
		r.Post("/replay", e.handleReplay)
		r.Post("/history", e.handleHistory)
		r.Post("/verify", e.handleVerify)
	})
	r.Route("/{version}", func(r chi.Router) {
		r.Use(e.graphMiddleware)
		r.Post("/{objectID}/messages", e.handleMessages)
		r.Post("/{objectID}/media", e.handleMediaUpload)
		r.Get("/{objectID}/message_templates", e.handleTemplateList)
		r.Get("/{objectID}", e.handleObjectGet)
		r.Delete("/{objectID}", e.handleMediaDelete)
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeGraphError(w, http.StatusBadRequest, graphError{
			Message: "Unknown path components: " + r.URL.Path,
			Type:    "OAuthException",
			Code:    2500,
		})
	})
	return r
}

// graphMiddleware checks the version segment and applies latency faults.
func (e *Emulator) graphMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !validVersion(chi.URLParam(r, "version")) {
			writeGraphError(w, http.StatusBadRequest, graphError{
				Message: "Unknown path components: " + r.URL.Path,
				Type:    "OAuthException",
				Code:    2500,
			})
			return
		}
		if d := e.currentFaults().Latency; d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			case <-e.done:
			}
		}
		next.ServeHTTP(w, r)
	})
}

// validVersion reports whether s looks like "v23.0".
func validVersion(s string) bool {
	if len(s) < 4 || s[0] != 'v' {
		return false
	}
	major, minor, ok := strings.Cut(s[1:], ".")
	return ok && isDigits(major) && isDigits(minor)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// now is the emulator's clock.
func (e *Emulator) now() time.Time { return e.cfg.Now() }

// background runs fn in a goroutine that Close waits for.
func (e *Emulator) background(fn func(ctx context.Context)) {
	e.mu.Lock()
	defer e.mu.Unlock() // Close cannot start waiting between the check and Add
	select {
	case <-e.done:
		return
	default:
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-e.done:
				cancel()
			case <-ctx.Done():
			}
		}()
		fn(ctx)
	}()
}
