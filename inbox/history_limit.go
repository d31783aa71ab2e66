package inbox

import (
	"slices"
	"strings"
	"time"

	"switchboard/channels"
)

// historyDialogs is how many conversations a coexistence number's history
// brings in when it is connected: the last three, as the seed says.
const historyDialogs = 3

// limitHistory keeps, of a history backfill, the messages of the dialogs
// the channel has and, while it has fewer than limit, of the new
// conversations with the latest messages; it returns how many it dropped.
// Meta sends the newest history first, so the first chunk picks them.
func limitHistory(hook *channels.Webhook, known []string, limit int) int {
	keep := map[string]bool{}
	for _, id := range known {
		keep[id] = true
	}
	latest := map[string]time.Time{}
	for _, m := range hook.Messages {
		if !keep[m.Peer.ID] && m.SentAt.After(latest[m.Peer.ID]) {
			latest[m.Peer.ID] = m.SentAt
		}
	}
	var fresh []string
	for id := range latest {
		fresh = append(fresh, id)
	}
	slices.SortFunc(fresh, func(a, b string) int {
		if c := latest[b].Compare(latest[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	for _, id := range fresh {
		if len(keep) >= limit {
			break
		}
		keep[id] = true
	}
	before := len(hook.Messages)
	hook.Messages = slices.DeleteFunc(hook.Messages, func(m channels.Message) bool { return !keep[m.Peer.ID] })
	return before - len(hook.Messages)
}
