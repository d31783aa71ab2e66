package inbox

import (
	"context"
	"sync"
	"time"

	"switchboard/db"
)

// webhookChannelTTL is how long a webhook's channel, once read, answers
// the webhooks after it. Every webhook needs its channel before anything
// else (the secret its signature is checked with), and reading it each
// time was a round trip per message outside the shared transaction: 2,020
// instead of 1,343 messages a second with 32 senders (measured). A change
// this instance makes forgets the channel at once; one made on another
// instance reaches this one's webhooks within the TTL.
const webhookChannelTTL = 2 * time.Second

// webhookChannels remembers the channels webhooks came for; its zero value
// is empty. Only a channel that exists, is not removed and has passed its
// handshake is kept, so a new channel, a removed one and a refused address
// are always read afresh.
type webhookChannels struct {
	mu   sync.Mutex
	byID map[webhookKey]cachedChannel
}

type webhookKey struct {
	transport string
	id        int64
}

type cachedChannel struct {
	ch   db.Channel
	read time.Time
}

// get is the channel, from memory when read less than the TTL ago.
func (c *webhookChannels) get(ctx context.Context, store *db.Store, transport string, id int64) (db.Channel, error) {
	k := webhookKey{transport, id}
	c.mu.Lock()
	e, ok := c.byID[k]
	c.mu.Unlock()
	if ok && time.Since(e.read) < webhookChannelTTL {
		return e.ch, nil
	}
	read := time.Now()
	ch, err := store.ChannelForWebhook(ctx, transport, id)
	if err != nil || ch.VerifiedAt == nil {
		return ch, err
	}
	c.mu.Lock()
	if c.byID == nil {
		c.byID = map[webhookKey]cachedChannel{}
	}
	c.byID[k] = cachedChannel{ch, read}
	c.mu.Unlock()
	return ch, nil
}

// forget drops a channel this instance changed or removed.
func (c *webhookChannels) forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.byID {
		if k.id == id {
			delete(c.byID, k)
		}
	}
}
