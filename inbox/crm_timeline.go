package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"switchboard/bitrix"
	"switchboard/db"
)

// Timeline limits. A file up to inlineFile goes into the comment itself
// (FILES, base64: a third larger on the wire, and Bitrix24 copies it into
// the author's Disk once per entity); a larger one is a signed link that
// works for a year, so a big video is not copied into three timelines and
// a batch request stays small. A batch carries at most inlineBatch of files.
const (
	inlineFile      = 5 << 20
	inlineBatch     = 12 << 20
	timelineLinkTTL = 365 * 24 * time.Hour
	timelinePage    = 200 // queued messages read per pass
)

// queueTimeline puts stored messages in line for the timeline, inside the
// caller's transaction, when the portal mirrors messages at all (off, they
// are never queued, so turning it on again does not flood old ones).
func (in *Inbox) queueTimeline(ctx context.Context, tx *db.Store, portalID int64, ids []int64) error {
	if in.Portal == nil || len(ids) == 0 {
		return nil
	}
	p, err := tx.Portal(ctx, portalID)
	if err != nil {
		return err
	}
	s, err := settingsOf(p.Settings)
	if err != nil || !s.CRM.Timeline {
		return err
	}
	return tx.QueueTimeline(ctx, portalID, ids, in.Now()) // the caller nudges the CRM sync
}

// mirror adds the queued messages to their clients' timelines, oldest
// first, each message once per entity, up to bitrix.MaxBatch comments per
// batch request.
func (c *crmSync) mirror(ctx context.Context) error {
	for {
		queue, err := c.in.Store.TimelineQueue(ctx, c.p.ID, timelinePage)
		if err != nil || len(queue) == 0 {
			return err
		}
		progress, err := c.mirrorPage(ctx, queue)
		if err != nil || !progress {
			return err
		}
		if more, err := c.more(ctx); !more || err != nil {
			return err
		}
	}
}

// mirrorPage mirrors what is ready of one page of the queue and reports
// whether anything moved.
func (c *crmSync) mirrorPage(ctx context.Context, queue []db.TimelineMessage) (bool, error) {
	ready, drop := readyMessages(queue)
	if err := c.in.Store.DequeueTimeline(ctx, c.p.ID, drop); err != nil {
		return false, err
	}
	plan, byID, err := c.plan(ctx, ready)
	if err != nil {
		return false, err
	}
	open, err := c.in.Store.PlanComments(ctx, c.p.ID, plan)
	if err != nil {
		return false, err
	}
	if open, err = c.settle(ctx, open); err != nil {
		return false, err
	}
	if err := c.add(ctx, open, byID); err != nil {
		return false, err
	}
	var done []int64
	left := map[int64]bool{}
	for _, o := range open {
		left[o.MessageID] = true
	}
	for _, m := range ready {
		if !left[m.ID] {
			done = append(done, m.ID)
		}
	}
	if err := c.in.Store.DequeueTimeline(ctx, c.p.ID, done); err != nil {
		return false, err
	}
	return len(drop)+len(ready) > 0, nil
}

// readyMessages splits the queue: messages ready to mirror, in order, and
// messages never to be mirrored (an outgoing message that failed). In each
// dialog, a message not ready yet (its client not linked, an outgoing one
// not sent, a file still downloading) holds back those after it, so each
// timeline reads in order.
func readyMessages(queue []db.TimelineMessage) (ready []db.TimelineMessage, drop []int64) {
	held := map[int64]bool{}
	for _, m := range queue {
		switch {
		case m.Direction == "out" && m.Status == "failed":
			drop = append(drop, m.ID)
		case held[m.DialogID] || !m.Linked || m.Status == "queued" || m.Status == "paused" || pendingFile(m.Message):
			held[m.DialogID] = true
		default:
			ready = append(ready, m)
		}
	}
	return ready, drop
}

func pendingFile(m db.Message) bool {
	return slices.ContainsFunc(m.Attachments, func(a db.Attachment) bool { return a.State == db.AttachmentPending })
}

// plan lists each ready message's comments: one per entity the settings
// name among the client's links (the contacts; the open leads; the open
// deals). A message with nowhere to go is done.
func (c *crmSync) plan(ctx context.Context, ready []db.TimelineMessage) ([]db.TimelineComment, map[int64]db.TimelineMessage, error) {
	byID := make(map[int64]db.TimelineMessage, len(ready))
	var clients []int64
	for _, m := range ready {
		byID[m.ID] = m
		clients = append(clients, m.ClientID)
	}
	links, err := c.in.Store.ClientLinks(ctx, c.p.ID, clients)
	if err != nil {
		return nil, nil, err
	}
	var plan []db.TimelineComment
	for _, m := range ready {
		for _, l := range links {
			if l.ClientID == m.ClientID && slices.Contains(c.s.TimelineOn, l.EntityType) && (l.EntityType == "contact" || !l.Closed) {
				plan = append(plan, db.TimelineComment{MessageID: m.ID, EntityType: l.EntityType, EntityID: l.EntityID})
			}
		}
	}
	return plan, byID, nil
}

// marker ends every comment with the id of its message: how a comment of
// unknown outcome is found again. It is an identifier, not words, so it is
// the same in every language.
func marker(messageID int64) string { return fmt.Sprintf("Switchboard · #%d", messageID) }

// markerRE finds the message id a comment was added for.
var markerRE = regexp.MustCompile(`Switchboard · #(\d+)`)

// settle resolves comments whose outcome is unknown (attempted, never
// recorded: a timeout after the portal got the call, a crash mid-batch):
// each entity's comments are read and a comment carrying the message's
// marker is recorded as its own; the others are added again. It returns
// the comments still to add.
func (c *crmSync) settle(ctx context.Context, open []db.TimelineComment) ([]db.TimelineComment, error) {
	type owner struct {
		t  string
		id int64
	}
	unknown := map[owner][]int{}
	for i, o := range open {
		if o.AttemptedAt != nil && o.CommentID == nil {
			k := owner{o.EntityType, o.EntityID}
			unknown[k] = append(unknown[k], i)
		}
	}
	if len(unknown) == 0 {
		return open, nil
	}
	settled := map[int]bool{}
	for k, idx := range unknown {
		comments, err := c.comments(ctx, bitrix.Owner{TypeID: entityTypeID(k.t), ID: k.id})
		if errors.Is(err, bitrix.ErrNotFound) {
			comments = nil
		} else if err != nil {
			return nil, err
		}
		found := map[int64]int64{} // message id → comment id
		for _, cm := range comments {
			if m := markerRE.FindStringSubmatch(string(cm.Comment)); m != nil {
				id, _ := strconv.ParseInt(m[1], 10, 64)
				found[id] = int64(cm.ID)
			}
		}
		var retry []db.TimelineComment
		for _, i := range idx {
			o := open[i]
			if id, ok := found[o.MessageID]; ok {
				if err := c.in.Store.FinishComment(ctx, c.p.ID, o, id, "", c.in.Now()); err != nil {
					return nil, err
				}
				settled[i] = true
				continue
			}
			retry = append(retry, o)
		}
		if err := c.in.Store.UnattemptComments(ctx, c.p.ID, retry); err != nil {
			return nil, err
		}
	}
	var out []db.TimelineComment
	for i, o := range open {
		if !settled[i] {
			o.AttemptedAt = nil
			out = append(out, o)
		}
	}
	return out, nil
}

// add adds comments in order, MaxBatch per request; the batch halts at the
// first failure, so a timeline never skips ahead. Before each request its
// comments are marked attempted: from then until their ids are recorded,
// their outcome is unknown.
func (c *crmSync) add(ctx context.Context, open []db.TimelineComment, byID map[int64]db.TimelineMessage) error {
	for len(open) > 0 {
		var cmds []bitrix.BatchCommand
		var batch []db.TimelineComment
		inline := 0
		for _, o := range open {
			fields, size, err := c.comment(ctx, byID[o.MessageID], o, inline)
			if err != nil {
				return err
			}
			if len(cmds) == bitrix.MaxBatch || (len(cmds) > 0 && inline+size > inlineBatch) {
				break
			}
			inline += size
			cmds = append(cmds, bitrix.BatchCommand{Method: "crm.timeline.comment.add", Params: bitrix.Params{"fields": fields}})
			batch = append(batch, o)
		}
		open = open[len(batch):]
		if err := c.in.Store.AttemptComments(ctx, c.p.ID, batch, c.in.Now()); err != nil {
			return err
		}
		res, err := c.batch(ctx, true, cmds...)
		if len(res) != len(batch) {
			return fmt.Errorf("inbox: timeline batch of %d: %w", len(batch), err) // outcome unknown: settled next run
		}
		var notRun []db.TimelineComment
		for i, r := range res {
			if err := c.record(ctx, batch[i], r); err != nil {
				if errors.Is(err, bitrix.ErrNotExecuted) {
					notRun = append(notRun, batch[i])
					continue
				}
				return err
			}
		}
		if err := c.in.Store.UnattemptComments(ctx, c.p.ID, notRun); err != nil {
			return err
		}
		if len(notRun) > 0 {
			return fmt.Errorf("inbox: timeline batch stopped after a failure; %d comments wait", len(notRun))
		}
	}
	return nil
}

// record stores one command's outcome: the comment's id, or, for an
// entity that no longer exists, the comment skipped and the link dropped.
// ErrNotExecuted and other failures come back to the caller.
func (c *crmSync) record(ctx context.Context, o db.TimelineComment, r bitrix.BatchResult) error {
	var id bitrix.FlexInt
	err := r.Decode(&id)
	var be *bitrix.Error
	switch {
	case err == nil:
		return c.in.Store.FinishComment(ctx, c.p.ID, o, int64(id), "", c.in.Now())
	case errors.Is(err, bitrix.ErrNotFound), errors.As(err, &be) && be.Code == "OWNER_NOT_FOUND":
		c.in.Log.Info("timeline entity is gone; its link is dropped", "portal", c.p.ID, "entity", o.EntityType, "id", o.EntityID)
		if err := c.in.Store.DropLink(ctx, c.p.ID, o.EntityType, o.EntityID); err != nil {
			return err
		}
		return c.in.Store.FinishComment(ctx, c.p.ID, o, 0, "entity not found", c.in.Now())
	case errors.Is(err, bitrix.ErrNotExecuted):
		return err
	default:
		if uerr := c.in.Store.UnattemptComments(ctx, c.p.ID, []db.TimelineComment{o}); uerr != nil {
			return uerr
		}
		return fmt.Errorf("inbox: timeline comment of message %d on %s %d: %w", o.MessageID, o.EntityType, o.EntityID, err)
	}
}

// comment is the fields of one message's comment on one entity, and the
// bytes of files it carries inline: who wrote on which channel, the text,
// the files, and the marker that finds it again.
func (c *crmSync) comment(ctx context.Context, m db.TimelineMessage, o db.TimelineComment, inlineSoFar int) (bitrix.Params, int, error) {
	lang := c.p.Lang
	channel := c.in.transportTitle(m.Transport) + " — " + m.ChannelName
	var head string
	switch {
	case m.Direction == "in":
		head = c.in.text(lang, "timeline.in", orPhone(m.ClientName, m.ClientPhone), channel)
	case m.FromPhone:
		head = c.in.text(lang, "timeline.out_phone", channel)
	default:
		head = c.in.text(lang, "timeline.out", channel)
	}
	lines := []string{head}
	if body := strings.TrimSpace(m.Body); body != "" {
		lines = append(lines, body)
	} else {
		lines = append(lines, "["+c.in.text(lang, "kind."+m.Kind)+"]")
	}
	fields := bitrix.Params{"ENTITY_ID": o.EntityID, "ENTITY_TYPE": o.EntityType}
	switch {
	case m.Direction == "out" && m.AuthorBitrix != nil:
		fields["AUTHOR_ID"] = *m.AuthorBitrix
	case c.bot != 0: // the client's words, and the phone's, under the app's bot
		fields["AUTHOR_ID"] = c.bot
	}
	var files []bitrix.File
	size := 0
	for _, a := range m.Attachments {
		switch {
		case a.State != db.AttachmentReady:
			lines = append(lines, c.in.text(lang, "timeline.file_lost", orText(a.FileName, a.MIME)))
		case a.Size <= inlineFile && inlineSoFar+size+int(a.Size) <= inlineBatch:
			b, err := c.readFile(ctx, a)
			if err != nil {
				return nil, 0, err
			}
			files = append(files, bitrix.File{Name: fileNameOf(m.Message, a), Content: b})
			size += len(b)
		default:
			full, err := c.in.Store.Attachment(ctx, c.p.ID, a.ID)
			if err != nil {
				return nil, 0, err
			}
			lines = append(lines, c.in.text(lang, "timeline.file_link", c.in.linkFor(full, timelineLinkTTL), fileNameOf(m.Message, a), c.sizeText(a.Size)))
		}
	}
	lines = append(lines, "[i]"+marker(m.ID)+"[/i]")
	fields["COMMENT"] = strings.Join(lines, "\n")
	if len(files) > 0 {
		fields["FILES"] = files
	}
	return fields, size, nil
}

func (c *crmSync) readFile(ctx context.Context, a db.Attachment) ([]byte, error) {
	full, err := c.in.Store.Attachment(ctx, c.p.ID, a.ID)
	if err != nil {
		return nil, err
	}
	f, err := c.in.OpenAttachment(ctx, full)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, inlineFile+1))
}

// fileNameOf names a file for the timeline: its own name, else its kind,
// the day and the time it came ("image-2026-12-01-1504.jpeg").
func fileNameOf(m db.Message, a db.Attachment) string {
	if a.FileName != "" {
		return a.FileName
	}
	base, _, _ := strings.Cut(a.MIME, ";")
	ext := strings.TrimPrefix(strings.TrimSpace(base[strings.LastIndexByte(base, '/')+1:]), "x-")
	return fmt.Sprintf("%s-%s.%s", m.Kind, m.CreatedAt.Format("2006-01-02-1504"), ext)
}

// sizeText is a file's size in the portal's language.
func (c *crmSync) sizeText(n int64) string {
	if n >= 1<<20 {
		return c.in.text(c.p.Lang, "size.mb", float64(n)/(1<<20))
	}
	return c.in.text(c.p.Lang, "size.kb", (n+1023)/1024)
}

func orPhone(name, phone string) string {
	switch {
	case name != "" && phone != "":
		return name + " (+" + phone + ")"
	case name != "":
		return name
	}
	return "+" + phone
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// entityTypeID is the CRM's numeric type of lead, contact or deal.
func entityTypeID(t string) bitrix.EntityTypeID {
	switch t {
	case "lead":
		return bitrix.EntityLead
	case "deal":
		return bitrix.EntityDeal
	default:
		return bitrix.EntityContact
	}
}
