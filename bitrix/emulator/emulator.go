// Package emulator is a Bitrix24 portal and its OAuth server, in-process,
// over real HTTP. It answers the REST methods Switchboard uses with the
// shapes, statuses and quirks of the real service (see
// shared/bitrix24/rest-reference.md), enforces the leaky-bucket limit,
// rotates refresh tokens, delivers events and placement POSTs the way the
// portal does, and serves a small portal page (menu, CRM cards, timeline,
// messenger) for people and browser tests. It speaks to the app only
// through the wire protocol and imports no other Switchboard package.
package emulator

import (
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Config describes the portal and the one app installed on it.
type Config struct {
	Domain       string // host[:port] the portal is served at, e.g. "localhost:8081"
	Scheme       string // "http" (default) or "https"
	MemberID     string // portal id; generated when empty
	ClientID     string // our app's client_id; default "local.switchboard"
	ClientSecret string // our app's client_secret; default "secret"
	AppCode      string // app.info CODE; default ClientID
	AppHandlers  AppHandlerURLs
	// OAuthBase is where /oauth/token/ is served, default Scheme://Domain;
	// its /rest/ is the SERVER_ENDPOINT.
	OAuthBase string

	Rate       float64       // leaky bucket drain per second; default 2 (Enterprise 5)
	Burst      int           // leaky bucket size; default 50 (Enterprise 250)
	AccessTTL  time.Duration // access token lifetime; default 1h
	RefreshTTL time.Duration // refresh token lifetime; default 180 days
	// OperatingLimit enables the per-method operating time limit (429
	// OPERATION_TIME_LIMIT) over a 10-minute window; 0 disables it.
	OperatingLimit time.Duration
	Clock          func() time.Time // default time.Now
	Seed           uint64           // seeds tokens, ids and fault randomness

	Scopes []string // granted scopes; default every scope the emulator knows

	// Conflicting points of the reference (§6), configurable:
	InsufficientScopeStatus int  // 401 (source, default) or 403 (docs)
	MethodNotFoundStatus    int  // 404 (source, default) or 400 (JS SDK table)
	PinLimit                int  // pinned timeline items per entity; default 3 (docs now say 7)
	ConnectorRegisterPlain  bool // imconnector.register answers {"result":true} instead of {"result":{"result":true}}
	EventDuplicateStatus    int  // status of a duplicate event.bind; default 400
	PortalDeletedStatus     int  // status of PORTAL_DELETED (Faults.PortalDeleted): 403 (source, default) or 500 (docs)
	// InvalidTokenDescription is the text of invalid_token (not documented);
	// default "The access token provided is invalid".
	InvalidTokenDescription string
	TimelineEmptyFilesMap   bool // empty FILES in crm.timeline.comment.list as {} instead of PHP's []
	// LenientCRMStatuses makes crm.*.add/update replace an unknown
	// CATEGORY_ID or STAGE_ID (and keep an unknown SOURCE_ID/STATUS_ID) as the
	// crm module source does; by default they are refused (docs are silent).
	LenientCRMStatuses bool

	// NoAutoEvents stops the portal from firing ONCRM*ADD/UPDATE on REST
	// changes made by the app itself (the real portal fires them).
	NoAutoEvents bool
	// EventDelay delays events the portal fires by itself (the real queue
	// server delivers late); 0 sends at once.
	EventDelay time.Duration
	Language   string // default UI language, "en" or "ru"
	Status     string // app status letter: L (default), F, D, T, P

	HTTPClient *http.Client // for event and install deliveries
	Logger     *slog.Logger
}

// AppHandlerURLs are the app's URLs the portal knows from the app card.
type AppHandlerURLs struct {
	Install       string // "Initial installation path": opened with PLACEMENT=DEFAULT
	InstallEvent  string // where ONAPPINSTALL goes (rest-only apps); empty: not sent
	App           string // main app page (DEFAULT placement from the Applications menu)
	OAuthRedirect string // redirect_uri for the authorization code flow
}

// User is a portal employee.
type User struct {
	ID       int
	Name     string
	LastName string
	Email    string
	Photo    string // URL
	Position string
	Gender   string // M or F
	Admin    bool
	Inactive bool
	// TimeZone is the user's own time zone (an IANA name), as the profile
	// settings set it; "" follows the portal's default, as in Bitrix24.
	TimeZone string
	// OwnCRMOnly gives the user a CRM role that reaches only items
	// assigned to them (others: "Access denied.", left out of lists).
	OwnCRMOnly bool
	// Departments are the user's UF_DEPARTMENT; nil means [1], the
	// company's top department.
	Departments []int
	bot         bool // a chat bot's user
	external    bool // an open line client
}

// Portal is one emulated Bitrix24 portal with its OAuth server.
type Portal struct {
	cfg     Config
	log     *slog.Logger
	client  *http.Client
	methods map[string]method

	mu      sync.Mutex
	rng     *rand.Rand
	users   map[int]*User
	userIDs []int
	nextID  map[string]int // id sequences by kind

	tokens        map[string]*accessToken
	refresh       map[string]*refreshToken
	codes         map[string]*authCode
	webhooks      map[string]int // secret -> user id
	appToken      string
	installed     bool
	uninstalled   bool           // the app was deleted: the OAuth server refuses the client
	appSIDs       map[string]int // APP_SID -> user id, for installFinish
	movedTo       string         // after RenameDomain: REST answers 302 to here
	notifications []Notification
	appAccess     map[int]bool // users allowed to use the app; empty: all

	bucket    leakyBucket
	stats     recorder
	faults    Faults
	faultAt   time.Time
	operating map[string]*operatingWindow

	placements []*placement
	events     []*eventBinding
	deliveries []Delivery

	contacts     *entityStore
	leads        *entityStore
	deals        *entityStore
	dealContacts map[int][]int
	timeline     map[int]*timelineComment
	statuses     []*crmStatus
	categories   []*dealCategory

	departments []Department // nil: the one top department, headed by the installing admin

	chats      map[int]*chat
	messages   map[int]*message
	bots       map[int]*bot
	commands   map[int]*botCommand
	connectors map[string]*connector
	lines      map[int]*openLine
	olSessions map[string]*olSession
}

// New creates a portal from cfg, filling defaults.
func New(cfg Config) *Portal {
	if cfg.Domain == "" {
		cfg.Domain = "localhost:8081"
	}
	if cfg.Scheme == "" {
		cfg.Scheme = "http"
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "local.switchboard"
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = "secret"
	}
	if cfg.AppCode == "" {
		cfg.AppCode = cfg.ClientID
	}
	if cfg.OAuthBase == "" {
		cfg.OAuthBase = cfg.Scheme + "://" + cfg.Domain
	}
	cfg.OAuthBase = strings.TrimRight(cfg.OAuthBase, "/")
	if cfg.Rate <= 0 {
		cfg.Rate = 2
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 50
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = time.Hour
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 180 * 24 * time.Hour
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = append([]string(nil), allScopes...)
	}
	if cfg.InsufficientScopeStatus == 0 {
		cfg.InsufficientScopeStatus = http.StatusUnauthorized
	}
	if cfg.MethodNotFoundStatus == 0 {
		cfg.MethodNotFoundStatus = http.StatusNotFound
	}
	if cfg.EventDuplicateStatus == 0 {
		cfg.EventDuplicateStatus = http.StatusBadRequest
	}
	if cfg.PortalDeletedStatus == 0 {
		cfg.PortalDeletedStatus = http.StatusForbidden
	}
	if cfg.InvalidTokenDescription == "" {
		cfg.InvalidTokenDescription = "The access token provided is invalid"
	}
	if cfg.PinLimit <= 0 {
		cfg.PinLimit = 3
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Status == "" {
		cfg.Status = "L"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Portal{
		cfg:          cfg,
		log:          cfg.Logger.With("component", "bitrix-emulator", "domain", cfg.Domain),
		client:       cfg.HTTPClient,
		rng:          rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		users:        map[int]*User{},
		nextID:       map[string]int{},
		tokens:       map[string]*accessToken{},
		refresh:      map[string]*refreshToken{},
		codes:        map[string]*authCode{},
		webhooks:     map[string]int{},
		appSIDs:      map[string]int{},
		operating:    map[string]*operatingWindow{},
		contacts:     newEntityStore("CONTACT"),
		leads:        newEntityStore("LEAD"),
		deals:        newEntityStore("DEAL"),
		dealContacts: map[int][]int{},
		timeline:     map[int]*timelineComment{},
		chats:        map[int]*chat{},
		messages:     map[int]*message{},
		bots:         map[int]*bot{},
		commands:     map[int]*botCommand{},
		connectors:   map[string]*connector{},
		lines:        map[int]*openLine{},
		olSessions:   map[string]*olSession{},
	}
	if p.cfg.MemberID == "" {
		p.cfg.MemberID = p.randomHex(16)
	}
	p.appToken = p.randomHex(16)
	p.bucket = leakyBucket{rate: cfg.Rate, burst: float64(cfg.Burst)}
	p.stats = newRecorder()
	p.seedDirectories()
	p.lines[1] = &openLine{ID: 1, Name: "Open line", Active: true, CRMCreate: "lead"}
	p.nextID["line"] = 1
	p.methods = p.methodTable()
	return p
}

// Config returns the effective configuration (defaults filled).
func (p *Portal) Config() Config { return p.cfg }

// BaseURL is Scheme://Domain.
func (p *Portal) BaseURL() string { return p.cfg.Scheme + "://" + p.cfg.Domain }

// ClientEndpoint is the portal's REST root, as sent in client_endpoint.
func (p *Portal) ClientEndpoint() string { return p.BaseURL() + "/rest/" }

// ServerEndpoint is the OAuth server's REST root, as sent in SERVER_ENDPOINT.
func (p *Portal) ServerEndpoint() string { return p.cfg.OAuthBase + "/rest/" }

// MemberID is the portal id.
func (p *Portal) MemberID() string { return p.cfg.MemberID }

// ApplicationToken is the app's application_token on this portal.
func (p *Portal) ApplicationToken() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.appToken
}

func (p *Portal) now() time.Time { return p.cfg.Clock() }

// seq returns the next id of a kind; callers hold p.mu.
func (p *Portal) seq(kind string) int {
	p.nextID[kind]++
	return p.nextID[kind]
}

const hexDigits = "0123456789abcdef"

// randomHex returns n random bytes as hex; callers hold p.mu or are in New.
func (p *Portal) randomHex(n int) string {
	b := make([]byte, 2*n)
	for i := range b {
		b[i] = hexDigits[p.rng.IntN(16)]
	}
	return string(b)
}

// AddUser adds (or replaces) an employee. The first admin added is the one
// that installs the app.
func (p *Portal) AddUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.addUserLocked(&u)
}

func (p *Portal) addUserLocked(u *User) {
	if u.ID == 0 {
		u.ID = p.seq("user")
	}
	if u.ID > p.nextID["user"] {
		p.nextID["user"] = u.ID
	}
	if _, ok := p.users[u.ID]; !ok {
		p.userIDs = append(p.userIDs, u.ID)
	}
	p.users[u.ID] = u
}

// Users lists the employees (bots excluded) in the order they were added.
func (p *Portal) Users() []User {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []User
	for _, id := range p.userIDs {
		if u := p.users[id]; !u.bot && !u.external {
			out = append(out, *u)
		}
	}
	return out
}

// adminLocked is the installing admin: the first admin user.
func (p *Portal) adminLocked() *User {
	for _, id := range p.userIDs {
		if u := p.users[id]; u.Admin && !u.bot && !u.external && !u.Inactive {
			return u
		}
	}
	return nil
}

// Installed reports whether the app finished installation.
func (p *Portal) Installed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.installed
}
