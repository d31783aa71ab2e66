package inbox

import (
	"context"
	"fmt"
	"strconv"

	"switchboard/channels"
	"switchboard/db"
)

// Errors of a webhook we refuse: nothing of it is stored.
var (
	ErrBadSignature = channels.ErrBadSignature
	ErrMalformed    = channels.ErrMalformed
)

// Received is what one webhook brought.
type Received struct {
	ChannelID int64
	// History: a coexistence backfill, kept raw (Backlog) and absorbed later.
	History bool
	Backlog int64
	IngestResult
}

// webhookChannel finds the transport and channel a webhook names, the
// channel as read less than webhookChannelTTL ago when recent is set;
// ErrNotFound for a transport or channel we do not have.
func (in *Inbox) webhookChannel(ctx context.Context, transport, channel string, recent bool) (channels.Transport, db.Channel, error) {
	t, ok := in.Transports[transport]
	if !ok {
		return nil, db.Channel{}, fmt.Errorf("inbox: no transport %q: %w", transport, ErrNotFound)
	}
	id, err := strconv.ParseInt(channel, 10, 64)
	if err != nil {
		return nil, db.Channel{}, fmt.Errorf("inbox: channel %q: %w", channel, ErrNotFound)
	}
	if recent {
		ch, err := in.channels.get(ctx, in.Store, transport, id)
		return t, ch, err
	}
	ch, err := in.Store.ChannelForWebhook(ctx, transport, id)
	return t, ch, err
}

// VerifyWebhook answers a provider's subscription handshake for a channel:
// the challenge to echo, channels.ErrBadVerifyToken, or ErrNotFound.
func (in *Inbox) VerifyWebhook(ctx context.Context, transport, channel string, query map[string][]string) (string, error) {
	t, ch, err := in.webhookChannel(ctx, transport, channel, false) // a handshake is rare: its token read afresh
	if err != nil {
		return "", err
	}
	challenge, err := t.Verify(Account(ch), query)
	if err != nil {
		return "", err
	}
	// The settings page waits for this: the webhook is set up.
	return challenge, in.Store.MarkChannelVerified(ctx, ch.PortalID, ch.ID, in.Now())
}

// Receive takes a webhook for a channel: its signature is checked against
// the raw body (ErrBadSignature), it is parsed (ErrMalformed), and what it
// carries is stored before it returns, in a transaction shared with the
// webhooks that arrive with it (IngestShared). A coexistence history backfill is
// kept raw and absorbed in the background, however large. Any other error
// is the store's: the provider should retry.
func (in *Inbox) Receive(ctx context.Context, transport, channel, signature string, body []byte) (Received, error) {
	t, ch, err := in.webhookChannel(ctx, transport, channel, true)
	if err != nil {
		return Received{}, err
	}
	rec := Received{ChannelID: ch.ID}
	hook, err := t.ParseWebhook(Account(ch), signature, body)
	if err != nil {
		return rec, fmt.Errorf("inbox: webhook of channel %d: %w", ch.ID, err)
	}
	if ch.VerifiedAt == nil { // a signed webhook proves the set-up as well as the handshake
		if err := in.Store.MarkChannelVerified(ctx, ch.PortalID, ch.ID, in.Now()); err != nil {
			return rec, err
		}
	}
	if hook.History {
		rec.History = true
		rec.Backlog, err = in.KeepWebhook(ctx, ch, signature, body)
		return rec, err
	}
	rec.IngestResult, err = in.IngestShared(ctx, ch, hook)
	return rec, err
}
