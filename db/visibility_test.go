package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"switchboard/db"
)

// TestVisibilitySQLAndMemoryAgree: for every kind of viewer (all, own and
// unassigned, own, own and a team) the queries return exactly the dialogs
// Visibility.Sees, the live feed's rule, lets through; the "mine" filter
// stays the user's own, not their team's.
func TestVisibilitySQLAndMemoryAgree(t *testing.T) {
	store := newStore(t)
	w := newWorld(t, store, "a")
	ctx := context.Background()
	var users []int64
	for i := 2; i <= 4; i++ {
		u, err := store.UpsertUser(ctx, db.User{PortalID: w.portal, BitrixUserID: int64(i), Name: fmt.Sprint("U", i), CanUseApp: true})
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u.ID)
	}
	teammate, stranger := users[0], users[1]
	// One dialog per responsible: none (the world's), me, teammate, stranger.
	responsibles := map[int64]*int64{w.dialog: nil}
	for i, r := range []int64{w.user, teammate, stranger} {
		client, err := store.UpsertClient(ctx, db.Client{PortalID: w.portal, Transport: "whatsapp", ExternalID: fmt.Sprint("7999100", i)})
		if err != nil {
			t.Fatal(err)
		}
		d, err := store.EnsureDialog(ctx, w.portal, w.channel, client, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.DB.Exec(`UPDATE dialogs SET responsible_user_id = $1 WHERE id = $2`, r, d); err != nil {
			t.Fatal(err)
		}
		responsibles[d] = &r
	}
	for _, v := range []db.Visibility{
		{PortalID: w.portal, UserID: w.user, All: true},
		{PortalID: w.portal, UserID: w.user, Unassigned: true},
		{PortalID: w.portal, UserID: w.user},
		{PortalID: w.portal, UserID: w.user, Team: []int64{teammate}},
		{PortalID: w.portal, UserID: w.user, Team: []int64{teammate}, Unassigned: true},
	} {
		for _, onlyMine := range []bool{false, true} {
			rows, err := store.Dialogs(ctx, v, db.DialogFilter{OnlyMine: onlyMine})
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]bool{}
			for _, r := range rows {
				got[r.ID] = true
			}
			for d, r := range responsibles {
				want := v.Sees(r) && (!onlyMine || r != nil && *r == w.user)
				if got[d] != want {
					t.Errorf("%+v mine=%v: dialog of %v listed %v, want %v", v, onlyMine, r, got[d], want)
				}
				_, err := store.Dialog(ctx, v, d)
				if (err == nil) != v.Sees(r) {
					t.Errorf("%+v: dialog of %v opens: %v, want %v", v, r, err == nil, v.Sees(r))
				}
			}
		}
	}
}
