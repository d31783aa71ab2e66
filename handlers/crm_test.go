package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/bitrix/emulator"
	"switchboard/channels"
	"switchboard/db"
	"switchboard/inbox"
	"switchboard/inbox/inboxtest"
)

// crmWorld is an installed portal with a WhatsApp channel "Sales", where
// clients write and the CRM sync runs.
type crmWorld struct {
	*installed
	channel db.Channel
}

func newCRMWorld(t *testing.T) *crmWorld {
	t.Helper()
	it := newInstalled(t)
	it.signedIn(t, 2) // Boris opens the app: the users with access are Anna (the installer) and Boris
	chID, _ := it.dialogIn(t, "member-a", "70000000000")
	p, err := it.store.PortalByMemberID(context.Background(), "member-a")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := it.store.Channel(context.Background(), p.ID, chID)
	if err != nil {
		t.Fatal(err)
	}
	return &crmWorld{installed: it, channel: ch}
}

// write delivers messages from a client as a webhook would.
func (w *crmWorld) write(t *testing.T, phone, name string, texts ...string) {
	t.Helper()
	var msgs []channels.Message
	for _, text := range texts {
		msgs = append(msgs, channels.Message{ProviderID: fmt.Sprintf("wamid.%s.%d", phone, time.Now().UnixNano()),
			Direction: channels.Inbound, Peer: channels.Peer{ID: phone, Phone: phone, Name: name}, Kind: channels.KindText,
			Text: text, SentAt: time.Now()})
	}
	if _, err := w.in.Ingest(context.Background(), w.channel, &channels.Webhook{Messages: msgs}); err != nil {
		t.Fatal(err)
	}
}

// sync runs due jobs until none is left.
func (w *crmWorld) sync(t *testing.T) {
	t.Helper()
	for range 20 {
		if inboxtest.RunDue(t, w.in) == 0 {
			return
		}
	}
	t.Fatal("the CRM sync never ran out of work")
}

func (w *crmWorld) contactsWithPhone(phone string) []map[string]any {
	var out []map[string]any
	for _, id := range w.portal.EntityIDs("contact") {
		c, _ := w.portal.Entity("contact", id)
		b, _ := json.Marshal(c["PHONE"])
		if strings.Contains(strings.NewReplacer(" ", "", "-", "").Replace(string(b)), phone) {
			out = append(out, c)
		}
	}
	return out
}

func (w *crmWorld) responsibleOf(t *testing.T, phone string) int64 {
	t.Helper()
	var bitrixID *int64
	err := w.store.DB.Get(&bitrixID, `SELECT u.bitrix_user_id FROM dialogs d JOIN clients c ON c.id = d.client_id
		LEFT JOIN users u ON u.id = d.responsible_user_id WHERE c.external_id = $1`, phone)
	if err != nil {
		t.Fatal(err)
	}
	if bitrixID == nil {
		return 0
	}
	return *bitrixID
}

// An unknown number writes: one contact is created with the client's name,
// phone, source "WhatsApp — Sales" and a round-robin responsible, who is
// notified with a link to the dialog; the dialog's responsible is the
// contact's; every message is one comment in the contact's timeline.
func TestAnUnknownClientBecomesAContactWithItsTimeline(t *testing.T) {
	w := newCRMWorld(t)
	w.write(t, "79990001001", "Ivan Petrov", "Hello", "Do you deliver to Kazan?")
	w.sync(t)
	cs := w.contactsWithPhone("79990001001")
	if len(cs) != 1 {
		t.Fatalf("%d contacts with the phone, want 1", len(cs))
	}
	c := cs[0]
	if c["NAME"] != "Ivan Petrov" || c["SOURCE_DESCRIPTION"] != "WhatsApp — Sales" || c["ORIGINATOR_ID"] != "switchboard" ||
		c["SOURCE_ID"] != "SB_WHATSAPP" {
		t.Fatalf("the contact: %v", c)
	}
	assigned := fmt.Sprint(c["ASSIGNED_BY_ID"])
	if assigned != "1" && assigned != "2" {
		t.Fatalf("responsible %s, want Anna (1) or Boris (2)", assigned)
	}
	if got := fmt.Sprint(w.responsibleOf(t, "79990001001")); got != assigned {
		t.Fatalf("the dialog's responsible is %s, the contact's %s", got, assigned)
	}
	var notified int
	for _, n := range w.portal.Notifications() {
		if fmt.Sprint(n.UserID) == assigned && strings.Contains(n.Message, "Ivan Petrov") && strings.Contains(n.Message, "params%5Bclient%5D=") {
			notified++
		}
	}
	if notified != 1 {
		t.Fatalf("%d notifications to the responsible, want 1: %+v", notified, w.portal.Notifications())
	}
	var id int
	fmt.Sscan(fmt.Sprint(c["ID"]), &id)
	tl := w.portal.Timeline("contact", id)
	if len(tl) != 2 || !strings.Contains(tl[0].Comment+tl[1].Comment, "Hello") || !strings.Contains(tl[0].Comment+tl[1].Comment, "Kazan") {
		t.Fatalf("the contact's timeline: %+v", tl)
	}
	var bot int
	if err := w.store.DB.Get(&bot, `SELECT bot_id FROM portals WHERE member_id = 'member-a'`); err != nil {
		t.Fatal(err)
	}
	if tl[0].AuthorID != bot || tl[1].AuthorID != bot {
		t.Fatalf("what the client wrote is authored by %d and %d, want the app's bot %d", tl[0].AuthorID, tl[1].AuthorID, bot)
	}
}

// A client the CRM knows by phone is linked to what exists: nothing is
// created, and the dialog's responsible is the contact's.
func TestAKnownClientIsLinkedNotCreated(t *testing.T) {
	w := newCRMWorld(t)
	id := w.portal.SeedContact(emulator.Contact{Name: "Olga", Phones: []string{"+7 999 000-20-02"}, AssignedByID: 2})
	w.write(t, "79990002002", "Olga S.", "Hi again")
	w.sync(t)
	if cs := w.contactsWithPhone("79990002002"); len(cs) != 1 || fmt.Sprint(cs[0]["ID"]) != fmt.Sprint(id) {
		t.Fatalf("contacts with the phone after a known client wrote: %v, want only the one seeded", cs)
	}
	if got := w.responsibleOf(t, "79990002002"); got != 2 {
		t.Fatalf("responsible %d, want the contact's (2)", got)
	}
	if tl := w.portal.Timeline("contact", id); len(tl) != 1 || !strings.Contains(tl[0].Comment, "Hi again") {
		t.Fatalf("the known contact's timeline: %+v", tl)
	}
}

// Round-robin takes turns over the users with access, shared through
// PostgreSQL by two instances.
func TestRoundRobinTakesTurnsAcrossInstances(t *testing.T) {
	w := newCRMWorld(t)
	second := inbox.New(w.store, []channels.Transport{}, nil)
	second.Portal = w.in.Portal
	var got []int64
	for i := range 4 {
		phone := fmt.Sprintf("7999000300%d", i)
		w.write(t, phone, "", "hi")
		if i%2 == 0 {
			w.sync(t)
		} else {
			for inboxtest.RunDue(t, second) > 0 {
			}
		}
		got = append(got, w.responsibleOf(t, phone))
	}
	if got[0] == got[1] || got[0] != got[2] || got[1] != got[3] {
		t.Fatalf("responsibles %v, want turns", got)
	}
}

// Two messages from a new client arriving together on two instances, and
// both instances syncing at once: one contact, one comment per message.
func TestANewClientOnTwoInstancesIsCreatedOnce(t *testing.T) {
	w := newCRMWorld(t)
	second := inbox.New(w.store, []channels.Transport{w.in.Transports[channels.WhatsApp]}, nil)
	second.Portal = w.in.Portal
	var wg sync.WaitGroup
	for i, in := range []*inbox.Inbox{w.in, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := channels.Message{ProviderID: fmt.Sprintf("wamid.twice.%d", i), Direction: channels.Inbound,
				Peer: channels.Peer{ID: "79990004004", Phone: "79990004004", Name: "Pavel"}, Kind: channels.KindText,
				Text: fmt.Sprintf("message %d", i), SentAt: time.Now()}
			if _, err := in.Ingest(context.Background(), w.channel, &channels.Webhook{Messages: []channels.Message{msg}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for range 10 {
		var runs sync.WaitGroup
		for _, in := range []*inbox.Inbox{w.in, second} {
			runs.Add(1)
			go func() { defer runs.Done(); inboxtest.RunDue(t, in) }()
		}
		runs.Wait()
	}
	cs := w.contactsWithPhone("79990004004")
	if len(cs) != 1 {
		t.Fatalf("%d contacts for one new client, want 1", len(cs))
	}
	var id int
	fmt.Sscan(fmt.Sprint(cs[0]["ID"]), &id)
	if tl := w.portal.Timeline("contact", id); len(tl) != 2 {
		t.Fatalf("%d comments for 2 messages: %+v", len(tl), tl)
	}
}

// A comment whose outcome is unknown (the portal got the call, the answer
// was lost) is found by its marker, not added twice.
func TestACommentOfUnknownOutcomeIsNotAddedTwice(t *testing.T) {
	w := newCRMWorld(t)
	w.write(t, "79990005005", "Nina", "one", "two", "three")
	w.sync(t)
	cs := w.contactsWithPhone("79990005005")
	var id int
	fmt.Sscan(fmt.Sprint(cs[0]["ID"]), &id)
	// Forget the outcome of every comment, as a crash after the batch would.
	if _, err := w.store.DB.Exec(`UPDATE timeline_comments SET comment_id = NULL, done_at = NULL`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.DB.Exec(`INSERT INTO timeline_queue (portal_id, message_id, queued_at) SELECT portal_id, message_id, now() FROM timeline_comments`); err != nil {
		t.Fatal(err)
	}
	if err := w.store.RequestStanding(context.Background(), w.channel.PortalID, inbox.JobCRMSync, time.Now()); err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	tl := w.portal.Timeline("contact", id)
	if len(tl) != 3 {
		t.Fatalf("%d comments after the retry, want 3: %+v", len(tl), tl)
	}
	var recorded int
	if err := w.store.DB.Get(&recorded, `SELECT count(*) FROM timeline_comments WHERE comment_id IS NOT NULL AND done_at IS NOT NULL`); err != nil || recorded != 3 {
		t.Fatalf("%d comment ids recorded again (%v), want 3", recorded, err)
	}
}

// Timeline duplication off: nothing is mirrored; on again, only what comes
// after is.
func TestTimelineOffSendsNothingAndOnDoesNotFlood(t *testing.T) {
	w := newCRMWorld(t)
	if _, err := w.store.DB.Exec(`UPDATE portals SET settings = '{"crm": {"timeline": false}}'`); err != nil {
		t.Fatal(err)
	}
	w.write(t, "79990006006", "Lev", "while off")
	w.sync(t)
	if _, err := w.store.DB.Exec(`UPDATE portals SET settings = '{}'`); err != nil {
		t.Fatal(err)
	}
	w.write(t, "79990006006", "Lev", "after")
	w.sync(t)
	cs := w.contactsWithPhone("79990006006")
	if len(cs) != 1 {
		t.Fatalf("%d contacts", len(cs))
	}
	var id int
	fmt.Sscan(fmt.Sprint(cs[0]["ID"]), &id)
	if tl := w.portal.Timeline("contact", id); len(tl) != 1 || !strings.Contains(tl[0].Comment, "after") {
		t.Fatalf("timeline %+v, want only the message sent once it was on", tl)
	}
}

// The links and the responsible follow the CRM: an event is only a hint to
// read the entity again; what a forged event claims changes nothing; a
// change whose event was lost is caught by the reconciliation.
func TestTheLinksFollowTheCRM(t *testing.T) {
	w := newCRMWorld(t)
	ctx := context.Background()
	id := w.portal.SeedContact(emulator.Contact{Name: "Ira", Phones: []string{"+79990007007"}, AssignedByID: 1})
	w.write(t, "79990007007", "Ira", "hello")
	w.sync(t)
	if got := w.responsibleOf(t, "79990007007"); got != 1 {
		t.Fatalf("responsible %d, want 1", got)
	}
	// The contact is handed to Boris in the CRM: its event brings it in.
	if err := w.portal.UpdateEntityAs(ctx, 1, "contact", id, map[string]any{"ASSIGNED_BY_ID": 2}); err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	if got := w.responsibleOf(t, "79990007007"); got != 2 {
		t.Fatalf("after the contact moved to Boris: responsible %d, want 2", got)
	}
	// A forged event claims another responsible: the contact is read again
	// and nothing changes.
	if err := w.portal.SendEvent(ctx, "ONCRMCONTACTUPDATE", map[string]any{"FIELDS": map[string]any{"ID": fmt.Sprint(id), "ASSIGNED_BY_ID": "1"}}); err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	if got := w.responsibleOf(t, "79990007007"); got != 2 {
		t.Fatalf("after a forged event: responsible %d, want 2 still", got)
	}
	// A deal for the contact whose ADD event is lost: the reconciliation
	// finds it, and the client is linked to it.
	reconcile := func() {
		if err := w.store.RequestStanding(ctx, w.channel.PortalID, inbox.JobCRMReconcile, time.Now()); err != nil {
			t.Fatal(err)
		}
		w.sync(t)
	}
	reconcile() // the first look starts the cursor
	deal := w.portal.SeedDeal(emulator.Deal{Title: "Order 7", ContactIDs: []int{id}})
	reconcile()
	var linked int
	if err := w.store.DB.Get(&linked, `SELECT count(*) FROM crm_links WHERE entity_type = 'deal' AND entity_id = $1`, deal); err != nil || linked != 1 {
		t.Fatalf("the deal found by reconciliation is linked to %d clients (%v), want 1", linked, err)
	}
}

// "Pin in timeline" pins a message's comment in the CRM; at the entity's
// limit (3) the fourth is refused with a clear message and nothing
// changes; unpinning frees a place.
func TestPinningAMessageInTheTimeline(t *testing.T) {
	w := newCRMWorld(t)
	ctx := context.Background()
	id := w.portal.SeedContact(emulator.Contact{Name: "Pia", Phones: []string{"+79990008008"}, AssignedByID: 2})
	w.write(t, "79990008008", "Pia", "one", "two", "three", "four")
	w.sync(t)
	var msgs []int64
	if err := w.store.DB.Select(&msgs, `SELECT m.id FROM messages m JOIN clients c ON c.id = (SELECT client_id FROM dialogs WHERE id = m.dialog_id)
		WHERE c.external_id = '79990008008' ORDER BY m.created_at, m.id`); err != nil || len(msgs) != 4 {
		t.Fatalf("messages %v (%v)", msgs, err)
	}
	boris, err := w.in.Authorize(ctx, w.channel.PortalID, w.boris(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs[:3] {
		view, err := w.in.PinMessage(ctx, boris, m, true)
		if err != nil || !view.Message.Pinned {
			t.Fatalf("pin of message %d: %v, pinned %v", m, err, view.Message.Pinned)
		}
	}
	pinned := func() int {
		n := 0
		for _, e := range w.portal.Timeline("contact", id) {
			if e.Pinned {
				n++
			}
		}
		return n
	}
	if pinned() != 3 {
		t.Fatalf("%d comments pinned in the CRM, want 3", pinned())
	}
	// The fourth, over HTTP as the page asks: refused, and said so.
	token := w.signedIn(t, 2)
	status, body := w.post(t, fmt.Sprintf("/messages/%d/pin", msgs[3]), token)
	if status != 422 || !strings.Contains(body, "At most 3 comments can be pinned on a contact") {
		t.Fatalf("the fourth pin: %d\n%s", status, body)
	}
	if pinned() != 3 {
		t.Fatalf("%d comments pinned after a refused pin, want 3", pinned())
	}
	if _, err := w.in.PinMessage(ctx, boris, msgs[0], false); err != nil {
		t.Fatal(err)
	}
	if status, body := w.post(t, fmt.Sprintf("/messages/%d/pin", msgs[3]), token); status != 200 || !strings.Contains(body, "message-unpin") {
		t.Fatalf("the fourth pin after an unpin: %d\n%s", status, body)
	}
	if pinned() != 3 {
		t.Fatalf("%d comments pinned, want 3", pinned())
	}
}

func (w *crmWorld) boris(t *testing.T) int64 {
	t.Helper()
	var id int64
	if err := w.store.DB.Get(&id, `SELECT id FROM users WHERE bitrix_user_id = 2`); err != nil {
		t.Fatal(err)
	}
	return id
}

// When the CRM hands a client to another manager, the dialog leaves the
// open list of the one who may no longer see it, live.
func TestADialogHandedToAnotherManagerLeavesTheOpenList(t *testing.T) {
	w := newCRMWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	id := w.portal.SeedContact(emulator.Contact{Name: "Rita", Phones: []string{"+79990009009"}, AssignedByID: 2})
	w.write(t, "79990009009", "Rita", "hello")
	w.sync(t)
	var client int64
	if err := w.store.DB.Get(&client, `SELECT id FROM clients WHERE external_id = '79990009009'`); err != nil {
		t.Fatal(err)
	}
	read, stop := openStream(t, ctx, w.app.URL+"/events?st="+w.signedIn(t, 2), "")
	defer stop()
	read("event: reset")
	if err := w.portal.UpdateEntityAs(ctx, 1, "contact", id, map[string]any{"ASSIGNED_BY_ID": 1}); err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	seen := read(fmt.Sprintf(`id="client-row-%d" hx-swap-oob="delete"`, client))
	// The assign event is the last one read: earlier ones (the hub may still
	// have been catching up on Rita's message) drew her row while it was his.
	seen = seen[strings.LastIndex(seen, "event: "):]
	if strings.Contains(seen, `data-testid="dialog-client"`) {
		t.Fatalf("the dialog was drawn again for the manager who no longer sees it:\n%s", seen)
	}
}
