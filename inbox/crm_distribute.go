package inbox

import (
	"context"
	"fmt"
	"slices"
	"time"

	"switchboard/bitrix"
	"switchboard/db"
)

// loadWindow is how far back a dialog counts as open for the least-loaded
// rule: a dialog active in the last day is on the manager's hands.
const loadWindow = 24 * time.Hour

// distribute picks the responsible (a Bitrix24 user id) of an entity the
// CRM sync creates, by setting 8: round-robin over the list (default: every
// user with access to the app), always its first person, or the least
// loaded of them. 0 leaves ASSIGNED_BY_ID to Bitrix24 (the calling user).
func (c *crmSync) distribute(ctx context.Context) (int64, error) {
	candidates := slices.Clone(c.s.DistributeTo)
	if len(candidates) == 0 {
		users, err := c.in.Store.AppUsers(ctx, c.p.ID)
		if err != nil {
			return 0, err
		}
		for _, u := range users {
			candidates = append(candidates, u.BitrixUserID)
		}
	}
	if len(candidates) == 0 {
		return 0, nil
	}
	switch c.s.Distribute {
	case DistributeOne:
		return candidates[0], nil
	case DistributeLeastLoaded:
		return c.leastLoaded(ctx, candidates)
	default:
		return c.turn(ctx, candidates)
	}
}

// turn is the next of candidates in the portal's round-robin, kept in
// PostgreSQL so every instance and restart shares it.
func (c *crmSync) turn(ctx context.Context, candidates []int64) (int64, error) {
	n, err := c.in.Store.NextTurn(ctx, c.p.ID)
	if err != nil {
		return 0, err
	}
	return candidates[(n-1)%int64(len(candidates))], nil
}

// leastLoaded is the candidate with the fewest dialogs active in the last
// day; ties take turns.
func (c *crmSync) leastLoaded(ctx context.Context, candidates []int64) (int64, error) {
	ours := make(map[int64]int64, len(candidates)) // Bitrix24 id → ours
	var ids []int64
	for _, b := range candidates {
		if u, err := c.in.Store.UserByBitrixID(ctx, c.p.ID, b); err == nil {
			ours[b] = u.ID
			ids = append(ids, u.ID)
		}
	}
	counts, err := c.in.Store.OpenDialogCounts(ctx, c.p.ID, ids, c.in.Now().Add(-loadWindow))
	if err != nil {
		return 0, err
	}
	load := func(b int64) int { return counts[ours[b]] }
	least := slices.MinFunc(candidates, func(a, b int64) int { return load(a) - load(b) })
	var tied []int64
	for _, b := range candidates {
		if load(b) == load(least) {
			tied = append(tied, b)
		}
	}
	return c.turn(ctx, tied)
}

// notification tells the responsible of what was created for a new
// client, in the portal's language, with a link that opens the client's
// dialog in the app. Its tag is the client's: sent again (a retry), it
// replaces itself instead of repeating.
func (c *crmSync) notification(cl db.NewClient, e crmEntity, to db.User) bitrix.BatchCommand {
	msg := c.in.text(c.p.Lang, "crm.notify.new_client", displayName(cl), c.in.text(c.p.Lang, "crm.entity."+e.Type), e.Title,
		c.appLink(cl.ID))
	return bitrix.BatchCommand{Method: "im.notify.personal.add", Params: bitrix.Params{
		"USER_ID": to.BitrixUserID, "MESSAGE": msg, "TAG": fmt.Sprintf("switchboard|client|%d", cl.ID)}}
}

// notify sends notifications in one batch. One that fails is logged, not
// retried: the entity is made and linked, and the responsible sees the
// client in the app.
func (c *crmSync) notify(ctx context.Context, notes []bitrix.BatchCommand) error {
	if len(notes) == 0 {
		return nil
	}
	res, err := c.batch(ctx, false, notes...)
	if err != nil {
		c.in.Log.Warn("notifications of new clients not sent", "portal", c.p.ID, "count", len(notes), "err", err)
		return nil
	}
	for _, r := range res {
		if r.Err != nil {
			c.in.Log.Warn("a notification of a new client was refused", "portal", c.p.ID, "err", r.Err)
		}
	}
	return nil
}

// appLink opens the app inside the portal on a client's dialog: the app's
// page with params[client], which Bitrix24 hands the app as
// PLACEMENT_OPTIONS.
func (c *crmSync) appLink(clientID int64) string {
	// Brackets escaped: a "]" would end the BB-code [url=...] early.
	return fmt.Sprintf("%s/marketplace/app/?params%%5Bclient%%5D=%d", c.p.BaseURL, clientID)
}
