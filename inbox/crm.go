package inbox

import (
	"context"
	"errors"
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

// nudgeEvery is how often the worker nudges the CRM sync of every portal
// with work waiting.
const nudgeEvery = 30 * time.Second

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
	return tx.NudgeStanding(ctx, portalID, JobCRMSync, in.Now())
}

// nudgeCRMSyncs asks for the CRM sync of every portal with work waiting
// (the worker does, every nudgeEvery): the net under NudgeStanding's race.
func (in *Inbox) nudgeCRMSyncs(ctx context.Context) error {
	if in.Portal == nil {
		return nil
	}
	ids, err := in.Store.PortalsWithCRMWork(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := in.Store.NudgeStanding(ctx, id, JobCRMSync, in.Now()); err != nil {
			return err
		}
	}
	return nil
}

// The CRM sync's lease is short and renewed before every REST call: an
// instance killed mid-run holds the portal's sync for at most crmLease.
// No call outlives the lease (callDeadline), so by the time another
// instance takes over, whatever the dead one sent has landed, and its
// unknown outcomes can be settled.
const (
	crmLease     = 20 * time.Second
	callDeadline = 10 * time.Second
)

// errLeaseLost: the run's lease ran out and another instance may run the
// sync now; this run stops at once.
var errLeaseLost = errors.New("inbox: the CRM sync's lease was lost")

// crmSync is one run of a portal's CRM sync.
type crmSync struct {
	in    *Inbox
	job   db.Job
	p     db.Portal
	s     CRM
	pc    *bitrix.PortalClient
	until time.Time
	bot   int64 // the app's bot: the author of what clients write
}

// hold renews the run's lease, or says it was lost.
func (c *crmSync) hold(ctx context.Context) error {
	mine, err := c.in.Store.RenewLease(ctx, c.in.Now(), c.job.ID, c.job.Attempts, crmLease)
	if err != nil {
		return err
	}
	if !mine {
		return errLeaseLost
	}
	return nil
}

// rest makes one REST call (or batch) under the lease, within callDeadline.
func (c *crmSync) rest(ctx context.Context, call func(ctx context.Context) error) error {
	if err := c.hold(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, callDeadline)
	defer cancel()
	return call(ctx)
}

func (c *crmSync) batch(ctx context.Context, halt bool, cmds ...bitrix.BatchCommand) (bitrix.BatchResults, error) {
	var res bitrix.BatchResults
	err := c.rest(ctx, func(ctx context.Context) error {
		var err error
		res, err = c.pc.Batch(ctx, halt, cmds...)
		return err
	})
	return res, err
}

func (c *crmSync) create(ctx context.Context, method string, fields bitrix.Fields) (int64, error) {
	var id bitrix.FlexInt
	err := c.rest(ctx, func(ctx context.Context) error {
		return c.pc.Call(ctx, method, bitrix.Params{"fields": fields}, &id)
	})
	return int64(id), err
}

func (c *crmSync) comments(ctx context.Context, owner bitrix.Owner) ([]bitrix.TimelineComment, error) {
	var cs []bitrix.TimelineComment
	err := c.rest(ctx, func(ctx context.Context) error {
		var err error
		cs, err = c.pc.TimelineComments(ctx, owner)
		return err
	})
	return cs, err
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
	c := &crmSync{in: in, job: j, p: p, s: s.CRM, pc: in.Portal.Client.Portal(p.MemberID, p.BaseURL), until: in.Now().Add(crmBudget)}
	if st, err := in.Store.PortalInstall(ctx, p.ID); err == nil && st.BotID != nil {
		c.bot = *st.BotID
	}
	if err := c.linkClients(ctx); err != nil {
		return err
	}
	if err := c.refresh(ctx); err != nil {
		return err
	}
	if err := c.mirror(ctx); err != nil {
		return err
	}
	if b, err := in.Store.CRMBacklog(ctx, p.ID); err == nil && (b.Messages > 0 || b.NewClients > 0) {
		age := time.Duration(0)
		if b.Oldest != nil {
			age = in.Now().Sub(*b.Oldest).Round(time.Second)
		}
		in.Log.Info("CRM backlog", "portal", p.MemberID, "messages", b.Messages, "oldest", age, "new_clients", b.NewClients)
	}
	return nil
}

// more is whether the run may take more work; when not, the sync is asked
// for again, to go on in its next run.
func (c *crmSync) more(ctx context.Context) (bool, error) {
	if c.in.Now().Before(c.until) {
		return true, nil
	}
	return false, c.in.Store.RequestStanding(ctx, c.p.ID, JobCRMSync, c.in.Now())
}

// assigned tells open pages that dialogs changed responsible: the row moves
// to the top for whoever sees it now and leaves the lists of those who no
// longer may.
func (c *crmSync) assigned(ctx context.Context, dialogs []int64) error {
	events := make([]Event, len(dialogs))
	for i, d := range dialogs {
		events[i] = Event{Portal: c.p.ID, Dialog: d, Kind: EventAssign}
	}
	return c.in.Store.LogEvents(ctx, c.in.Now(), events...)
}
