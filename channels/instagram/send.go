package instagram

import (
	"context"
	"fmt"
	"net/url"

	"switchboard/channels"
)

// sendRequest is the body of POST /{ig_id}/messages.
type sendRequest struct {
	Recipient     recipient    `json:"recipient"`
	MessagingType string       `json:"messaging_type,omitempty"`
	Tag           string       `json:"tag,omitempty"`
	ReplyTo       *replyTarget `json:"reply_to,omitempty"`
	Message       sendMessage  `json:"message"`
}

type recipient struct {
	ID string `json:"id"`
}

// replyTarget quotes a message. Placed beside "message" as the Messenger
// Platform's send API does; not yet checked against a live Instagram account.
type replyTarget struct {
	MID string `json:"mid"`
}

type sendMessage struct {
	Text       string          `json:"text,omitempty"`
	Attachment *sendAttachment `json:"attachment,omitempty"`
}

type sendAttachment struct {
	Type    string `json:"type"` // image, video, audio, file
	Payload struct {
		URL string `json:"url"`
	} `json:"payload"`
}

// sendResponse is the 200 answer.
type sendResponse struct {
	RecipientID string `json:"recipient_id"`
	MessageID   string `json:"message_id"`
}

// attachmentTypes maps our kinds to Instagram's attachment types. Voice
// notes go as audio.
var attachmentTypes = map[channels.Kind]string{
	channels.KindImage:    "image",
	channels.KindVideo:    "video",
	channels.KindAudio:    "audio",
	channels.KindVoice:    "audio",
	channels.KindDocument: "file",
}

// Send posts msg to {APIBase}/{ExternalID}/messages and returns its mid.
// Text goes as text; a file goes by its public link (Instagram fetches it),
// with no caption. With HumanAgent set the message carries the HUMAN_AGENT
// tag. A message over Instagram's limits is refused before any call with a
// *channels.LimitError; a refusal by Meta or a network failure is a wrapped
// *channels.SendError (use errors.As) whose Transient says whether to retry.
func (t *Transport) Send(ctx context.Context, acct channels.Account, msg channels.Outgoing) (string, error) {
	if err := CheckOutgoing(msg, 0); err != nil {
		return "", err
	}
	req := sendRequest{Recipient: recipient{ID: msg.To}}
	if t.HumanAgent {
		req.MessagingType, req.Tag = "MESSAGE_TAG", "HUMAN_AGENT"
	}
	if msg.ReplyTo != "" {
		req.ReplyTo = &replyTarget{MID: msg.ReplyTo}
	}
	if msg.Kind == channels.KindText {
		req.Message.Text = msg.Text
	} else {
		att := &sendAttachment{Type: attachmentTypes[msg.Kind]}
		att.Payload.URL = msg.Media.Link
		req.Message.Attachment = att
	}
	var out sendResponse
	endpoint := acct.APIBase + "/" + url.PathEscape(acct.ExternalID) + "/messages"
	if err := t.graph().PostJSON(ctx, acct.AccessToken, endpoint, req, &out); err != nil {
		return "", fmt.Errorf("instagram: send %s: %w", msg.Kind, err)
	}
	if out.MessageID == "" {
		return "", fmt.Errorf("instagram: send %s: %w", msg.Kind,
			&channels.SendError{HTTPStatus: 200, Message: "answer carries no message id"})
	}
	return out.MessageID, nil
}
