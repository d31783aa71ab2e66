package inbox

import (
	"context"
	"fmt"

	"switchboard/bitrix"
	"switchboard/db"
)

// readTeam asks Bitrix24, as the signing-in user, which departments they
// head (UF_HEAD) and who works in those and their sub-departments, and
// returns those users' ids (ours; users never met are recorded without app
// access). Someone who heads nothing has no team.
func (in *Inbox) readTeam(ctx context.Context, pc *bitrix.PortalClient, portalID int64, u db.User) ([]int64, error) {
	headed, err := pc.Departments(ctx, bitrix.Params{"UF_HEAD": u.BitrixUserID})
	if err != nil || len(headed) == 0 {
		return nil, err
	}
	all, err := pc.Departments(ctx, nil)
	if err != nil {
		return nil, err
	}
	depts := subtree(headed, all)
	members, err := pc.Users(ctx, map[string]any{"ACTIVE": true, "UF_DEPARTMENT": depts})
	if err != nil {
		return nil, err
	}
	var team []int64
	for _, m := range members {
		if int64(m.ID) == u.BitrixUserID {
			continue
		}
		met, err := in.Store.MeetUser(ctx, portalID, int64(m.ID), fullName(m.Name, m.LastName))
		if err != nil {
			return nil, err
		}
		team = append(team, met.ID)
	}
	return team, nil
}

// subtree is the ids of the headed departments and every department below
// them.
func subtree(headed, all []bitrix.Department) []int64 {
	in := map[int64]bool{}
	var ids []int64
	for _, d := range headed {
		if !in[int64(d.ID)] {
			in[int64(d.ID)] = true
			ids = append(ids, int64(d.ID))
		}
	}
	for grew := true; grew; {
		grew = false
		for _, d := range all {
			if !in[int64(d.ID)] && in[int64(d.Parent)] {
				in[int64(d.ID)], grew = true, true
				ids = append(ids, int64(d.ID))
			}
		}
	}
	return ids
}

// refreshTeam records the user's team as Bitrix24 has it now. A portal that
// cannot answer (an install without the department scope) keeps the team
// read last time: the sign-in goes on.
func (in *Inbox) refreshTeam(ctx context.Context, pc *bitrix.PortalClient, portalID int64, u db.User) []int64 {
	team, err := in.readTeam(ctx, pc, portalID, u)
	if err == nil {
		err = in.Store.SetTeam(ctx, portalID, u.ID, team)
	}
	if err != nil {
		in.Log.Warn("unable to read the user's departments", "portal", portalID, "user", u.BitrixUserID,
			"err", fmt.Errorf("inbox: %w", err))
		if a, err := in.Store.Access(ctx, portalID, u.ID); err == nil {
			return a.Team
		}
		return nil
	}
	return team
}
