// Package inbox holds Switchboard's rules: ingesting what clients write,
// sending what managers answer, who may see which dialog, and the outbox
// worker that does the slow work later. It never speaks HTTP.
package inbox

import (
	"context"
	"fmt"
	"log/slog"

	"switchboard/channels"
	"switchboard/db"
)

// Inbox is the rules engine over one database.
type Inbox struct {
	Store      *db.Store
	Transports map[string]channels.Transport // by Name(); the rules ask them, never name one
	Log        *slog.Logger
	// Clock decides what is due and what has expired; SystemClock by default.
	Clock Clock
	// Blobs holds the files of attachments, both ways.
	Blobs Blobs
	// PublicURL is the app's address as the providers reach it (no trailing
	// slash); Instagram fetches outgoing files from signed links under it.
	PublicURL string
	// LinkSecret signs those links.
	LinkSecret []byte
	// GraphAPI is the Graph API base channels are added against;
	// DefaultGraphAPI when empty.
	GraphAPI string
	// HistoryDialogs is how many conversations a coexistence number's
	// history brings in; 0 means the seed's three.
	HistoryDialogs int
	// Texts gives, in a Bitrix24 LANG, the words inbox writes into the
	// portal (the bot, the notification chat); views owns every such text.
	Texts func(lang, key string, args ...any) string
	// Portal reaches Bitrix24; nil where no portal is connected (tests of
	// the messenger side).
	Portal *Portal
	// Live is the store of the live path, the webhooks' shared
	// transactions and the hub's reads, on a small pool of its own
	// (LivePool connections): a burst of page loads or stream openings never
	// takes its connections, and each of them has the path's statements
	// prepared already (a first use on a connection parses and plans each
	// statement again: 0.2–0.8 ms, measured). Store when nil.
	Live *db.Store

	hooks    hookQueue       // webhooks waiting for a shared transaction
	channels webhookChannels // the channels webhooks came for, read recently
}

// LivePool is how many connections the live path's store needs: the
// webhooks' committers and the hub's reader, one each.
const LivePool = ingestCommitters + 1

// live is the store of the live path.
func (in *Inbox) live() *db.Store {
	if in.Live != nil {
		return in.Live
	}
	return in.Store
}

// New builds an Inbox.
func New(store *db.Store, transports []channels.Transport, log *slog.Logger) *Inbox {
	byName := make(map[string]channels.Transport, len(transports))
	for _, t := range transports {
		byName[t.Name()] = t
	}
	if log == nil {
		log = slog.Default()
	}
	return &Inbox{Store: store, Transports: byName, Log: log, Clock: SystemClock}
}

// Account is the transport's view of a stored channel.
func Account(ch db.Channel) channels.Account {
	return channels.Account{
		Transport:   ch.Transport,
		ExternalID:  ch.ExternalID,
		AccessToken: ch.AccessToken,
		AppSecret:   ch.AppSecret,
		VerifyToken: ch.VerifyToken,
		APIBase:     ch.APIBase,
		BusinessID:  ch.BusinessID,
	}
}

// text is the words of key in lang, formatted with args, or the key where
// no Texts are wired.
func (in *Inbox) text(lang, key string, args ...any) string {
	if in.Texts == nil {
		return key
	}
	return in.Texts(lang, key, args...)
}

// channelOf reads a portal's channel with its transport; a channel of a
// transport this build lacks is a permanent error (no retry mends it).
func (in *Inbox) channelOf(ctx context.Context, portalID, channelID int64) (db.Channel, channels.Transport, error) {
	ch, err := in.Store.Channel(ctx, portalID, channelID)
	if err != nil {
		return db.Channel{}, nil, err
	}
	t, ok := in.Transports[ch.Transport]
	if !ok {
		return ch, nil, errPermanent{fmt.Errorf("inbox: no transport %q", ch.Transport)}
	}
	return ch, t, nil
}
