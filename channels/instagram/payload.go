package instagram

import "switchboard/channels/internal/meta"

// The webhook body as Meta sends it; only the fields we map are declared.

type entry struct {
	ID        string          `json:"id"` // the Instagram professional account the events belong to
	Time      meta.UnixMillis `json:"time"`
	Messaging []event         `json:"messaging"`
}

// event is one messaging[] item: a message, or one of the other event kinds,
// each under its own key.
type event struct {
	Sender      party           `json:"sender"`
	Recipient   party           `json:"recipient"`
	Timestamp   meta.UnixMillis `json:"timestamp"`
	Message     *message        `json:"message"`
	Reaction    *reaction       `json:"reaction"`
	Read        *midOnly        `json:"read"`
	MessageEdit *edit           `json:"message_edit"`
	Postback    *postback       `json:"postback"`
}

type party struct {
	ID string `json:"id"`
}

type message struct {
	MID           string       `json:"mid"`
	Text          string       `json:"text"`
	Attachments   []attachment `json:"attachments"`
	ReplyTo       *replyTo     `json:"reply_to"`
	IsEcho        bool         `json:"is_echo"`
	IsDeleted     bool         `json:"is_deleted"`
	IsUnsupported bool         `json:"is_unsupported"`
}

type attachment struct {
	Type    string `json:"type"`
	Payload struct {
		URL   string `json:"url"`
		Title string `json:"title"`
	} `json:"payload"`
}

// replyTo quotes a message ({mid}) or answers a story ({story:{url,id}}).
type replyTo struct {
	MID   string `json:"mid"`
	Story *struct {
		URL string `json:"url"`
		ID  string `json:"id"`
	} `json:"story"`
}

type reaction struct {
	MID      string `json:"mid"`
	Action   string `json:"action"`   // react or unreact
	Reaction string `json:"reaction"` // love, like, haha...
	Emoji    string `json:"emoji"`
}

type midOnly struct {
	MID string `json:"mid"`
}

type edit struct {
	MID     string `json:"mid"`
	Text    string `json:"text"`
	NumEdit int    `json:"num_edit"`
}

type postback struct {
	MID     string `json:"mid"`
	Title   string `json:"title"`
	Payload string `json:"payload"`
}
