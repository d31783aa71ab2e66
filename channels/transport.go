// Package channels owns the messenger transports: the Transport interface,
// our transport-neutral message model, the WhatsApp Cloud API and Instagram
// Messaging adapters, and an emulator of Meta's Graph API. It imports nothing
// else of Switchboard.
package channels

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Transport names, as stored in channels.transport and used in webhook URLs.
const (
	WhatsApp  = "whatsapp"
	Instagram = "instagram"
)

// Account is one connected messenger account of a company with what is needed
// to talk to its API.
type Account struct {
	Transport   string // WhatsApp or Instagram
	ExternalID  string // WhatsApp phone_number_id, or the Instagram professional account id
	AccessToken string // bearer token for the Graph API
	AppSecret   string // signs webhooks (X-Hub-Signature-256)
	VerifyToken string // answers the GET verification handshake
	APIBase     string // e.g. https://graph.facebook.com/v23.0, no trailing slash
	BusinessID  string // WhatsApp Business Account id: where the templates are
}

// Transport is one messenger API. Everything in which transports differ
// (limits, capabilities, error codes) is behind it, so the rules never name
// a transport.
type Transport interface {
	// Name is WhatsApp or Instagram.
	Name() string
	// Capabilities are what the transport can do and how people call it.
	Capabilities() Capabilities
	// KindForFile picks the kind a file of this MIME type and size (bytes)
	// is sent as.
	KindForFile(mimeType string, size int64) Kind
	// CheckOutgoing reports whether the transport would take msg, whose
	// file (if any) has size bytes (0: unknown, not checked). A broken limit
	// is a *LimitError; a message the transport cannot carry at all is a
	// plain error.
	CheckOutgoing(msg Outgoing, size int64) error
	// Reason maps a provider's error code and subcode (a SendError's, or a
	// failed Status's) to a neutral reason code; ReasonUnknown when the
	// transport has none for it.
	Reason(code, subcode int) Reason
	// Verify answers the GET subscription handshake: the challenge to echo,
	// or ErrBadVerifyToken.
	Verify(acct Account, query map[string][]string) (challenge string, err error)
	// ParseWebhook checks the webhook's signature (for Meta, the
	// X-Hub-Signature-256 header's value) against the raw body
	// (ErrBadSignature) and parses it (ErrMalformed wraps decoding errors).
	ParseWebhook(acct Account, signature string, body []byte) (*Webhook, error)
	// Send delivers one outgoing message and returns the provider message id.
	// A failure is a *SendError.
	Send(ctx context.Context, acct Account, msg Outgoing) (providerID string, err error)
	// FetchMedia downloads an inbound attachment.
	FetchMedia(ctx context.Context, acct Account, ref MediaRef) (io.ReadCloser, MediaInfo, error)
	// UploadMedia uploads a file for a later Send and returns its media id;
	// transports that send by link return ErrUploadUnsupported.
	UploadMedia(ctx context.Context, acct Account, file io.Reader, info MediaInfo) (mediaID string, err error)
	// Templates lists the account's approved message templates that can be
	// filled in with text values; ErrUnsupported without templates.
	Templates(ctx context.Context, acct Account) ([]Template, error)
	// MarkRead tells the client the business read their messages up to
	// the one with providerID (peerID is the client).
	MarkRead(ctx context.Context, acct Account, peerID, providerID string) error
	// Profile reads a client's profile; ErrUnsupported where the webhooks
	// already name the client.
	Profile(ctx context.Context, acct Account, peerID string) (Profile, error)
}

// Capabilities are what a transport can do, as data.
type Capabilities struct {
	// Title is the transport's name as people write it: "WhatsApp".
	Title string
	// TemplateWindow is how long after a client's last message free-form
	// messages still reach them; past it only a template does. 0: the
	// transport has no such rule.
	TemplateWindow time.Duration
	// Profiles: the webhooks do not name the client; their profile is read
	// with Profile, once per new client.
	Profiles bool
}

// Errors a transport returns for bad webhooks.
var (
	ErrBadSignature      = errors.New("channels: bad webhook signature")
	ErrBadVerifyToken    = errors.New("channels: bad verify token")
	ErrMalformed         = errors.New("channels: malformed webhook")
	ErrUploadUnsupported = errors.New("channels: transport sends media by link")
)

// Direction of a message as seen by the business.
type Direction string

const (
	Inbound  Direction = "in"
	Outbound Direction = "out"
)

// Kind of a message's content.
type Kind string

const (
	KindText        Kind = "text"
	KindImage       Kind = "image"
	KindVideo       Kind = "video"
	KindSticker     Kind = "sticker"
	KindDocument    Kind = "document"
	KindAudio       Kind = "audio"
	KindVoice       Kind = "voice"
	KindLocation    Kind = "location"
	KindContact     Kind = "contact"
	KindTemplate    Kind = "template"
	KindStory       Kind = "story"
	KindUnsupported Kind = "unsupported"
)

// Webhook is everything one webhook POST carried.
type Webhook struct {
	Messages  []Message
	Statuses  []Status
	Reactions []Reaction
	Edits     []Edit
	Deletes   []Delete
	// History is set when the body is a coexistence history backfill.
	History bool
}

// Peer is the client on the other side of a dialog.
type Peer struct {
	ID    string // wa_id / IGSID: the dialog key
	Phone string // digits, when known
	Name  string // profile name, when given
}

// Message is one message in our transport-neutral model.
type Message struct {
	AccountID  string // phone_number_id or entry id it arrived for
	ProviderID string // wamid / mid, unique per account
	Direction  Direction
	FromPhone  bool // an echo of what the business typed in its own app
	Peer       Peer
	Kind       Kind
	Text       string // body, caption, or the readable rendering (location, contact, placeholder)
	Media      *MediaRef
	Location   *Location
	ReplyTo    string // provider id of the quoted message
	Forwarded  bool
	// History marks a message backfilled from before the channel was
	// connected (a coexistence number's history), not a live one.
	History bool
	SentAt  time.Time
}

// MediaRef points at an attachment still held by the provider.
type MediaRef struct {
	ID       string // WhatsApp media id
	URL      string // direct URL (Instagram CDN, or WhatsApp media_with_url)
	MIME     string
	SHA256   string
	FileName string
}

// MediaInfo describes a downloaded or uploaded file.
type MediaInfo struct {
	MIME     string
	Size     int64
	FileName string
}

// Location is a shared point.
type Location struct {
	Latitude, Longitude float64
	Name, Address       string
}

// Status is a delivery receipt for an outgoing message.
type Status struct {
	AccountID  string
	ProviderID string
	State      string // sent, delivered, read, played, failed
	At         time.Time
	ErrorCode  int
	ErrorTitle string
}

// Reaction sets (or, with an empty Emoji, removes) a reaction on a message.
type Reaction struct {
	AccountID  string
	ProviderID string // the reaction event's own id, when given
	TargetID   string
	Peer       Peer
	Emoji      string
	At         time.Time
	// Direction is Inbound when the client reacted and Outbound when the
	// business did (an echo from its own app).
	Direction Direction
}

// Edit replaces a message's text.
type Edit struct {
	AccountID string
	TargetID  string
	Text      string
	At        time.Time
}

// Delete marks a message as unsent / revoked.
type Delete struct {
	AccountID string
	TargetID  string
	At        time.Time
}

// Outgoing is a message to send.
type Outgoing struct {
	To      string // Peer.ID
	Kind    Kind   // text, image, video, document, audio, voice, template
	Text    string // body, or caption for media
	Media   *OutMedia
	ReplyTo string
	// Template names the pre-approved template for Kind == KindTemplate.
	Template *OutTemplate
}

// OutTemplate is a pre-approved WhatsApp template and its body parameters.
type OutTemplate struct {
	Name     string
	Language string   // e.g. "en_US", "ru"
	Params   []string // values of {{1}}, {{2}}... in the template body
}

// OutMedia is a file to send: either an uploaded media id or a public link.
type OutMedia struct {
	ID       string
	Link     string
	FileName string
	MIME     string
}

// SendError is a provider's refusal of a send.
type SendError struct {
	HTTPStatus int
	Code       int
	Subcode    int // Graph error_subcode, when given (Instagram uses it, e.g. 2534022)
	Message    string
	Transient  bool // worth retrying later: rate limits, 5xx, timeouts
}

func (e *SendError) Error() string {
	if strings.HasPrefix(e.Message, fmt.Sprintf("(#%d)", e.Code)) { // Graph's messages often start so
		return fmt.Sprintf("channels: send failed: %d %s", e.HTTPStatus, e.Message)
	}
	return fmt.Sprintf("channels: send failed: %d (#%d) %s", e.HTTPStatus, e.Code, e.Message)
}

// Limit kinds a LimitError reports.
const (
	LimitText    = "text"    // text length
	LimitCaption = "caption" // media caption length
	LimitType    = "type"    // file MIME type not accepted for the kind
	LimitSize    = "size"    // file size in bytes
)

// LimitError is an outgoing message a transport would refuse before it is
// sent: text or caption too long, a file type it does not take, or a file
// too large.
type LimitError struct {
	Kind  Kind   // kind of the message checked
	What  string // LimitText, LimitCaption, LimitType or LimitSize
	Limit int64  // allowed maximum, counted in Unit; 0 for LimitType
	Got   int64  // actual length or size, counted in Unit; 0 for LimitType
	Unit  string // UnitChars or UnitBytes
	MIME  string // the file's type, when a file was checked
	// Message is an English sentence for logs; the UI says it in its own
	// words from the fields above.
	Message string
}

// Units a LimitError counts in.
const (
	UnitChars = "characters" // Unicode characters
	UnitBytes = "bytes"
)

func (e *LimitError) Error() string { return "channels: " + e.Message }
