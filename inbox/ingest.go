package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/channels"
	"switchboard/db"
)

// IngestResult counts what a webhook changed.
type IngestResult struct {
	Stored     int // new messages
	Duplicates int // messages already stored (a retried webhook)
	Statuses   int // delivery statuses applied
	Changes    int // reactions, edits and deletes applied
	Orphans    int // edits and deletes whose message we do not have
	Rejected   int // items kept raw and skipped: they cannot be stored as what they are
}

// Ingest stores everything one webhook carried for a channel in ONE
// transaction: clients, dialogs, messages (each provider id once), exact
// unread counts, statuses, and the live events, logged in the same transaction. The
// messages go in one pass whatever their number. One bad item never costs
// its neighbours: text PostgreSQL cannot hold is cleaned, an absurd time
// becomes the receive time, and an item that still cannot be stored is kept
// raw (webhook_rejects), logged and skipped. Only a failure of the store
// itself is an error.
//
// The first try runs without savepoints (two round trips fewer per step):
// should anything fail, the transaction is rolled back and the webhook
// stored again carefully, each step in a savepoint and, when the step
// fails, each item in one of its own.
func (in *Inbox) Ingest(ctx context.Context, ch db.Channel, w *channels.Webhook) (IngestResult, error) {
	hook := []arrival{{ch: ch, w: w}}
	var res []IngestResult
	try := func(careful bool) error {
		return in.live().InTx(ctx, func(tx *db.Store) error {
			var err error
			res, err = in.ingestTx(ctx, tx, hook, careful)
			return err
		})
	}
	err := try(false)
	if err != nil && ctx.Err() == nil {
		in.Log.Warn("a webhook failed as a whole; storing it item by item", "channel", ch.ID, "err", err)
		err = try(true)
	}
	if err != nil {
		return IngestResult{}, fmt.Errorf("inbox: unable to ingest webhook of channel %d: %w", ch.ID, err)
	}
	return res[0], nil
}

// arrival is one webhook to store: the channel it came for, what it carries.
type arrival struct {
	ch db.Channel
	w  *channels.Webhook
}

// ingest is the ingestion of one channel's webhooks under way, possibly in
// a transaction shared with other channels' webhooks: the counts of each
// webhook and the live events to publish on commit.
type ingest struct {
	in      *Inbox
	tx      *db.Store
	ch      db.Channel
	now     time.Time
	results []IngestResult // one per webhook
	res     *IngestResult  // the webhook whose items are at hand
	events  []Event
	// careful runs each step in a savepoint, and each item of a failed
	// step in one of its own; not careful, a failure fails the transaction.
	careful bool
}

// ingestTx stores webhooks inside the caller's transaction: the messages
// of each channel in one pass, whatever the number of webhooks that
// brought them, then each webhook's statuses and changes in order; the
// CRM sync asked once per portal, the live events logged in one statement.
// It returns each webhook's counts, in the order given.
func (in *Inbox) ingestTx(ctx context.Context, tx *db.Store, hooks []arrival, careful bool) ([]IngestResult, error) {
	now := in.Now()
	results := make([]IngestResult, len(hooks))
	var groups []*ingest
	var members [][]int // the hooks of each group, by index
	byChannel := map[int64]int{}
	for i, h := range hooks {
		k, ok := byChannel[h.ch.ID]
		if !ok {
			k = len(groups)
			byChannel[h.ch.ID] = k
			groups = append(groups, &ingest{in: in, tx: tx, ch: h.ch, now: now, careful: careful})
			members = append(members, nil)
		}
		members[k] = append(members[k], i)
	}
	var events []Event
	synced := map[int64]bool{}
	for k, g := range groups {
		ws := make([]*channels.Webhook, len(members[k]))
		for j, i := range members[k] {
			ws[j] = hooks[i].w
		}
		g.results = make([]IngestResult, len(ws))
		if err := g.messages(ctx, ws); err != nil {
			return nil, err
		}
		steps := []func(context.Context, *channels.Webhook) error{g.statuses, g.reactions, g.edits, g.deletes}
		for j, w := range ws {
			g.res = &g.results[j]
			for _, step := range steps {
				if err := step(ctx, w); err != nil {
					return nil, err
				}
			}
		}
		stored := 0
		for j, i := range members[k] {
			results[i] = g.results[j]
			stored += g.results[j].Stored
		}
		if stored > 0 { // a new client, or messages to mirror: the CRM sync has work
			if !synced[g.ch.PortalID] {
				synced[g.ch.PortalID] = true
				if err := in.requestCRMSync(ctx, tx, g.ch.PortalID); err != nil {
					return nil, err
				}
			}
			if err := in.requestProfiles(ctx, tx, g.ch, ws...); err != nil {
				return nil, err
			}
		}
		events = append(events, g.events...)
	}
	return results, tx.LogEvents(ctx, now, events...)
}

// tryAll runs run(0, n); carefully, in one savepoint, and should it fail,
// each item in a savepoint of its own, an item that fails alone kept raw
// (item gives it and the webhook it came in) and skipped: a batch stores
// everything it can.
func (g *ingest) tryAll(ctx context.Context, n int, run func(lo, hi int) error, item func(i int) any) error {
	if n == 0 {
		return nil
	}
	if !g.careful {
		return run(0, n)
	}
	res, events := slices.Clone(g.results), len(g.events)
	if g.tx.Savepoint(ctx, func() error { return run(0, n) }) == nil {
		return nil
	}
	copy(g.results, res)
	g.events = g.events[:events]
	for i := range n {
		res, events := slices.Clone(g.results), len(g.events)
		err := g.tx.Savepoint(ctx, func() error { return run(i, i+1) })
		if err == nil {
			continue
		}
		copy(g.results, res)
		g.events = g.events[:events]
		if err := g.reject(ctx, item(i), err.Error()); err != nil {
			return err
		}
	}
	return nil
}

// reject keeps an item raw with the reason it could not be stored, counted
// in the webhook at hand. Only a failure to keep it is an error.
func (g *ingest) reject(ctx context.Context, item any, reason string) error {
	raw, err := json.Marshal(item)
	if err != nil {
		raw = []byte(fmt.Sprintf("%#v", item))
	}
	g.in.Log.Warn("webhook item kept raw and skipped", "channel", g.ch.ID, "reason", reason)
	g.res.Rejected++
	return g.tx.KeepRejected(ctx, g.ch.PortalID, g.ch.ID, reason, raw)
}

// messages stores the messages of the channel's webhooks in one pass; a
// provider id twice (a retried webhook arriving with its first) is stored
// once and counted a duplicate of the later webhook.
func (g *ingest) messages(ctx context.Context, ws []*channels.Webhook) error {
	var items []db.Inbound
	var from []channels.Message
	var origin []int // the webhook of each item
	seen := map[string]bool{}
	for k, w := range ws {
		g.res = &g.results[k]
		for _, m := range w.Messages {
			m, reason := cleanMessage(m, g.now)
			switch {
			case reason != "":
				if err := g.reject(ctx, m, reason); err != nil {
					return err
				}
				continue
			case seen[m.ProviderID]:
				g.res.Duplicates++
				continue
			}
			seen[m.ProviderID] = true
			items, from, origin = append(items, g.inbound(m)), append(from, m), append(origin, k)
		}
	}
	return g.tryAll(ctx, len(items), func(lo, hi int) error {
		return g.storeInbound(ctx, items[lo:hi], origin[lo:hi])
	}, func(i int) any { g.res = &g.results[origin[i]]; return from[i] })
}

// inbound is the row a clean message is stored as.
func (g *ingest) inbound(m channels.Message) db.Inbound {
	status := "received"
	if m.Direction == channels.Outbound {
		status = "sent"
	}
	providerID := m.ProviderID
	it := db.Inbound{
		ClientExternalID: m.Peer.ID, ClientPhone: m.Peer.Phone, ClientName: m.Peer.Name,
		Message: db.Message{
			PortalID: g.ch.PortalID, ChannelID: g.ch.ID, Direction: string(m.Direction), FromPhone: m.FromPhone,
			Kind: string(m.Kind), Body: m.Text, ProviderID: &providerID, Status: status, ReplyTo: m.ReplyTo,
			Forwarded: m.Forwarded, CreatedAt: m.SentAt,
		},
		Preview:  Preview(m.Kind, m.Text),
		Unread:   m.Direction == channels.Inbound && !m.History,
		Answered: m.Direction == channels.Outbound && !m.History,
	}
	if ref := m.Media; ref != nil {
		it.Media = &db.Attachment{FileName: ref.FileName, MIME: ref.MIME, SHA256: ref.SHA256,
			ProviderMediaID: ref.ID, ProviderURL: ref.URL}
	}
	return it
}

// storeInbound stores items, queues the download of their files, and
// collects the live events of the live (not backfilled) ones; origin[i] is
// the webhook items[i] came in, whose counts it goes to.
func (g *ingest) storeInbound(ctx context.Context, items []db.Inbound, origin []int) error {
	stored, err := g.tx.StoreInbound(ctx, g.ch.PortalID, g.ch.ID, g.ch.Transport, items)
	if err != nil {
		return err
	}
	var fetches []any
	var live []int64     // dialogs whose waiting changed: their clients' lines
	var answered []int64 // dialogs the phone answered: the counter counts them
	ids := make([]int64, 0, len(stored))
	for _, st := range stored {
		ids = append(ids, st.ID)
		if st.MediaID != 0 {
			fetches = append(fetches, FetchMediaPayload{AttachmentID: st.MediaID})
		}
		if it := items[st.Index]; it.Unread || it.Answered {
			g.events = append(g.events, Event{Portal: g.ch.PortalID, Dialog: st.DialogID, Message: st.ID, Kind: EventMessage})
			live = append(live, st.DialogID)
		}
		if items[st.Index].Answered {
			answered = append(answered, st.DialogID)
		}
	}
	if err := g.in.countEchoes(ctx, g.tx, g.ch, answered, g.now); err != nil {
		return err
	}
	if err := g.in.queueNotify(ctx, g.tx, g.ch.PortalID, live...); err != nil {
		return err
	}
	for _, k := range origin { // every item is its webhook's duplicate, unless it was stored
		g.results[k].Duplicates++
	}
	for _, st := range stored {
		g.results[origin[st.Index]].Stored++
		g.results[origin[st.Index]].Duplicates--
	}
	if err := g.in.queueTimeline(ctx, g.tx, g.ch.PortalID, ids); err != nil {
		return err
	}
	return g.tx.EnqueueMany(ctx, g.ch.PortalID, JobFetchMedia, fetches, g.now)
}

// statuses applies the webhook's delivery statuses.
func (g *ingest) statuses(ctx context.Context, w *channels.Webhook) error {
	var sts []channels.Status
	for _, st := range w.Statuses {
		st.ProviderID, st.State, st.ErrorTitle = clean(st.ProviderID), clean(st.State), clean(st.ErrorTitle)
		if reason := checkID("status", st.ProviderID); reason != "" {
			if err := g.reject(ctx, st, reason); err != nil {
				return err
			}
			continue
		}
		sts = append(sts, st)
	}
	return g.tryAll(ctx, len(sts), func(lo, hi int) error {
		for _, st := range sts[lo:hi] {
			if err := g.applyStatus(ctx, st); err != nil {
				return err
			}
		}
		return nil
	}, func(i int) any { return sts[i] })
}

// applyStatus moves an outgoing message forward to a delivery state; a
// status never changes an inbound message.
func (g *ingest) applyStatus(ctx context.Context, st channels.Status) error {
	msgID, dialogID, found, changed, err := g.tx.ApplyStatus(ctx, db.StatusUpdate{
		PortalID: g.ch.PortalID, ChannelID: g.ch.ID, ProviderID: st.ProviderID, Status: st.State,
		ErrorCode: st.ErrorCode, ErrorText: st.ErrorTitle, At: g.now,
	})
	if err != nil || !found || !changed {
		return err
	}
	g.res.Statuses++
	g.events = append(g.events, Event{Portal: g.ch.PortalID, Dialog: dialogID, Message: msgID, Kind: EventStatus})
	return nil
}

// Limits of what a webhook item may hold to be stored as what it is.
const (
	maxProviderID = 512 // bytes: far above any real wamid or mid, far below an index entry's limit
	maxPeerID     = 256
)

// earliestMessage is before any message a Meta messenger can have sent.
var earliestMessage = time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC)

// cleanMessage makes a parsed message storable: text PostgreSQL cannot hold
// (NUL, invalid UTF-8) is cleaned and an absent, negative or absurd time
// becomes now. A message that still cannot be stored as what it is comes
// with the reason.
func cleanMessage(m channels.Message, now time.Time) (channels.Message, string) {
	m.ProviderID, m.Text, m.ReplyTo = clean(m.ProviderID), clean(m.Text), clean(m.ReplyTo)
	m.Peer.ID, m.Peer.Phone, m.Peer.Name = clean(m.Peer.ID), clean(m.Peer.Phone), clean(m.Peer.Name)
	m.Kind = channels.Kind(clean(string(m.Kind)))
	if m.Media != nil {
		media := *m.Media
		media.ID, media.URL, media.MIME, media.SHA256, media.FileName =
			clean(media.ID), clean(media.URL), clean(media.MIME), clean(media.SHA256), clean(media.FileName)
		m.Media = &media
	}
	m.SentAt = saneTime(m.SentAt, now)
	if reason := checkID("message", m.ProviderID); reason != "" {
		return m, reason
	}
	switch {
	case m.Peer.ID == "":
		return m, "a message without a client id"
	case len(m.Peer.ID) > maxPeerID:
		return m, fmt.Sprintf("a client id of %d bytes", len(m.Peer.ID))
	case m.Direction != channels.Inbound && m.Direction != channels.Outbound:
		return m, fmt.Sprintf("a message of direction %q", m.Direction)
	}
	return m, ""
}

// checkID says why a provider id cannot key a row ("" when it can).
func checkID(what, id string) string {
	switch {
	case id == "":
		return "a " + what + " without a provider id"
	case len(id) > maxProviderID:
		return fmt.Sprintf("a %s whose provider id has %d bytes", what, len(id))
	}
	return ""
}

// clean drops what PostgreSQL's text cannot hold: NUL characters and
// invalid UTF-8.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// saneTime is t, or now when t is absent, before any messenger existed, or
// more than a day ahead.
func saneTime(t, now time.Time) time.Time {
	if t.IsZero() || t.Before(earliestMessage) || t.After(now.Add(24*time.Hour)) {
		return now
	}
	return t
}

// previewLen is how many characters of a message the dialog list shows.
const previewLen = 80

// Preview is the dialog list's one-line summary of a message.
func Preview(kind channels.Kind, text string) string {
	if text == "" && kind != channels.KindText {
		text = "[" + string(kind) + "]"
	}
	if utf8.RuneCountInString(text) > previewLen {
		r := []rune(text)
		text = string(r[:previewLen-1]) + "…"
	}
	return text
}
