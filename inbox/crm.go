package inbox

import (
	"context"
	"fmt"
	"time"

	"switchboard/bitrix"
	"switchboard/db"
)

// The CRM mirror's standing jobs: one row per portal at a time, asked for
// again by every change that gives them work (db.RequestStanding).
const (
	// JobCRMSync links new clients to the CRM (found or created, with a
	// responsible) and mirrors queued messages into their timelines, in
	// order, batched.
	JobCRMSync = "crm_sync"
)

// standing is whether a job kind is a standing job: it never gives up (the
// next run has the same work to do), it only waits longer.
func standing(kind string) bool { return kind == JobCRMSync || kind == JobCRMReconcile }

// crmBudget is how long one run of the CRM sync keeps taking new work; the
// rest waits for its next run, so a long backlog never outlives the lease.
const crmBudget = 90 * time.Second

// originator marks what the app creates in the CRM (ORIGINATOR_ID), and
// ORIGIN_ID "client:<id>" says for whom: a retry after an unknown outcome
// finds its own entity instead of creating a second one.
const originator = "switchboard"

func originOf(clientID int64) string { return fmt.Sprintf("client:%d", clientID) }

// requestCRMSync asks for the portal's CRM sync inside the caller's
// transaction: it runs once what the transaction stored is committed.
func (in *Inbox) requestCRMSync(ctx context.Context, tx *db.Store, portalID int64) error {
	if in.Portal == nil {
		return nil // no Bitrix24 behind this inbox: nothing to mirror
	}
	return tx.RequestStanding(ctx, portalID, JobCRMSync, in.Now())
}

// crmSync is one run of a portal's CRM sync.
type crmSync struct {
	in    *Inbox
	p     db.Portal
	s     CRM
	pc    *bitrix.PortalClient
	until time.Time
}

// runCRMSync runs one JobCRMSync.
func (in *Inbox) runCRMSync(ctx context.Context, j db.Job) error {
	if in.Portal == nil {
		return nil
	}
	p, err := in.Store.Portal(ctx, j.PortalID)
	if err != nil {
		return err
	}
	if !p.Enabled {
		return nil
	}
	s, err := settingsOf(p.Settings)
	if err != nil {
		return errPermanent{err}
	}
	c := &crmSync{in: in, p: p, s: s.CRM, pc: in.Portal.Client.Portal(p.MemberID, p.BaseURL), until: in.Now().Add(crmBudget)}
	if err := c.linkClients(ctx); err != nil {
		return err
	}
	if err := c.refresh(ctx); err != nil {
		return err
	}
	return c.mirror(ctx)
}

// more is whether the run may take more work; when not, the sync is asked
// for again, to go on in its next run.
func (c *crmSync) more(ctx context.Context) (bool, error) {
	if c.in.Now().Before(c.until) {
		return true, nil
	}
	return false, c.in.Store.RequestStanding(ctx, c.p.ID, JobCRMSync, c.in.Now())
}
