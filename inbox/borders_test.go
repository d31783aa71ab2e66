package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"switchboard/channels"
	"switchboard/db"
	"switchboard/inbox"
)

// A delivery status names outgoing messages only: a "played" receipt with
// the id of a client's voice note changes nothing, and is not kept waiting
// for an outgoing message of that id either.
func TestAStatusNeverChangesAnInboundMessage(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	in := &channels.Webhook{Messages: []channels.Message{{ProviderID: "wamid.VOICE1", Direction: channels.Inbound,
		Peer: channels.Peer{ID: clientWA, Phone: clientWA}, Kind: channels.KindVoice, SentAt: r.clock.Now()}}}
	if _, err := r.in.Ingest(ctx, r.channel, in); err != nil {
		t.Fatal(err)
	}
	for _, state := range []string{"played", "read", "failed"} {
		res, err := r.in.Ingest(ctx, r.channel, &channels.Webhook{Statuses: []channels.Status{{ProviderID: "wamid.VOICE1", State: state}}})
		if err != nil || res.Statuses != 0 {
			t.Fatalf("%s on an inbound message: applied %d, err %v; want nothing applied", state, res.Statuses, err)
		}
	}
	var status string
	var early int
	if err := r.store.DB.Get(&status, `SELECT status FROM messages WHERE provider_id = 'wamid.VOICE1'`); err != nil {
		t.Fatal(err)
	}
	if err := r.store.DB.Get(&early, `SELECT count(*) FROM early_statuses`); err != nil {
		t.Fatal(err)
	}
	if status != "received" || early != 0 {
		t.Fatalf("inbound message is %q with %d early statuses kept, want received and none", status, early)
	}
}

// Settings 6 and 7, each as it applies to one manager (Anna) over three
// dialogs: hers, nobody's, and Boris's. Every read agrees: the list, the
// counter, a dialog by id, marking it read, and its files.
func TestEachVisibilitySettingAppliesToEveryRead(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	boris, err := r.store.UpsertUser(ctx, db.User{PortalID: r.viewer.PortalID, BitrixUserID: 2, Name: "Boris", CanUseApp: true})
	if err != nil {
		t.Fatal(err)
	}
	dialogs := map[string]int64{}
	for i, who := range []string{"hers", "nobody's", "boris's"} {
		hook := &channels.Webhook{Messages: []channels.Message{{ProviderID: fmt.Sprintf("wamid.V%d", i), Direction: channels.Inbound,
			Peer: channels.Peer{ID: fmt.Sprintf("7999000000%d", i)}, Kind: channels.KindImage, SentAt: r.clock.Now(),
			Media: &channels.MediaRef{ID: fmt.Sprintf("media-%d", i), MIME: "image/png"}}}}
		if _, err := r.in.Ingest(ctx, r.channel, hook); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := r.store.DB.Get(&id, `SELECT dialog_id FROM messages WHERE provider_id = $1`, hook.Messages[0].ProviderID); err != nil {
			t.Fatal(err)
		}
		dialogs[who] = id
	}
	if _, err := r.store.DB.Exec(`UPDATE dialogs SET responsible_user_id = CASE id WHEN $1 THEN $2::bigint WHEN $3 THEN $4::bigint END`,
		dialogs["hers"], r.viewer.UserID, dialogs["boris's"], boris.ID); err != nil {
		t.Fatal(err)
	}
	// The files are ready, so each dialog has one to serve.
	if _, _, err := r.in.Blobs.Put(ctx, "k", strings.NewReader("png")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.DB.Exec(`UPDATE attachments SET state = 'ready', storage_key = 'k'`); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		settings string
		sees     []string
	}{
		{`{"visibility": "all"}`, []string{"hers", "nobody's", "boris's"}},
		{`{}`, []string{"hers", "nobody's"}}, // the default: own + without responsible
		{`{"visibility": "own_and_unassigned"}`, []string{"hers", "nobody's"}},
		{`{"visibility": "own"}`, []string{"hers"}},
		{fmt.Sprintf(`{"visibility": "own", "see_all": [%d]}`, r.viewer.UserID), []string{"hers", "nobody's", "boris's"}},
		{fmt.Sprintf(`{"visibility": "own", "see_all": [%d]}`, boris.ID), []string{"hers"}},
	}
	for _, c := range cases {
		if _, err := r.store.DB.Exec(`UPDATE portals SET settings = $1 WHERE id = $2`, c.settings, r.viewer.PortalID); err != nil {
			t.Fatal(err)
		}
		v, err := r.in.Authorize(ctx, r.viewer.PortalID, r.viewer.UserID)
		if err != nil {
			t.Fatal(err)
		}
		list, err := r.in.List(ctx, v, inbox.FilterAll)
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for who, id := range dialogs {
			if slices.ContainsFunc(list.Dialogs, func(d db.DialogRow) bool { return d.ID == id }) {
				listed = append(listed, who)
			}
		}
		slices.Sort(listed)
		want := slices.Clone(c.sees)
		slices.Sort(want)
		if !slices.Equal(listed, want) || list.Counts.Unread != len(want) {
			t.Errorf("%s: lists %v with %d unread, want %v", c.settings, listed, list.Counts.Unread, want)
		}
		for who, id := range dialogs {
			visible := slices.Contains(c.sees, who)
			_, openErr := r.in.OpenDialog(ctx, v, id)
			readErr := r.in.MarkRead(ctx, v, id)
			var aid int64
			if err := r.store.DB.Get(&aid, `SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.dialog_id = $1`, id); err != nil {
				t.Fatal(err)
			}
			f, fileErr := r.in.Attachment(ctx, v, aid)
			if fileErr == nil {
				f.Close()
			}
			for what, err := range map[string]error{"open": openErr, "mark read": readErr, "file": fileErr} {
				if visible && err != nil || !visible && !errors.Is(err, inbox.ErrNotFound) {
					t.Errorf("%s: %s %s dialog: err %v, want visible=%v", c.settings, what, who, err, visible)
				}
			}
		}
		if _, err := r.store.DB.Exec(`UPDATE dialogs SET unread_count = 1`); err != nil {
			t.Fatal(err)
		}
	}
}

// refuseBadMessages makes the database refuse the message wamid.BAD (a
// trigger stands in for any failure no check foresaw).
func (r *rig) refuseBadMessages(t *testing.T) {
	t.Helper()
	if _, err := r.store.DB.Exec(`
		CREATE FUNCTION refuse_bad() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.provider_id = 'wamid.BAD' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER refuse_bad BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_bad()`); err != nil {
		t.Fatal(err)
	}
}

// An item the database itself refuses (here a trigger stands in for any
// failure no check foresaw) fails the fast pass; the webhook is stored
// again item by item: the neighbours are stored, the bad one kept raw.
func TestAnItemTheDatabaseRefusesCostsNoNeighbour(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	r.refuseBadMessages(t)
	var msgs []channels.Message
	for _, id := range []string{"wamid.OK1", "wamid.BAD", "wamid.OK2"} {
		msgs = append(msgs, channels.Message{ProviderID: id, Direction: channels.Inbound, Peer: channels.Peer{ID: clientWA},
			Kind: channels.KindText, Text: id, SentAt: r.clock.Now()})
	}
	res, err := r.in.Ingest(ctx, r.channel, &channels.Webhook{Messages: msgs})
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	var stored, kept int
	if err := r.store.DB.Get(&stored, `SELECT count(*) FROM messages`); err != nil {
		t.Fatal(err)
	}
	if err := r.store.DB.Get(&kept, `SELECT count(*) FROM webhook_rejects WHERE reason LIKE '%refused by the test%'`); err != nil {
		t.Fatal(err)
	}
	if stored != 2 || kept != 1 || res.Stored != 2 || res.Rejected != 1 {
		t.Fatalf("stored %d (result %d), kept raw %d (result %d); want 2 and 1", stored, res.Stored, kept, res.Rejected)
	}
}
