package inbox

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"switchboard/bitrix"
	"switchboard/db"
)

// JobCRMReconcile lists what changed in the portal's CRM since it last
// looked and marks it to be read again: Bitrix24 sends each event once and
// never retries, so a lost event is caught within reconcileEvery.
const JobCRMReconcile = "crm_reconcile"

// Reconciliation tuning: how often each portal is reconciled, and how far
// back each look overlaps the last (clocks and commit order).
const (
	reconcileEvery   = 10 * time.Minute
	reconcileOverlap = 2 * time.Minute
)

// crmEvent takes a CRM event as a hint: the entity it names is marked to be
// read again through REST. Nothing else the event says is trusted (the
// application token reaches every employee's browser).
func (in *Inbox) crmEvent(ctx context.Context, p db.Portal, ev *bitrix.Event) error {
	t := crmEventType(ev.Name)
	id := ev.EntityID()
	if t == "" || id <= 0 || in.Portal == nil {
		return nil
	}
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		if err := tx.MarkDirty(ctx, p.ID, []db.CRMEntity{{Type: t, ID: id}}, in.Now()); err != nil {
			return err
		}
		return in.requestCRMSync(ctx, tx, p.ID)
	})
}

// crmEventType is the entity type of ONCRM{LEAD,CONTACT,DEAL}{ADD,UPDATE,DELETE}.
func crmEventType(name string) string {
	for _, t := range []string{"LEAD", "CONTACT", "DEAL"} {
		if strings.HasPrefix(name, "ONCRM"+t) {
			return strings.ToLower(t)
		}
	}
	return ""
}

// refresh reads the marked entities again and puts their links and
// responsibles right; an entity the CRM no longer has loses its links.
func (c *crmSync) refresh(ctx context.Context) error {
	for {
		dirty, err := c.in.Store.DirtyEntities(ctx, c.p.ID, bitrix.MaxBatch)
		if err != nil || len(dirty) == 0 {
			return err
		}
		if err := c.reread(ctx, dirty); err != nil {
			return err
		}
		if err := c.in.Store.CleanEntities(ctx, c.p.ID, dirty); err != nil {
			return err
		}
		if more, err := c.more(ctx); !more || err != nil {
			return err
		}
	}
}

// reread reads entities in one batch (a list per type, by id) and relinks
// each; one the lists do not return is gone.
func (c *crmSync) reread(ctx context.Context, dirty []db.CRMEntity) error {
	byType := map[string][]int64{}
	for _, e := range dirty {
		byType[e.Type] = append(byType[e.Type], e.ID)
	}
	selects := map[string][]string{"contact": contactFields, "lead": leadFields, "deal": dealFields}
	var cmds []bitrix.BatchCommand
	for _, t := range []string{"contact", "lead", "deal"} {
		if len(byType[t]) > 0 {
			cmds = append(cmds, bitrix.BatchCommand{Key: t, Method: "crm." + t + ".list",
				Params: bitrix.Params{"filter": map[string]any{"@ID": byType[t]}, "select": selects[t]}})
		}
	}
	res, err := c.batch(ctx, false, cmds...)
	if err != nil {
		return err
	}
	for _, r := range res {
		seen, err := c.relink(ctx, r)
		if err != nil {
			return err
		}
		for _, id := range byType[r.Key] {
			if !slices.Contains(seen, id) {
				if err := c.in.Store.DropLink(ctx, c.p.ID, r.Key, id); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// relink relinks the entities one list returned and reports their ids.
func (c *crmSync) relink(ctx context.Context, r bitrix.BatchResult) ([]int64, error) {
	fs, err := decodeFound(r)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, f := range fs {
		ids = append(ids, f.e.ID)
		var responsible int64
		if f.e.Assigned != 0 {
			u, err := c.user(ctx, f.e.Assigned)
			if err != nil {
				return nil, err
			}
			responsible = u.ID
		}
		var contacts []int64
		if f.contact != 0 {
			contacts = []int64{f.contact}
		}
		changed, err := c.in.Store.RelinkEntity(ctx, c.p.ID, f.e.link(), f.phones, f.instagram, contacts, responsible)
		if err != nil {
			return nil, err
		}
		if err := c.assigned(ctx, changed); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func phonesOf(ms []bitrix.Multifield) []string {
	var out []string
	for _, m := range ms {
		if d := Digits(m.Value); d != "" {
			out = append(out, d)
		}
	}
	return out
}

func imOf(ms []bitrix.Multifield) []string {
	var out []string
	for _, m := range ms {
		if m.Value != "" {
			out = append(out, m.Value)
		}
	}
	return out
}

// runCRMReconcile lists the portal's leads, contacts and deals modified
// since its last look (overlapping it a little) and marks them to be read
// again. The first look only starts the cursor: the CRM's past is linked as
// clients write, not scanned.
func (in *Inbox) runCRMReconcile(ctx context.Context, j db.Job) error {
	if in.Portal == nil {
		return nil
	}
	p, err := in.Store.Portal(ctx, j.PortalID)
	if err != nil || !p.Enabled {
		return err
	}
	pc := in.Portal.Client.Portal(p.MemberID, p.BaseURL)
	var marked int
	for _, t := range []string{"contact", "lead", "deal"} {
		since, err := in.Store.CRMCursor(ctx, p.ID, t)
		if err != nil {
			return err
		}
		now := in.Now()
		if since.IsZero() {
			if err := in.Store.SetCRMCursor(ctx, p.ID, t, now); err != nil {
				return err
			}
			continue
		}
		var es []db.CRMEntity
		latest := since
		err = pc.List(ctx, "crm."+t+".list", bitrix.Params{
			"filter": map[string]any{">DATE_MODIFY": since.Add(-reconcileOverlap).Format(time.RFC3339)},
			"select": []string{"ID", "DATE_MODIFY"}, "order": map[string]string{"DATE_MODIFY": "ASC"},
		}, func(page *bitrix.Response) error {
			var rows []struct {
				ID         bitrix.FlexInt `json:"ID"`
				DateModify string         `json:"DATE_MODIFY"`
			}
			if err := page.Decode(&rows); err != nil {
				return err
			}
			for _, r := range rows {
				es = append(es, db.CRMEntity{Type: t, ID: int64(r.ID)})
				if at, err := time.Parse(time.RFC3339, r.DateModify); err == nil && at.After(latest) {
					latest = at
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("inbox: reconciliation of %ss: %w", t, err)
		}
		err = in.Store.InTx(ctx, func(tx *db.Store) error {
			if err := tx.MarkDirty(ctx, p.ID, es, now); err != nil {
				return err
			}
			return tx.SetCRMCursor(ctx, p.ID, t, latest)
		})
		if err != nil {
			return err
		}
		marked += len(es)
	}
	if marked == 0 {
		return nil
	}
	in.Log.Info("CRM reconciliation found changes", "portal", p.MemberID, "entities", marked)
	return in.Store.RequestStanding(ctx, p.ID, JobCRMSync, in.Now())
}

// requestReconciliations asks every installed portal for its
// reconciliation (the worker does, every reconcileEvery).
func (in *Inbox) requestReconciliations(ctx context.Context) error {
	if in.Portal == nil {
		return nil
	}
	ids, err := in.Store.EnabledPortals(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := in.Store.RequestStanding(ctx, id, JobCRMReconcile, in.Now()); err != nil {
			return err
		}
	}
	return nil
}
