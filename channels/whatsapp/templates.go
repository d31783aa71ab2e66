package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"switchboard/channels"
)

// templatePages bounds how many pages of templates one listing reads (100
// templates a page).
const templatePages = 10

// templateList is the answer of GET /{waba-id}/message_templates.
type templateList struct {
	Data []struct {
		Name       string            `json:"name"`
		Language   string            `json:"language"`
		Status     string            `json:"status"`
		Category   string            `json:"category"`
		Components []listedComponent `json:"components"`
	} `json:"data"`
	Paging struct {
		Next string `json:"next"`
	} `json:"paging"`
}

// listedComponent is a part of a listed template: its header, body, footer
// or buttons.
type listedComponent struct {
	Type    string `json:"type"`
	Format  string `json:"format"`
	Text    string `json:"text"`
	Buttons []struct {
		Type string `json:"type"`
		URL  string `json:"url"`
	} `json:"buttons"`
}

var templateParam = regexp.MustCompile(`\{\{(\d+)\}\}`)

// Templates lists the Business Account's approved templates
// (GET {APIBase}/{BusinessID}/message_templates?status=APPROVED, following
// paging.next) that take text values in their body only: one with a
// media or variable header, or a button with a variable URL, needs values
// the composer does not ask for, and is left out.
func (t *Transport) Templates(ctx context.Context, acct channels.Account) ([]channels.Template, error) {
	if acct.BusinessID == "" {
		return nil, errors.New("whatsapp: templates: the channel has no WhatsApp Business Account id")
	}
	q := url.Values{"fields": {"name,language,status,category,components"}, "status": {"APPROVED"}, "limit": {"100"}}
	next := acct.APIBase + "/" + url.PathEscape(acct.BusinessID) + "/message_templates?" + q.Encode()
	var out []channels.Template
	for page := 0; next != "" && page < templatePages; page++ {
		var list templateList
		if err := t.graph().GetJSON(ctx, acct.AccessToken, next, &list); err != nil {
			return nil, fmt.Errorf("whatsapp: templates: %w", err)
		}
		for _, d := range list.Data {
			if d.Status != "APPROVED" {
				continue
			}
			tpl, ok := textTemplate(d.Name, d.Language, d.Category, d.Components)
			if ok {
				out = append(out, tpl)
			}
		}
		next = list.Paging.Next
	}
	return out, nil
}

// textTemplate is a listed template when only its body takes values.
func textTemplate(name, lang, category string, comps []listedComponent) (channels.Template, bool) {
	tpl := channels.Template{Name: name, Language: lang, Category: category}
	for _, c := range comps {
		switch strings.ToUpper(c.Type) {
		case "BODY":
			tpl.Body = c.Text
			tpl.Params = countParams(c.Text)
		case "HEADER":
			if f := strings.ToUpper(c.Format); (f != "" && f != "TEXT") || countParams(c.Text) > 0 {
				return tpl, false
			}
		case "BUTTONS":
			for _, b := range c.Buttons {
				if countParams(b.URL) > 0 {
					return tpl, false
				}
			}
		}
	}
	return tpl, tpl.Body != ""
}

// countParams is the highest {{n}} of a template text.
func countParams(text string) int {
	n := 0
	for _, m := range templateParam.FindAllStringSubmatch(text, -1) {
		if i, err := strconv.Atoi(m[1]); err == nil && i > n {
			n = i
		}
	}
	return n
}

// readRequest is the body that marks a message read.
type readRequest struct {
	MessagingProduct string `json:"messaging_product"`
	Status           string `json:"status"`
	MessageID        string `json:"message_id"`
}

// MarkRead marks the client's message providerID (and those before it)
// read: POST /{phone_number_id}/messages with status=read. The client's
// phone shows blue ticks.
func (t *Transport) MarkRead(ctx context.Context, acct channels.Account, _, providerID string) error {
	var out struct {
		Success bool `json:"success"`
	}
	endpoint := acct.APIBase + "/" + url.PathEscape(acct.ExternalID) + "/messages"
	body := readRequest{MessagingProduct: "whatsapp", Status: "read", MessageID: providerID}
	if err := t.graph().PostJSON(ctx, acct.AccessToken, endpoint, body, &out); err != nil {
		return fmt.Errorf("whatsapp: mark read: %w", err)
	}
	if !out.Success {
		return fmt.Errorf("whatsapp: mark read: %w", &channels.SendError{HTTPStatus: 200, Message: "answer without success"})
	}
	return nil
}

// Profile is unsupported: WhatsApp's webhooks carry the client's profile
// name with every message.
func (t *Transport) Profile(context.Context, channels.Account, string) (channels.Profile, error) {
	return channels.Profile{}, channels.ErrUnsupported
}
