package whatsapp

import (
	"context"
	"fmt"
	"net/url"

	"switchboard/channels"
)

// sendRequest is the body of POST /{phone_number_id}/messages.
type sendRequest struct {
	MessagingProduct string        `json:"messaging_product"`
	RecipientType    string        `json:"recipient_type"`
	To               string        `json:"to"`
	Type             string        `json:"type"`
	Context          *sendContext  `json:"context,omitempty"`
	Text             *sendText     `json:"text,omitempty"`
	Image            *sendMedia    `json:"image,omitempty"`
	Video            *sendMedia    `json:"video,omitempty"`
	Audio            *sendMedia    `json:"audio,omitempty"`
	Document         *sendMedia    `json:"document,omitempty"`
	Sticker          *sendMedia    `json:"sticker,omitempty"`
	Template         *sendTemplate `json:"template,omitempty"`
}

type sendContext struct {
	MessageID string `json:"message_id"`
}

type sendText struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url"`
}

// sendMedia names the file by uploaded id or by public link, never both.
type sendMedia struct {
	ID       string `json:"id,omitempty"`
	Link     string `json:"link,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

type sendTemplate struct {
	Name       string              `json:"name"`
	Language   templateLanguage    `json:"language"`
	Components []templateComponent `json:"components,omitempty"`
}

type templateLanguage struct {
	Code string `json:"code"`
}

type templateComponent struct {
	Type       string              `json:"type"`
	Parameters []templateParameter `json:"parameters"`
}

type templateParameter struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// sendResponse is the 200 answer: the message was accepted, not delivered;
// delivery comes later as statuses[] in a webhook.
type sendResponse struct {
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
}

// Send posts msg to {APIBase}/{ExternalID}/messages and returns its wamid.
// A message that breaks WhatsApp's limits (see CheckOutgoing) is refused
// before any call with a *channels.LimitError; a refusal by Meta or a network
// failure is a wrapped *channels.SendError (use errors.As) whose Transient
// says whether to retry.
func (t *Transport) Send(ctx context.Context, acct channels.Account, msg channels.Outgoing) (string, error) {
	if err := CheckOutgoing(msg, 0); err != nil {
		return "", err
	}
	body, err := buildSend(msg)
	if err != nil {
		return "", err
	}
	var out sendResponse
	endpoint := acct.APIBase + "/" + url.PathEscape(acct.ExternalID) + "/messages"
	if err := t.graph().PostJSON(ctx, acct.AccessToken, endpoint, body, &out); err != nil {
		return "", fmt.Errorf("whatsapp: send %s: %w", msg.Kind, err)
	}
	if len(out.Messages) == 0 || out.Messages[0].ID == "" {
		return "", fmt.Errorf("whatsapp: send %s: %w", msg.Kind,
			&channels.SendError{HTTPStatus: 200, Message: "answer carries no message id"})
	}
	return out.Messages[0].ID, nil
}

// buildSend maps an outgoing message to the Cloud API body. Voice notes go
// out as audio: WhatsApp shows an OGG/Opus audio file as a voice note.
func buildSend(msg channels.Outgoing) (*sendRequest, error) {
	req := &sendRequest{
		MessagingProduct: "whatsapp",
		RecipientType:    "individual",
		To:               msg.To,
		Type:             string(msg.Kind),
	}
	if msg.ReplyTo != "" {
		req.Context = &sendContext{MessageID: msg.ReplyTo}
	}
	switch msg.Kind {
	case channels.KindText:
		req.Text = &sendText{Body: msg.Text}
	case channels.KindImage:
		req.Image = outMedia(msg, true, false)
	case channels.KindVideo:
		req.Video = outMedia(msg, true, false)
	case channels.KindDocument:
		req.Document = outMedia(msg, true, true)
	case channels.KindAudio, channels.KindVoice:
		req.Type = "audio"
		req.Audio = outMedia(msg, false, false)
	case channels.KindSticker:
		req.Sticker = outMedia(msg, false, false)
	case channels.KindTemplate:
		req.Template = outTemplate(msg.Template)
	default:
		return nil, fmt.Errorf("whatsapp: send: cannot send a %q message", msg.Kind)
	}
	return req, nil
}

func outMedia(msg channels.Outgoing, caption, filename bool) *sendMedia {
	m := &sendMedia{ID: msg.Media.ID}
	if m.ID == "" {
		m.Link = msg.Media.Link
	}
	if caption {
		m.Caption = msg.Text
	}
	if filename {
		m.Filename = msg.Media.FileName
	}
	return m
}

func outTemplate(tpl *channels.OutTemplate) *sendTemplate {
	out := &sendTemplate{Name: tpl.Name, Language: templateLanguage{Code: tpl.Language}}
	if len(tpl.Params) > 0 {
		body := templateComponent{Type: "body"}
		for _, p := range tpl.Params {
			body.Parameters = append(body.Parameters, templateParameter{Type: "text", Text: p})
		}
		out.Components = []templateComponent{body}
	}
	return out
}
