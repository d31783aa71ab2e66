package inbox

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"switchboard/bitrix"
	"switchboard/channels"
	"switchboard/db"
)

// lookup finds each client's entities before anything is created, in one
// batch for all of them: by phone (crm.duplicate.findbycomm, one type per
// command, so the "20 of one type hide the others" quirk cannot bite), by
// Instagram id in the IM field (findbycomm cannot search it), and by our
// own origin marker; then, in a second batch, the details of everything
// found and the deals of the contacts found.
func (c *crmSync) lookup(ctx context.Context, clients []db.NewClient) ([][]crmEntity, error) {
	var cmds []bitrix.BatchCommand
	add := func(i int, t, method string, params bitrix.Params) {
		cmds = append(cmds, bitrix.BatchCommand{Key: fmt.Sprintf("%d_%s_%d", i, t, len(cmds)), Method: method, Params: params})
	}
	for i, cl := range clients {
		origin := map[string]any{"ORIGINATOR_ID": originator, "ORIGIN_ID": originOf(cl.ID)}
		for _, t := range []string{"contact", "lead", "deal"} {
			add(i, t, "crm."+t+".list", bitrix.Params{"filter": origin, "select": []string{"ID"}})
		}
		if phone := clientPhone(cl); phone != "" {
			for _, t := range []string{"contact", "lead"} {
				add(i, t, "crm.duplicate.findbycomm", bitrix.Params{"type": "PHONE", "values": []string{"+" + phone}, "entity_type": strings.ToUpper(t)})
			}
		}
		if cl.Transport == channels.Instagram {
			for _, t := range []string{"contact", "lead"} {
				add(i, t, "crm."+t+".list", bitrix.Params{"filter": map[string]any{"IM": cl.ExternalID}, "select": []string{"ID"}})
			}
		}
	}
	res, err := c.batch(ctx, false, cmds...)
	if err != nil {
		return nil, err
	}
	ids := make([]map[string][]int64, len(clients)) // per client, by type
	for i := range ids {
		ids[i] = map[string][]int64{}
	}
	for _, r := range res {
		got, err := matchIDs(r)
		if err != nil {
			return nil, err
		}
		parts := strings.SplitN(r.Key, "_", 3)
		i, _ := strconv.Atoi(parts[0])
		ids[i][parts[1]] = append(ids[i][parts[1]], got...)
	}
	return c.details(ctx, clients, ids)
}

// matchIDs reads the ids a lookup command found.
func matchIDs(r bitrix.BatchResult) ([]int64, error) {
	if r.Method == "crm.duplicate.findbycomm" {
		var d bitrix.Duplicates
		if err := r.Decode(&d); err != nil {
			return nil, err
		}
		return slices.Concat(d.Contacts, d.Leads), nil
	}
	var rows []struct {
		ID bitrix.FlexInt `json:"ID"`
	}
	if err := r.Decode(&rows); err != nil {
		return nil, err
	}
	out := make([]int64, len(rows))
	for i, row := range rows {
		out[i] = int64(row.ID)
	}
	return out, nil
}

// found is an entity read from the CRM, with its origin, (a deal's)
// contact, and (a contact's or lead's) phones and Instagram ids when they
// were selected.
type found struct {
	e         crmEntity
	origin    string
	contact   int64
	phones    []string
	instagram []string
}

// details reads what the lookups found (and the deals of the contacts
// found) in one batch, and gives each client its entities: titles,
// responsibles, whether closed, whether made by us for that client.
func (c *crmSync) details(ctx context.Context, clients []db.NewClient, ids []map[string][]int64) ([][]crmEntity, error) {
	all := map[string][]int64{}
	for _, byType := range ids {
		for t, l := range byType {
			all[t] = append(all[t], l...)
		}
	}
	for t := range all {
		slices.Sort(all[t])
		all[t] = slices.Compact(all[t])
	}
	out := make([][]crmEntity, len(clients))
	cmds := detailCommands(all)
	if len(cmds) == 0 {
		return out, nil
	}
	res, err := c.batch(ctx, false, cmds...)
	if err != nil {
		return nil, err
	}
	var got []found
	for _, r := range res {
		fs, err := decodeFound(r)
		if err != nil {
			return nil, err
		}
		got = append(got, fs...)
	}
	for i, cl := range clients {
		seen := map[string]bool{}
		for _, f := range got {
			key := f.e.Type + strconv.FormatInt(f.e.ID, 10)
			mine := slices.Contains(ids[i][f.e.Type], f.e.ID) || (f.e.Type == "deal" && slices.Contains(ids[i]["contact"], f.contact))
			if !mine || seen[key] {
				continue
			}
			seen[key] = true
			e := f.e
			e.Ours = f.origin == originOf(cl.ID)
			out[i] = append(out[i], e)
		}
	}
	return out, nil
}

var (
	contactFields = []string{"ID", "NAME", "LAST_NAME", "ASSIGNED_BY_ID", "ORIGINATOR_ID", "ORIGIN_ID", "PHONE", "IM"}
	leadFields    = []string{"ID", "TITLE", "STATUS_SEMANTIC_ID", "ASSIGNED_BY_ID", "ORIGINATOR_ID", "ORIGIN_ID", "PHONE", "IM"}
	dealFields    = []string{"ID", "TITLE", "CLOSED", "STAGE_SEMANTIC_ID", "ASSIGNED_BY_ID", "CONTACT_ID", "ORIGINATOR_ID", "ORIGIN_ID"}
)

// detailCommands read the entities of ids, and the deals of its contacts.
func detailCommands(ids map[string][]int64) []bitrix.BatchCommand {
	var cmds []bitrix.BatchCommand
	in := func(field string, l []int64) map[string]any { return map[string]any{"@" + field: l} }
	if len(ids["contact"]) > 0 {
		cmds = append(cmds,
			bitrix.BatchCommand{Key: "contact", Method: "crm.contact.list", Params: bitrix.Params{"filter": in("ID", ids["contact"]), "select": contactFields}},
			bitrix.BatchCommand{Key: "deal_of_contact", Method: "crm.deal.list", Params: bitrix.Params{"filter": in("CONTACT_ID", ids["contact"]), "select": dealFields}})
	}
	if len(ids["lead"]) > 0 {
		cmds = append(cmds, bitrix.BatchCommand{Key: "lead", Method: "crm.lead.list", Params: bitrix.Params{"filter": in("ID", ids["lead"]), "select": leadFields}})
	}
	if len(ids["deal"]) > 0 {
		cmds = append(cmds, bitrix.BatchCommand{Key: "deal", Method: "crm.deal.list", Params: bitrix.Params{"filter": in("ID", ids["deal"]), "select": dealFields}})
	}
	return cmds
}

// decodeFound reads the entities one list command returned.
func decodeFound(r bitrix.BatchResult) ([]found, error) {
	var out []found
	switch r.Method {
	case "crm.contact.list":
		var rows []bitrix.Contact
		if err := r.Decode(&rows); err != nil {
			return nil, err
		}
		for _, ct := range rows {
			out = append(out, found{e: crmEntity{Type: "contact", ID: int64(ct.ID), Title: fullName(ct.Name, ct.LastName),
				Assigned: int64(ct.AssignedByID)}, origin: ours(ct.OriginatorID, ct.OriginID), phones: phonesOf(ct.Phone), instagram: imOf(ct.IM)})
		}
	case "crm.lead.list":
		var rows []bitrix.Lead
		if err := r.Decode(&rows); err != nil {
			return nil, err
		}
		for _, l := range rows {
			out = append(out, found{e: crmEntity{Type: "lead", ID: int64(l.ID), Title: l.Title, Assigned: int64(l.AssignedByID),
				Closed: l.IsClosed()}, origin: ours(l.OriginatorID, l.OriginID), phones: phonesOf(l.Phone), instagram: imOf(l.IM)})
		}
	case "crm.deal.list":
		var rows []bitrix.Deal
		if err := r.Decode(&rows); err != nil {
			return nil, err
		}
		for _, d := range rows {
			out = append(out, found{e: crmEntity{Type: "deal", ID: int64(d.ID), Title: d.Title, Assigned: int64(d.AssignedByID),
				Closed: d.IsClosed()}, origin: ours(d.OriginatorID, d.OriginID), contact: int64(d.ContactID)})
		}
	}
	return out, nil
}

// ours is the origin an entity carries when we made it ("" otherwise).
func ours(originatorID, originID bitrix.FlexString) string {
	if string(originatorID) != originator {
		return ""
	}
	return string(originID)
}
