package inbox

import (
	"context"
	"errors"
	"fmt"

	"switchboard/bitrix"
	"switchboard/channels"
	"switchboard/db"
)

// ErrNotInTimeline is a message not (yet) mirrored into any timeline: there
// is nothing to pin.
var ErrNotInTimeline = errors.New("inbox: the message is not in a CRM timeline yet")

// PinLimitError is a pin refused at the entity's limit of pinned comments.
type PinLimitError struct {
	Limit      int
	EntityType string // lead, contact, deal
}

func (e *PinLimitError) Error() string {
	return fmt.Sprintf("inbox: at most %d comments may be pinned on a %s", e.Limit, e.EntityType)
}

// MessageView is one message as a dialog shows it.
type MessageView struct {
	Message     db.Message
	ChannelName string
	Failure     channels.Failure // why it failed, when it did
}

// PinMessage pins (or, with pin false, unpins) a message of a dialog v may
// see in the timelines it was mirrored into. At an entity's limit (setting
// "pin_limit", Bitrix24's own: 3) it is a *PinLimitError, and nothing
// changes anywhere. It returns the message as the dialog shows it now.
func (in *Inbox) PinMessage(ctx context.Context, v Viewer, messageID int64, pin bool) (MessageView, error) {
	m, d, err := in.pinMessage(ctx, v, messageID, pin)
	view := MessageView{Message: m, ChannelName: d.ChannelName}
	if m.Status == "failed" {
		view.Failure = in.failure(d.Transport, m.ErrorCode, m.ErrorText)
	}
	return view, err
}

func (in *Inbox) pinMessage(ctx context.Context, v Viewer, messageID int64, pin bool) (db.Message, db.DialogRow, error) {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return db.Message{}, db.DialogRow{}, err
	}
	m, err := in.Store.Message(ctx, v.PortalID, messageID)
	if err != nil {
		return m, db.DialogRow{}, err
	}
	d, err := in.Store.Dialog(ctx, vis, m.DialogID)
	if err != nil {
		return m, db.DialogRow{}, err
	}
	if in.Portal == nil {
		return m, d, ErrNotInTimeline
	}
	comments, err := in.Store.CommentsOfMessage(ctx, v.PortalID, messageID)
	if err != nil {
		return m, d, err
	}
	if len(comments) == 0 {
		return m, d, ErrNotInTimeline
	}
	p, err := in.Store.Portal(ctx, v.PortalID)
	if err != nil {
		return m, d, err
	}
	s, err := settingsOf(p.Settings)
	if err != nil {
		return m, d, err
	}
	if pin {
		for _, c := range comments {
			n, err := in.Store.PinnedOn(ctx, v.PortalID, c.EntityType, c.EntityID)
			if err != nil {
				return m, d, err
			}
			if n >= s.CRM.PinLimit {
				return m, d, &PinLimitError{Limit: s.CRM.PinLimit, EntityType: c.EntityType}
			}
		}
	}
	pc := in.Portal.Client.Portal(p.MemberID, p.BaseURL)
	for _, c := range comments {
		owner := bitrix.Owner{TypeID: entityTypeID(c.EntityType), ID: c.EntityID}
		if pin {
			err = pc.PinTimelineItem(ctx, *c.CommentID, owner)
		} else {
			err = pc.UnpinTimelineItem(ctx, *c.CommentID, owner)
		}
		switch {
		case errors.Is(err, bitrix.ErrPinLimit): // pinned in the CRM itself meanwhile
			return m, d, &PinLimitError{Limit: s.CRM.PinLimit, EntityType: c.EntityType}
		case err != nil:
			return m, d, fmt.Errorf("inbox: pin of message %d on %s %d: %w", messageID, c.EntityType, c.EntityID, err)
		}
		if err := in.Store.SetPinned(ctx, v.PortalID, c, pin); err != nil {
			return m, d, err
		}
	}
	m, err = in.Store.Message(ctx, v.PortalID, messageID)
	return m, d, err
}
