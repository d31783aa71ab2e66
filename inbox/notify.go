package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/bitrix"
	"switchboard/db"
)

// JobNotify brings one client's line in the notification chat up to date:
// posted, recounted, replaced or deleted, as what waits for an answer and
// who watches say. Any number of them may run for a client; they take
// turns on the client's row and do only what is left to do.
const JobNotify = "notify"

// NotifyPayload names the client of a JobNotify job, or a dialog of theirs.
type NotifyPayload struct {
	ClientID int64 `json:"client_id,omitempty"`
	DialogID int64 `json:"dialog_id,omitempty"`
}

// lineMaxAge is how old a line may grow before it is replaced: Bitrix24
// edits and deletes a bot's message for three days only, and a line that
// can no longer be deleted would stay in the chat after the answer.
const lineMaxAge = 3*24*time.Hour - time.Hour

// queueNotify asks for the lines of the clients of dialogs to be looked at,
// at once.
func (in *Inbox) queueNotify(ctx context.Context, tx *db.Store, portalID int64, dialogIDs ...int64) error {
	var payloads []any
	for _, id := range dialogIDs {
		payloads = append(payloads, NotifyPayload{DialogID: id})
	}
	return in.askNotify(ctx, tx, portalID, in.Now(), payloads...)
}

// askNotify queues JobNotify jobs due at at, one per distinct payload;
// none where no portal is connected (there is no chat).
func (in *Inbox) askNotify(ctx context.Context, tx *db.Store, portalID int64, at time.Time, payloads ...any) error {
	if in.Portal == nil {
		return nil
	}
	seen := map[any]bool{}
	var distinct []any
	for _, p := range payloads {
		if !seen[p] {
			seen[p] = true
			distinct = append(distinct, p)
		}
	}
	return tx.EnqueueMany(ctx, portalID, JobNotify, distinct, at)
}

// notifyChat is what a portal's lines are written with.
type notifyChat struct {
	p     db.Portal
	pc    *bitrix.PortalClient
	botID int64
	chat  int64
	s     Notify
	run   *lineRun
}

// lineRun is what one job did to the client's mark of a post under way
// (notify_posts), settled once its transaction commits.
type lineRun struct {
	adopted bool // a post of unknown outcome was looked for (and taken when found)
	posted  bool // a post went out and its id is in the transaction
}

func (in *Inbox) runNotify(ctx context.Context, j db.Job) error {
	var pl NotifyPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil {
		return errPermanent{fmt.Errorf("inbox: bad %s payload: %w", j.Kind, err)}
	}
	if in.Portal == nil {
		return nil // no portal is connected: there is no chat
	}
	p, err := in.Store.Portal(ctx, j.PortalID)
	if err != nil {
		return err
	}
	st, err := in.Store.PortalInstall(ctx, p.ID)
	if err != nil {
		return err
	}
	if !p.Enabled || st.BotID == nil || st.NotifyChatID == nil {
		return nil
	}
	s, err := settingsOf(p.Settings)
	if err != nil {
		return errPermanent{err}
	}
	nc := notifyChat{p: p, pc: in.Portal.Client.Portal(p.MemberID, p.BaseURL), botID: *st.BotID, chat: *st.NotifyChatID, s: s.Notify}
	client := pl.ClientID
	if client == 0 {
		if client, err = in.Store.DialogClient(ctx, p.ID, pl.DialogID); err != nil {
			return err
		}
	}
	// The Bitrix24 calls run under the line's hold, in no transaction: a
	// second job for the client waits here and then finds the line as the
	// first left it.
	if err := in.Store.EnsureNotifyLine(ctx, p.ID, client); err != nil {
		return err
	}
	release, err := in.Store.HoldNotifyLine(ctx, p.ID, client)
	if err != nil {
		return err
	}
	defer release()
	nc.run = &lineRun{}
	err = func() error {
		line, err := in.Store.NotifyLine(ctx, p.ID, client)
		if err != nil {
			return err
		}
		now := in.Now()
		if line.CheckAt != nil && !line.CheckAt.After(now) {
			line.CheckAt = nil // this is that check, or a later one
		}
		w, err := in.Store.ClientWaiting(ctx, p.ID, client)
		if err != nil {
			return err
		}
		next, err := in.reconcileLine(ctx, nc, &line, w, now)
		if err != nil {
			return err
		}
		return in.Store.InTx(ctx, func(tx *db.Store) error {
			if next != nil && (line.CheckAt == nil || next.Before(*line.CheckAt)) {
				line.CheckAt = next
				if err := in.askNotify(ctx, tx, p.ID, *next, NotifyPayload{ClientID: client}); err != nil {
					return err
				}
			}
			return tx.SaveNotifyLine(ctx, line)
		})
	}()
	if err == nil && (nc.run.posted || nc.run.adopted) { // the outcome is recorded: the mark goes
		err = in.Store.PostingDone(ctx, p.ID, client)
	}
	return err
}

// reconcileLine makes the chat show what w says about the client at now,
// and returns when the line must be looked at again (nil: only when
// something happens).
func (in *Inbox) reconcileLine(ctx context.Context, nc notifyChat, line *db.NotifyLine, w db.Waiting, now time.Time) (*time.Time, error) {
	if w.Since == nil || w.Count == 0 { // answered, or "No reply needed"
		line.Escalated, line.Mention = false, 0
		return nil, in.dropLine(ctx, nc, line)
	}
	due := w.Since.Add(nc.s.delay())
	if line.MessageID == nil {
		until, err := in.Store.Watched(ctx, nc.p.ID, w.ClientID, now)
		if err != nil {
			return nil, err
		}
		if until != nil && now.Before(due) { // someone watches: wait for them, or for the delay
			next := minTime(due, *until)
			return &next, nil
		}
		if err := in.postLine(ctx, nc, line, w, now, 0); err != nil {
			return nil, err
		}
	} else if err := in.refreshLine(ctx, nc, line, w, now); err != nil {
		return nil, err
	}
	next := line.PostedAt.Add(lineMaxAge)
	if after := nc.s.escalation(); after > 0 && !line.Escalated {
		at := due.Add(after)
		if !now.Before(at) {
			if err := in.escalate(ctx, nc, line, w, now); err != nil {
				return nil, err
			}
			next = line.PostedAt.Add(lineMaxAge)
		} else {
			next = minTime(next, at)
		}
	}
	return &next, nil
}

// refreshLine shows the new count on the client's line; a line Bitrix24
// no longer lets us edit, or one about to turn three days old, is replaced.
func (in *Inbox) refreshLine(ctx context.Context, nc notifyChat, line *db.NotifyLine, w db.Waiting, now time.Time) error {
	if now.Sub(*line.PostedAt) >= lineMaxAge {
		return in.replaceLine(ctx, nc, line, w, now)
	}
	if line.ShownCount == w.Count {
		return nil
	}
	err := nc.pc.UpdateBotMessage(ctx, bitrix.MessageUpdate{BotID: nc.botID, MessageID: *line.MessageID,
		Text: in.lineText(nc, w, line.Mention), Keyboard: in.lineKeyboard(nc, w.ClientID), NotEdited: true})
	switch {
	case errors.Is(err, bitrix.ErrCantEditMessage) || messageGone(err):
		return in.replaceLine(ctx, nc, line, w, now)
	case err != nil:
		return fmt.Errorf("inbox: unable to update the line of client %d: %w", w.ClientID, err)
	}
	line.ShownCount = w.Count
	return nil
}

// replaceLine deletes the client's line where Bitrix24 still allows it and
// posts a new one: the chat never shows two lines for a client.
func (in *Inbox) replaceLine(ctx context.Context, nc notifyChat, line *db.NotifyLine, w db.Waiting, now time.Time) error {
	if err := in.dropLine(ctx, nc, line); err != nil {
		return err
	}
	return in.postLine(ctx, nc, line, w, now, line.Mention)
}

// escalate posts the line again, mentioning the head of the responsible's
// department.
func (in *Inbox) escalate(ctx context.Context, nc notifyChat, line *db.NotifyLine, w db.Waiting, now time.Time) error {
	head, err := in.headOf(ctx, nc, w.Responsible)
	if err != nil { // the line goes out again all the same, mentioning nobody
		in.Log.Warn("the head of a department could not be read", "portal", nc.p.ID, "user", w.Responsible, "err", err)
	}
	if err := in.dropLine(ctx, nc, line); err != nil {
		return err
	}
	line.Escalated = true
	return in.postLine(ctx, nc, line, w, now, head)
}

// headOf is the Bitrix24 id of the head of user's first department (0 when
// there is no responsible, department or head).
func (in *Inbox) headOf(ctx context.Context, nc notifyChat, user int64) (int64, error) {
	if user == 0 {
		return 0, nil
	}
	users, err := nc.pc.Users(ctx, map[string]any{"ID": user})
	if err != nil {
		return 0, fmt.Errorf("inbox: unable to read user %d: %w", user, err)
	}
	if len(users) == 0 || len(users[0].Departments) == 0 {
		return 0, nil
	}
	deps, err := nc.pc.Departments(ctx, bitrix.Params{"ID": int64(users[0].Departments[0])})
	if err != nil {
		return 0, fmt.Errorf("inbox: unable to read the department of user %d: %w", user, err)
	}
	if len(deps) == 0 || int64(deps[0].Head) == user {
		return 0, nil
	}
	return int64(deps[0].Head), nil
}

// postLine posts the client's line, mentioning head when not 0, and
// records it. Exactly once: the attempt is committed before the call, and
// an attempt whose answer was lost (a timeout, a crash) is looked for in
// the chat before a new one is made.
func (in *Inbox) postLine(ctx context.Context, nc notifyChat, line *db.NotifyLine, w db.Waiting, now time.Time, head int64) error {
	// The mark lives outside the transaction that holds the line: it
	// must outlive a crash of it.
	if !nc.run.adopted {
		attempted, err := in.Store.Posting(ctx, nc.p.ID, w.ClientID)
		if err != nil {
			return err
		}
		if attempted != nil {
			nc.run.adopted = true
			id, err := in.findLine(ctx, nc, w.ClientID)
			if err != nil {
				return err
			}
			if id != 0 { // it went out: bring it up to date
				line.MessageID, line.PostedAt, line.ShownCount = &id, attempted, -1
				return in.refreshLine(ctx, nc, line, w, now)
			}
		}
	}
	if err := in.Store.MarkPosting(ctx, nc.p.ID, w.ClientID, now); err != nil {
		return err
	}
	id, err := nc.pc.AddBotMessage(ctx, bitrix.Message{BotID: nc.botID, DialogID: dialogOf(nc.chat),
		Text: in.lineText(nc, w, head), Keyboard: in.lineKeyboard(nc, w.ClientID), URLPreview: new(bool)})
	if err != nil {
		var refused *bitrix.Error
		if errors.As(err, &refused) { // Bitrix24 answered: nothing was posted
			err = errors.Join(err, in.Store.PostingDone(ctx, nc.p.ID, w.ClientID))
		}
		return fmt.Errorf("inbox: unable to post the line of client %d: %w", w.ClientID, err)
	}
	posted := now
	line.MessageID, line.PostedAt, line.ShownCount, line.Mention = &id, &posted, w.Count, head
	nc.run.posted = true
	return nil
}

// findLine looks for the client's line among the chat's latest messages:
// the bot's message whose link names the client (0: none).
func (in *Inbox) findLine(ctx context.Context, nc notifyChat, clientID int64) (int64, error) {
	msgs, err := nc.pc.DialogMessages(ctx, dialogOf(nc.chat), 50)
	if err != nil {
		return 0, fmt.Errorf("inbox: unable to look for the line of client %d: %w", clientID, err)
	}
	mark := fmt.Sprintf("params%%5Bclient%%5D=%d]", clientID)
	for _, m := range msgs { // newest first
		if int64(m.AuthorID) == nc.botID && strings.Contains(m.Text, mark) {
			return int64(m.ID), nil
		}
	}
	return 0, nil
}

func dialogOf(chat int64) string { return "chat" + strconv.FormatInt(chat, 10) }

// dropLine deletes the client's line, if there is one. A line Bitrix24 no
// longer lets us delete (or already gone) is forgotten.
func (in *Inbox) dropLine(ctx context.Context, nc notifyChat, line *db.NotifyLine) error {
	if line.MessageID != nil {
		err := nc.pc.DeleteBotMessage(ctx, nc.botID, *line.MessageID, true)
		switch {
		case errors.Is(err, bitrix.ErrCantEditMessage) || messageGone(err):
			in.Log.Warn("a notification line could not be deleted", "portal", nc.p.ID, "client", line.ClientID, "err", err)
		case err != nil:
			return fmt.Errorf("inbox: unable to delete the line of client %d: %w", line.ClientID, err)
		}
	}
	line.MessageID, line.PostedAt, line.ShownCount = nil, nil, 0
	return nil
}

// messageGone reports whether Bitrix24 says the message is not there.
func messageGone(err error) bool {
	var e *bitrix.Error
	return errors.As(err, &e) && e.Code == "MESSAGE_ID_ERROR"
}

// lineText is the client's line: who, where, how many messages wait, and
// a link that opens their dialog in the app; head, when not 0, is
// mentioned.
func (in *Inbox) lineText(nc notifyChat, w db.Waiting, head int64) string {
	lang := nc.p.Lang
	who := "[b]" + bbEscape(lineName(w)) + "[/b]"
	if w.Name != "" && w.Phone != "" {
		who += " +" + w.Phone
	}
	link := fmt.Sprintf("%s/marketplace/app/?params%%5Bclient%%5D=%d", nc.p.BaseURL, w.ClientID)
	text := in.text(lang, "notify.line", who, in.text(lang, "notify.transport."+w.Transport), bbEscape(w.Channels),
		in.text(lang, "count.new_messages", w.Count), link)
	if head != 0 {
		text += "\n" + in.text(lang, "notify.escalated", fmt.Sprintf("[USER=%d][/USER]", head))
	}
	return text
}

// lineName names the client as the CRM does.
func lineName(w db.Waiting) string {
	return displayName(db.NewClient{Name: w.Name, Phone: w.Phone, Transport: w.Transport, ExternalID: w.ExternalID})
}

// lineKeyboard is the line's "No reply needed" button.
func (in *Inbox) lineKeyboard(nc notifyChat, clientID int64) *bitrix.Keyboard {
	return &bitrix.Keyboard{BotID: nc.botID, Buttons: []bitrix.Button{{
		Text: in.text(nc.p.Lang, "bot.command.noreply"), Command: noReplyCommand,
		CommandParams: "client:" + strconv.FormatInt(clientID, 10), Block: "Y", BgColorToken: "secondary"}}}
}

// bbEscape keeps a client's own text from opening BB-codes.
func bbEscape(s string) string {
	return strings.NewReplacer("[", "(", "]", ")").Replace(s)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
