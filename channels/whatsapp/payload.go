package whatsapp

import "switchboard/channels/internal/meta"

// The webhook body as Meta sends it. Only the fields we map are declared;
// json ignores the rest (pricing, conversation, referral...).

type entry struct {
	ID      string   `json:"id"` // WABA id
	Changes []change `json:"changes"`
}

type change struct {
	Field string      `json:"field"`
	Value changeValue `json:"value"`
}

type changeValue struct {
	Metadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts      []contact      `json:"contacts"`
	Messages      []message      `json:"messages"`
	MessageEchoes []message      `json:"message_echoes"`
	Statuses      []status       `json:"statuses"`
	History       []historyChunk `json:"history"`
}

type contact struct {
	WaID    string `json:"wa_id"`
	UserID  string `json:"user_id"`
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
}

type message struct {
	From       string           `json:"from"`
	FromUserID string           `json:"from_user_id"` // BSUID, when the sender hides the number
	To         string           `json:"to"`           // echoes and history echoes only
	ID         string           `json:"id"`
	Timestamp  meta.UnixSeconds `json:"timestamp"`
	Type       string           `json:"type"`
	Context    *struct {
		ID                  string `json:"id"`
		Forwarded           bool   `json:"forwarded"`
		FrequentlyForwarded bool   `json:"frequently_forwarded"`
	} `json:"context"`

	Text        *struct{ Body string }          `json:"text"`
	Image       *media                          `json:"image"`
	Video       *media                          `json:"video"`
	Audio       *media                          `json:"audio"`
	Document    *media                          `json:"document"`
	Sticker     *media                          `json:"sticker"`
	Location    *location                       `json:"location"`
	Contacts    []sharedContact                 `json:"contacts"`
	Reaction    *reaction                       `json:"reaction"`
	Interactive *interactive                    `json:"interactive"`
	Button      *struct{ Payload, Text string } `json:"button"`
	System      *struct{ Body string }          `json:"system"`
	Unsupported *struct{ Type string }          `json:"unsupported"`
	Edit        *struct {
		OriginalMessageID string   `json:"original_message_id"`
		Message           *message `json:"message"`
	} `json:"edit"`
	Revoke *struct {
		OriginalMessageID string `json:"original_message_id"`
	} `json:"revoke"`
}

type reaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji"`
}

type media struct {
	ID       string `json:"id"`
	URL      string `json:"url"`
	MIMEType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Filename string `json:"filename"`
	Caption  string `json:"caption"`
	Voice    bool   `json:"voice"`
}

type location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
}

type sharedContact struct {
	Name struct {
		FormattedName string `json:"formatted_name"`
		FirstName     string `json:"first_name"`
		LastName      string `json:"last_name"`
	} `json:"name"`
	Phones []struct{ Phone, Type string } `json:"phones"`
	Emails []struct{ Email, Type string } `json:"emails"`
	Org    struct {
		Company    string `json:"company"`
		Department string `json:"department"`
		Title      string `json:"title"`
	} `json:"org"`
}

type interactive struct {
	Type        string      `json:"type"`
	ButtonReply *replyTitle `json:"button_reply"`
	ListReply   *replyTitle `json:"list_reply"`
}

type replyTitle struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type status struct {
	ID        string           `json:"id"`
	Status    string           `json:"status"`
	Timestamp meta.UnixSeconds `json:"timestamp"`
	Errors    []errorItem      `json:"errors"`
}

// errorItem is the error shape inside webhooks (value, message and status level).
type errorItem struct {
	Code    int    `json:"code"`
	Title   string `json:"title"`
	Message string `json:"message"`
}

// historyChunk is one item of a coexistence history webhook's value.history[].
type historyChunk struct {
	Threads []struct {
		ID       string    `json:"id"` // the WhatsApp user's number
		Messages []message `json:"messages"`
	} `json:"threads"`
	Errors []errorItem `json:"errors"` // e.g. 2593109: the business declined to share
}
