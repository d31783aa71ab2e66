package graphemu

import (
	"strconv"
	"time"
)

// WhatsApp webhook wire types, shaped like Meta's payloads (see the fixtures
// in shared/channels/fixtures).

type waEnvelope struct {
	Object string    `json:"object"`
	Entry  []waEntry `json:"entry"`
}

type waEntry struct {
	ID      string     `json:"id"`
	Changes []waChange `json:"changes"`
}

type waChange struct {
	Value waValue `json:"value"`
	Field string  `json:"field"`
}

type waValue struct {
	MessagingProduct string           `json:"messaging_product"`
	Metadata         waMetadata       `json:"metadata"`
	Contacts         []waContact      `json:"contacts,omitempty"`
	Messages         []waMessage      `json:"messages,omitempty"`
	Statuses         []waStatus       `json:"statuses,omitempty"`
	MessageEchoes    []waMessage      `json:"message_echoes,omitempty"`
	History          []waHistoryChunk `json:"history,omitempty"`
}

type waMetadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

type waContact struct {
	Profile waProfile `json:"profile"`
	WaID    string    `json:"wa_id"`
}

type waProfile struct {
	Name string `json:"name"`
}

type waMessage struct {
	From           string            `json:"from"`
	To             string            `json:"to,omitempty"`
	ID             string            `json:"id"`
	Timestamp      string            `json:"timestamp"`
	Type           string            `json:"type"`
	Context        *waContext        `json:"context,omitempty"`
	Text           *waText           `json:"text,omitempty"`
	Image          *waMedia          `json:"image,omitempty"`
	Video          *waMedia          `json:"video,omitempty"`
	Audio          *waMedia          `json:"audio,omitempty"`
	Document       *waMedia          `json:"document,omitempty"`
	Sticker        *waMedia          `json:"sticker,omitempty"`
	Location       *waLocation       `json:"location,omitempty"`
	Contacts       []waContactCard   `json:"contacts,omitempty"`
	Reaction       *waReaction       `json:"reaction,omitempty"`
	Edit           *waEdit           `json:"edit,omitempty"`
	Revoke         *waRevoke         `json:"revoke,omitempty"`
	Unsupported    *waUnsupported    `json:"unsupported,omitempty"`
	Errors         []waErrorItem     `json:"errors,omitempty"`
	HistoryContext *waHistoryContext `json:"history_context,omitempty"`
}

type waContext struct {
	Forwarded           bool   `json:"forwarded,omitempty"`
	FrequentlyForwarded bool   `json:"frequently_forwarded,omitempty"`
	From                string `json:"from,omitempty"`
	ID                  string `json:"id,omitempty"`
}

type waUnsupported struct {
	Type string `json:"type"`
}

type waText struct {
	Body string `json:"body"`
}

type waMedia struct {
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
	MIMEType string `json:"mime_type"`
	SHA256   string `json:"sha256,omitempty"`
	ID       string `json:"id,omitempty"`
	Voice    *bool  `json:"voice,omitempty"`
	Animated *bool  `json:"animated,omitempty"`
}

type waLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
}

type waContactCard struct {
	Name   waCardName    `json:"name"`
	Phones []waCardPhone `json:"phones,omitempty"`
}

type waCardName struct {
	FormattedName string `json:"formatted_name"`
	FirstName     string `json:"first_name,omitempty"`
	LastName      string `json:"last_name,omitempty"`
}

type waCardPhone struct {
	Phone string `json:"phone"`
	WaID  string `json:"wa_id,omitempty"`
	Type  string `json:"type,omitempty"`
}

type waReaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji,omitempty"`
}

type waEdit struct {
	OriginalMessageID string           `json:"original_message_id"`
	Message           *waEditedMessage `json:"message"`
}

type waEditedMessage struct {
	Type string  `json:"type"`
	Text *waText `json:"text,omitempty"`
}

type waRevoke struct {
	OriginalMessageID string `json:"original_message_id"`
}

type waHistoryContext struct {
	Status string `json:"status"`
}

type waStatus struct {
	ID                    string          `json:"id"`
	Status                string          `json:"status"`
	Timestamp             string          `json:"timestamp"`
	RecipientID           string          `json:"recipient_id"`
	BizOpaqueCallbackData string          `json:"biz_opaque_callback_data,omitempty"`
	Conversation          *waConversation `json:"conversation,omitempty"`
	Pricing               *waPricing      `json:"pricing,omitempty"`
	Errors                []waErrorItem   `json:"errors,omitempty"`
}

type waConversation struct {
	ID                  string   `json:"id"`
	ExpirationTimestamp string   `json:"expiration_timestamp,omitempty"`
	Origin              waOrigin `json:"origin"`
}

type waOrigin struct {
	Type string `json:"type"`
}

type waPricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model"`
	Category     string `json:"category"`
}

type waErrorItem struct {
	Code      int        `json:"code"`
	Title     string     `json:"title"`
	Message   string     `json:"message,omitempty"`
	ErrorData *errorData `json:"error_data,omitempty"`
	Href      string     `json:"href,omitempty"`
}

type waHistoryChunk struct {
	Metadata *waHistoryMeta `json:"metadata,omitempty"`
	Threads  []waThread     `json:"threads,omitempty"`
	Errors   []waErrorItem  `json:"errors,omitempty"`
}

type waHistoryMeta struct {
	Phase      int `json:"phase"`
	ChunkOrder int `json:"chunk_order"`
	Progress   int `json:"progress"`
}

type waThread struct {
	ID       string      `json:"id"`
	Messages []waMessage `json:"messages"`
}

// unixString is a WhatsApp timestamp: Unix seconds as a string.
func unixString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// waWebhook wraps one value in the whatsapp_business_account envelope of n.
func waWebhook(n Number, field string, v waValue) waEnvelope {
	v.MessagingProduct = "whatsapp"
	v.Metadata = waMetadata{DisplayPhoneNumber: n.DisplayPhone, PhoneNumberID: n.PhoneNumberID}
	return waEnvelope{
		Object: "whatsapp_business_account",
		Entry:  []waEntry{{ID: n.WABAID, Changes: []waChange{{Value: v, Field: field}}}},
	}
}

// sendWA queues a WhatsApp webhook for number n.
func (e *Emulator) sendWA(n Number, field string, v waValue, delay time.Duration) {
	e.enqueue(webhook{
		account: n.PhoneNumberID, field: field, url: n.WebhookURL, secret: n.AppSecret,
		body: metaJSON(waWebhook(n, field, v)), delay: delay,
	})
}

// waErr is a statuses[].errors[] item with Meta's href.
func waErr(code int, title, details string) waErrorItem {
	return waErrorItem{
		Code: code, Title: title, Message: title,
		ErrorData: &errorData{Details: details},
		Href:      "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
	}
}
