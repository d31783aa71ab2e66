package db_test

import (
	"context"
	"testing"
	"time"

	"switchboard/db"
	"switchboard/db/pgtest"
)

// world is one portal with a channel, a client and a dialog.
type world struct {
	store   *db.Store
	portal  int64
	user    int64
	channel int64
	client  int64
	dialog  int64
	viewAll db.Visibility
}

func newWorld(t testing.TB, store *db.Store, member string) world {
	t.Helper()
	ctx := context.Background()
	w := world{store: store}
	var err error
	if w.portal, err = store.UpsertPortal(ctx, db.Portal{Domain: member + ".bitrix24.test", MemberID: member}); err != nil {
		t.Fatal(err)
	}
	u, err := store.UpsertUser(ctx, db.User{PortalID: w.portal, BitrixUserID: 1, Name: "Manager " + member, CanUseApp: true})
	if err != nil {
		t.Fatal(err)
	}
	w.user = u.ID
	if w.channel, err = store.UpsertChannel(ctx, db.Channel{PortalID: w.portal, Transport: "whatsapp", ExternalID: "pn-" + member, Name: "Sales"}); err != nil {
		t.Fatal(err)
	}
	if w.client, err = store.UpsertClient(ctx, db.Client{PortalID: w.portal, Transport: "whatsapp", ExternalID: "7999000" + member, Name: "Client"}); err != nil {
		t.Fatal(err)
	}
	if w.dialog, err = store.EnsureDialog(ctx, w.portal, w.channel, w.client, time.Now()); err != nil {
		t.Fatal(err)
	}
	w.viewAll = db.Visibility{PortalID: w.portal, UserID: w.user, All: true}
	return w
}

func newStore(t *testing.T) *db.Store {
	t.Helper()
	return db.New(pgtest.New(t))
}

func ptr[T any](v T) *T { return &v }
