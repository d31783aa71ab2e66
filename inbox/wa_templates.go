package inbox

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"switchboard/channels"
	"switchboard/db"
)

// Errors of a template the composer cannot send.
var (
	ErrNoTemplate     = errors.New("inbox: the channel has no such approved template")
	ErrTemplateValues = errors.New("inbox: every value of the template must be filled in")
	// ErrTemplatesUnavailable: the provider could not be asked for the
	// channel's templates just now; nothing was queued.
	ErrTemplatesUnavailable = errors.New("inbox: the channel's templates cannot be read just now")
)

// maxTemplateValue is the longest value one placeholder takes (WhatsApp
// refuses longer parameters).
const maxTemplateValue = 1024

// WhatsAppTemplates lists the approved message templates of a dialog's channel,
// for a dialog v may see, read from the provider each time (their status
// changes at Meta, not here). A channel without templates lists none.
func (in *Inbox) WhatsAppTemplates(ctx context.Context, v Viewer, dialogID int64) ([]channels.Template, error) {
	t, ch, _, err := in.dialogChannel(ctx, v, dialogID)
	if err != nil {
		return nil, err
	}
	return listTemplates(ctx, t, ch)
}

// listTemplates is the channel's approved templates, read from the
// provider; a transport without templates has none.
func listTemplates(ctx context.Context, t channels.Transport, ch db.Channel) ([]channels.Template, error) {
	list, err := t.Templates(ctx, Account(ch))
	if errors.Is(err, channels.ErrUnsupported) {
		return nil, nil
	}
	return list, err
}

// dialogChannel is the channel of a dialog v may see, its transport, and
// what v may see (ErrNotFound for a dialog hidden from them).
func (in *Inbox) dialogChannel(ctx context.Context, v Viewer, dialogID int64) (channels.Transport, db.Channel, db.Visibility, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return nil, db.Channel{}, vis, err
	}
	d, err := in.Store.Dialog(ctx, vis, dialogID)
	if err != nil {
		return nil, db.Channel{}, vis, err
	}
	ch, t, err := in.channelOf(ctx, v.PortalID, d.ChannelID)
	if err != nil {
		return nil, db.Channel{}, vis, err
	}
	return t, ch, vis, nil
}

// SendWhatsAppTemplate queues an approved template, its placeholders filled with
// values, to a dialog v may see: the one message that reaches a WhatsApp
// client outside the 24-hour window. The template and its values are checked
// against the channel's list first (ErrNoTemplate, ErrTemplateValues queue
// nothing); the message is stored with the text the client will see and goes
// the way of every message (outbox, statuses, timeline).
func (in *Inbox) SendWhatsAppTemplate(ctx context.Context, v Viewer, dialogID int64, name, language string, values []string) (Sent, error) {
	t, ch, vis, err := in.dialogChannel(ctx, v, dialogID)
	if err != nil {
		return Sent{}, err
	}
	tpl, values, err := approvedTemplate(ctx, t, ch, name, language, values)
	if err != nil {
		return Sent{}, err
	}
	return in.queueTemplate(ctx, v, vis, dialogID, tpl, values)
}

// WhatsAppTemplates is the approved templates of the draft's channel: a
// client who never wrote on it is reached by a template alone. Only a draft
// to a known client on another channel of theirs (NewClientDraft) has one.
func (d *Draft) WhatsAppTemplates(ctx context.Context) ([]channels.Template, error) {
	ch, t, err := d.clientChannel(ctx)
	if err != nil {
		return nil, err
	}
	return listTemplates(ctx, t, ch)
}

// clientChannel is the channel of a draft to a known client on a channel
// of theirs (NewClientDraft); ErrNotFound for any other draft.
func (d *Draft) clientChannel(ctx context.Context) (db.Channel, channels.Transport, error) {
	if d.to == nil || d.to.clientID == 0 {
		return db.Channel{}, nil, fmt.Errorf("inbox: only a draft to a client's other channel takes its templates: %w", ErrNotFound)
	}
	return d.in.channelOf(ctx, d.v.PortalID, d.to.channel)
}

// SendWhatsAppTemplate is the draft's message as an approved template: the
// template is checked first, then the client's dialog on the draft's channel
// is found or started and the template queued to it (as
// Inbox.SendWhatsAppTemplate). A refused template starts no dialog.
func (d *Draft) SendWhatsAppTemplate(ctx context.Context, name, language string, values []string) (Sent, error) {
	ch, t, err := d.clientChannel(ctx)
	if err != nil {
		return Sent{}, err
	}
	tpl, values, err := approvedTemplate(ctx, t, ch, name, language, values)
	if err != nil {
		return Sent{}, err
	}
	if err := d.startDialog(ctx, tpl.Body); err != nil { // the body: a template is never an empty message
		return Sent{}, err
	}
	vis, err := d.in.visibility(ctx, d.v)
	if err != nil {
		return Sent{}, err
	}
	return d.in.queueTemplate(ctx, d.v, vis, d.dialog, tpl, values)
}

// approvedTemplate is the channel's approved template name/language and
// the values for it, trimmed: ErrNoTemplate when the channel has no such
// template (or no templates), ErrTemplateValues when a value is missing.
func approvedTemplate(ctx context.Context, t channels.Transport, ch db.Channel, name, language string, values []string) (*channels.Template, []string, error) {
	list, err := listTemplates(ctx, t, ch)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: channel %d: %w", ErrTemplatesUnavailable, ch.ID, err)
	}
	var tpl *channels.Template
	for i := range list {
		if list[i].Name == name && list[i].Language == language {
			tpl = &list[i]
		}
	}
	if tpl == nil {
		return nil, nil, ErrNoTemplate
	}
	values = trimmed(values)
	if len(values) != tpl.Params || !allFilled(values) {
		return nil, nil, ErrTemplateValues
	}
	return tpl, values, nil
}

// queueTemplate stores the filled template as the dialog's next outgoing
// message and queues it.
func (in *Inbox) queueTemplate(ctx context.Context, v Viewer, vis db.Visibility, dialogID int64, tpl *channels.Template, values []string) (Sent, error) {
	var sent Sent
	err := in.Store.InTx(ctx, func(tx *db.Store) error {
		d, err := tx.Dialog(ctx, vis, dialogID)
		if err != nil {
			return err
		}
		// As SendMessage: the dialog's row, then the plan's windows.
		now := in.Now()
		text := FillTemplate(tpl.Body, values)
		err = tx.TouchDialog(ctx, v.PortalID, d.ID, db.Activity{
			At: now, Preview: Preview(channels.KindTemplate, text), Direction: string(channels.Outbound), Answered: true,
		})
		if err != nil {
			return err
		}
		pause, err := in.admit(ctx, tx, d, now)
		if err != nil {
			return err
		}
		id, err := in.queuePiece(ctx, tx, v, d, piece{Kind: channels.KindTemplate, Text: text}, pause, now)
		if err != nil {
			return err
		}
		if err := tx.SaveOutgoingTemplate(ctx, v.PortalID, id, db.OutgoingTemplate{Name: tpl.Name, Language: tpl.Language, Params: values}); err != nil {
			return err
		}
		if pause == nil {
			if err := in.queueTimeline(ctx, tx, v.PortalID, []int64{id}); err != nil {
				return err
			}
		}
		sent = Sent{ChannelName: d.ChannelName}
		sent.Messages, err = tx.MessagesByID(ctx, v.PortalID, []int64{id})
		return err
	})
	if err != nil {
		return Sent{}, fmt.Errorf("inbox: unable to send template %s to dialog %d: %w", tpl.Name, dialogID, err)
	}
	return sent, nil
}

func trimmed(values []string) []string {
	out := make([]string, len(values))
	for i, s := range values {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

func allFilled(values []string) bool {
	for _, s := range values {
		if s == "" || utf8.RuneCountInString(s) > maxTemplateValue {
			return false
		}
	}
	return true
}

var templatePlaceholder = regexp.MustCompile(`\{\{(\d+)\}\}`)

// FillTemplate is a template body with its {{n}} replaced by values[n-1],
// as the client's phone shows it.
func FillTemplate(body string, values []string) string {
	return templatePlaceholder.ReplaceAllStringFunc(body, func(ph string) string {
		i, _ := strconv.Atoi(templatePlaceholder.FindStringSubmatch(ph)[1])
		if i < 1 || i > len(values) {
			return ph
		}
		return values[i-1]
	})
}

// outgoingTemplate is the template a queued template message names.
func (in *Inbox) outgoingTemplate(ctx context.Context, m db.Message) (*channels.OutTemplate, error) {
	t, err := in.Store.OutgoingTemplateOf(ctx, m.PortalID, m.ID)
	if err != nil {
		return nil, err
	}
	return &channels.OutTemplate{Name: t.Name, Language: t.Language, Params: t.Params}, nil
}
