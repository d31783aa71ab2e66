package graphemu

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Template is a message template of a WhatsApp number's Business Account.
type Template struct {
	Name     string // e.g. "order_update"
	Language string // e.g. "en_US"
	Body     string // body text with {{1}}, {{2}}... placeholders
	Category string // MARKETING, UTILITY (the default), AUTHENTICATION
	Status   string // APPROVED (the default), PENDING, REJECTED, PAUSED, DISABLED
}

func (t Template) status() string {
	if t.Status == "" {
		return "APPROVED"
	}
	return t.Status
}

func (t Template) category() string {
	if t.Category == "" {
		return "UTILITY"
	}
	return t.Category
}

var placeholder = regexp.MustCompile(`\{\{(\d+)\}\}`)

// params returns the body parameters of a template send, in order.
func (t *sendTemplate) params() []string {
	var comps []struct {
		Type       string `json:"type"`
		Parameters []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"parameters"`
	}
	_ = json.Unmarshal(t.Components, &comps)
	var out []string
	for _, c := range comps {
		if !strings.EqualFold(c.Type, "body") {
			continue
		}
		for _, p := range c.Parameters {
			out = append(out, p.Text)
		}
	}
	return out
}

// renderTemplate checks a template send against the number's approved
// templates (any name goes when the number lists none) and returns the text
// the client sees.
func renderTemplate(n Number, t *sendTemplate) (string, *graphError) {
	params := t.params()
	if len(n.Templates) == 0 {
		s := "[template " + t.Name + "]"
		if len(params) > 0 {
			s += " " + strings.Join(params, ", ")
		}
		return s, nil
	}
	for _, tpl := range n.Templates {
		if tpl.Name != t.Name || tpl.Language != t.Language.Code {
			continue
		}
		if tpl.status() != "APPROVED" {
			ge := waError(132015, "Template is Paused", fmt.Sprintf("template (%s) is %s, not APPROVED", t.Name, tpl.status()))
			return "", &ge
		}
		want := len(placeholder.FindAllString(tpl.Body, -1))
		if len(params) != want {
			ge := waError(132000, "Number of parameters does not match the expected number of params",
				fmt.Sprintf("body: number of localizable_params (%d) does not match the expected number of params (%d)", len(params), want))
			return "", &ge
		}
		return placeholder.ReplaceAllStringFunc(tpl.Body, func(ph string) string {
			i, _ := strconv.Atoi(placeholder.FindStringSubmatch(ph)[1])
			if i < 1 || i > len(params) {
				return ph
			}
			return params[i-1]
		}), nil
	}
	ge := waError(132001, "Template name does not exist in the translation",
		fmt.Sprintf("template name (%s) does not exist in %s", t.Name, t.Language.Code))
	return "", &ge
}
