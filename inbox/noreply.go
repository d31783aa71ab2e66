package inbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"switchboard/bitrix"
	"switchboard/db"
)

// NoReplyNeeded is "No reply needed" on a dialog the viewer may see: none
// of the client's dialogs waits for a reply any more, and their line leaves
// the notification chat.
func (in *Inbox) NoReplyNeeded(ctx context.Context, v Viewer, dialogID int64) error {
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return err
	}
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		d, err := tx.Dialog(ctx, vis, dialogID)
		if err != nil {
			return err
		}
		return in.stopWaiting(ctx, tx, v.PortalID, d.ClientID)
	})
}

// stopWaiting clears the waiting of a client's dialogs, live, and has their
// line looked at.
func (in *Inbox) stopWaiting(ctx context.Context, tx *db.Store, portalID, clientID int64) error {
	ids, err := tx.ClearUnanswered(ctx, portalID, clientID)
	if err != nil {
		return err
	}
	events := make([]Event, 0, len(ids))
	for _, id := range ids {
		events = append(events, Event{Portal: portalID, Dialog: id, Kind: EventWaiting})
	}
	if err := tx.LogEvents(ctx, in.Now(), events...); err != nil {
		return err
	}
	return in.askNotify(ctx, tx, portalID, in.Now(), NotifyPayload{ClientID: clientID})
}

// botCommand handles ONIMCOMMANDADD: "No reply needed" pressed on a line
// in the notification chat. The application token reaches every
// employee's browser, so the event proves nothing by itself: it must name
// our command and chat, a message that is the live line of the client it
// names, and a user the portal knows. Anything else changes nothing; a
// second press finds no live line and changes nothing either.
func (in *Inbox) botCommand(ctx context.Context, p db.Portal, ev *bitrix.Event) error {
	cmd, err := bitrix.ParseBotCommand(ev)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrForged, err)
	}
	st, err := in.Store.PortalInstall(ctx, p.ID)
	if err != nil {
		return err
	}
	if st.BotCommandID == nil || st.NotifyChatID == nil || int64(cmd.Params.ChatID) != *st.NotifyChatID {
		return fmt.Errorf("%w: a command outside the notification chat", ErrForged)
	}
	for _, c := range cmd.Commands {
		if int64(c.CommandID) != *st.BotCommandID || !strings.EqualFold(c.Command, noReplyCommand) {
			continue
		}
		client, err := strconv.ParseInt(strings.TrimPrefix(c.CommandParams, "client:"), 10, 64)
		if err != nil || !strings.HasPrefix(c.CommandParams, "client:") {
			return fmt.Errorf("%w: command parameters %q", ErrForged, c.CommandParams)
		}
		line, err := in.Store.ClientByLine(ctx, p.ID, int64(c.MessageID))
		if errors.Is(err, db.ErrNotFound) || (err == nil && line != client) {
			in.Log.Info("\"No reply needed\" on a line that is not live", "portal", p.MemberID, "message", int64(c.MessageID))
			return nil
		}
		if err != nil {
			return err
		}
		if err := in.checkUser(ctx, p, int64(cmd.User.ID)); err != nil {
			return err
		}
		in.Log.Info("\"No reply needed\" from the messenger", "portal", p.MemberID, "client", client, "user", int64(cmd.User.ID))
		return in.Store.InTx(ctx, func(tx *db.Store) error { return in.stopWaiting(ctx, tx, p.ID, client) })
	}
	return nil
}

// checkUser asks the portal whether user is one of its active employees.
func (in *Inbox) checkUser(ctx context.Context, p db.Portal, user int64) error {
	if user <= 0 {
		return fmt.Errorf("%w: a command without a user", ErrForged)
	}
	users, err := in.Portal.Client.Portal(p.MemberID, p.BaseURL).Users(ctx, map[string]any{"ID": user})
	if err != nil {
		return fmt.Errorf("inbox: unable to check user %d with portal %s: %w", user, p.MemberID, err)
	}
	if len(users) == 0 || !bool(users[0].Active) {
		return fmt.Errorf("%w: user %d is not on portal %s", ErrForged, user, p.MemberID)
	}
	return nil
}
