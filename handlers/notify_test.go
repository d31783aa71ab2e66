package handlers_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/bitrix/emulator"
	"switchboard/channels"
	"switchboard/db"
	"switchboard/inbox"
	"switchboard/inbox/inboxtest"
	"switchboard/views"
)

// notifyWorld is an installed portal whose messenger and our app share one
// fake clock (the portal's 3-day edit limit runs on it too), with a
// WhatsApp channel where clients write. Nothing runs by itself: due jobs
// run when the test says.
type notifyWorld struct {
	*installed
	clock   *inboxtest.Clock
	channel db.Channel
	chat    int // the notification chat
	portal  db.Portal
}

func newNotifyWorld(t *testing.T, lang string) *notifyWorld {
	t.Helper()
	clock := inboxtest.NewClock(time.Now())
	it := newInstalledWith(t, func(c *emulator.Config) { c.Clock, c.Language = clock.Now, lang },
		func(in *inbox.Inbox) { in.Clock = clock; in.Texts = textsOf })
	w := &notifyWorld{installed: it, clock: clock}
	ctx := context.Background()
	var err error
	if w.portal, err = it.store.PortalByMemberID(ctx, "member-a"); err != nil {
		t.Fatal(err)
	}
	st, err := it.store.PortalInstall(ctx, w.portal.ID)
	if err != nil || st.NotifyChatID == nil {
		t.Fatalf("no notification chat (%+v, %v)", st, err)
	}
	w.chat = int(*st.NotifyChatID)
	w.settings(t, `{}`)
	chID, err := it.store.UpsertChannel(ctx, db.Channel{PortalID: w.portal.ID, Transport: "whatsapp", ExternalID: "pn-notify", Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	if w.channel, err = it.store.Channel(ctx, w.portal.ID, chID); err != nil {
		t.Fatal(err)
	}
	return w
}

// settings stores the portal's notify settings; every manager sees every
// dialog (the CRM sync hands clients out round-robin).
func (w *notifyWorld) settings(t *testing.T, notify string) {
	t.Helper()
	if _, err := w.store.DB.Exec(`UPDATE portals SET settings = jsonb_build_object('visibility', 'all', 'notify', $1::jsonb)`, notify); err != nil {
		t.Fatal(err)
	}
}

// write delivers a client's messages as one webhook, sent now by the clock.
func (w *notifyWorld) write(t *testing.T, phone, name string, texts ...string) {
	t.Helper()
	w.ingest(t, phone, name, channels.Inbound, texts...)
}

// echo delivers what a manager wrote on the phone itself (coexistence).
func (w *notifyWorld) echo(t *testing.T, phone, text string) {
	t.Helper()
	w.ingest(t, phone, "", channels.Outbound, text)
}

func (w *notifyWorld) ingest(t *testing.T, phone, name string, dir channels.Direction, texts ...string) {
	t.Helper()
	var msgs []channels.Message
	for i, text := range texts {
		msgs = append(msgs, channels.Message{ProviderID: fmt.Sprintf("wamid.%s.%d.%d", phone, time.Now().UnixNano(), i),
			Direction: dir, FromPhone: dir == channels.Outbound, Peer: channels.Peer{ID: phone, Phone: phone, Name: name},
			Kind: channels.KindText, Text: text, SentAt: w.clock.Now()})
	}
	if _, err := w.in.Ingest(context.Background(), w.channel, &channels.Webhook{Messages: msgs}); err != nil {
		t.Fatal(err)
	}
}

// run runs the jobs due by the clock until none is left.
func (w *notifyWorld) run(t *testing.T) {
	t.Helper()
	for range 20 {
		if inboxtest.RunDue(t, w.in) == 0 {
			return
		}
	}
	t.Fatal("due jobs never ran out")
}

// after moves the clock by d and runs what is due.
func (w *notifyWorld) after(t *testing.T, d time.Duration) {
	t.Helper()
	w.clock.Advance(d)
	w.run(t)
}

// lines are the bot messages the notification chat shows.
func (w *notifyWorld) lines() []emulator.ChatMessage {
	var out []emulator.ChatMessage
	for _, m := range w.installed.portal.ChatMessages(w.chat) {
		if m.BotID != 0 && !m.Deleted {
			out = append(out, m)
		}
	}
	return out
}

// oneLine is the chat's one line, which must say want.
func (w *notifyWorld) oneLine(t *testing.T, want string) emulator.ChatMessage {
	t.Helper()
	ls := w.lines()
	if len(ls) != 1 {
		t.Fatalf("the chat shows %d lines, want 1: %+v", len(ls), ls)
	}
	if !strings.Contains(ls[0].Text, want) {
		t.Fatalf("the line says %q, want %q in it", ls[0].Text, want)
	}
	return ls[0]
}

func (w *notifyWorld) noLine(t *testing.T, why string) {
	t.Helper()
	if ls := w.lines(); len(ls) != 0 {
		t.Fatalf("%s: the chat shows %+v, want no line", why, ls)
	}
}

// dialogOf is the id of a client's dialog.
func (w *notifyWorld) dialogOf(t *testing.T, phone string) int64 {
	t.Helper()
	var id int64
	if err := w.store.DB.Get(&id, `SELECT d.id FROM dialogs d JOIN clients c ON c.id = d.client_id WHERE c.external_id = $1`, phone); err != nil {
		t.Fatal(err)
	}
	return id
}

// waiting reports whether a client's dialog waits for a reply.
func (w *notifyWorld) waiting(t *testing.T, phone string) bool {
	t.Helper()
	var since *time.Time
	if err := w.store.DB.Get(&since, `SELECT d.unanswered_since FROM dialogs d JOIN clients c ON c.id = d.client_id WHERE c.external_id = $1`, phone); err != nil {
		t.Fatal(err)
	}
	return since != nil
}

// open shows a dialog in a tab of the page the token belongs to, as the
// page's htmx does.
func (w *notifyWorld) open(t *testing.T, token, tab string, dialog int64) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.app.URL+"/dialogs/"+strconv.FormatInt(dialog, 10), nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-Switchboard-Token", token)
	req.Header.Set("X-Switchboard-Tab", tab)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("opening dialog %d: %d %s", dialog, resp.StatusCode, b)
	}
}

// viewerOf is the viewer a Bitrix24 user is in our app.
func (w *notifyWorld) viewerOf(t *testing.T, bitrixUser int64) inbox.Viewer {
	t.Helper()
	u, err := w.store.UserByBitrixID(context.Background(), w.portal.ID, bitrixUser)
	if err != nil {
		t.Fatal(err)
	}
	v, err := w.in.Authorize(context.Background(), w.portal.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// textsOf is the app's texts; the world's lines are checked in them.
func textsOf(lang, key string, args ...any) string { return views.Text(lang, key, args...) }

const (
	tabA = "0123456789abcdef0123456789abcdef"
	tabB = "fedcba9876543210fedcba9876543210"
)

// Nobody watches: the line goes out at once, with the client, channel,
// count, a link into the app and the button; more messages change the same
// line's count.
func TestALineAtOnceThenTheSameLineCounts(t *testing.T) {
	w := newNotifyWorld(t, "en")
	w.write(t, "79990002001", "Ivan Petrov", "Hello")
	w.run(t)
	line := w.oneLine(t, "1 new message")
	var client int64
	_ = w.store.DB.Get(&client, `SELECT id FROM clients WHERE external_id = '79990002001'`)
	for _, want := range []string{"[b]Ivan Petrov[/b] +79990002001", "WhatsApp: Sales",
		fmt.Sprintf("[url=%s/marketplace/app/?params%%5Bclient%%5D=%d]Open the dialog[/url]", w.psrv.URL, client)} {
		if !strings.Contains(line.Text, want) {
			t.Errorf("the line %q lacks %q", line.Text, want)
		}
	}
	if len(line.Buttons) != 1 || line.Buttons[0].Command != "noreply" || line.Buttons[0].CommandParams != fmt.Sprint("client:", client) ||
		!line.Buttons[0].Block || line.Buttons[0].Text != "No reply needed" {
		t.Errorf("the line's keyboard is %+v, want one blocking \"No reply needed\" for client %d", line.Buttons, client)
	}
	w.write(t, "79990002001", "Ivan Petrov", "Are you there?")
	w.write(t, "79990002001", "Ivan Petrov", "Hello?")
	w.run(t)
	again := w.oneLine(t, "3 new messages")
	if again.ID != line.ID || again.Edited {
		t.Errorf("the count went to message %d (marked edited %v), want message %d updated in place, unmarked", again.ID, again.Edited, line.ID)
	}
}

// The chat's title and lines are in the portal's language.
func TestTheChatSpeaksThePortalsLanguage(t *testing.T) {
	w := newNotifyWorld(t, "ru")
	var title string
	for _, c := range w.installed.portal.Chats(0) {
		if c.ID == w.chat {
			title = c.Title
		}
	}
	if title != "Switchboard: уведомления" {
		t.Errorf("the chat is titled %q in a Russian portal", title)
	}
	w.write(t, "79990002002", "", "Привет", "Вы тут?")
	w.run(t)
	line := w.oneLine(t, "2 новых сообщения")
	if !strings.Contains(line.Text, "[b]+79990002002[/b]") || !strings.Contains(line.Text, "Открыть диалог") ||
		line.Buttons[0].Text != "Не требует ответа" {
		t.Errorf("the line in a Russian portal: %q, button %q", line.Text, line.Buttons[0].Text)
	}
}

// Any manager's reply takes the line away, and the dialog stops waiting:
// from our chat, and from the phone itself (a coexistence echo).
func TestAReplyTakesTheLineAway(t *testing.T) {
	w := newNotifyWorld(t, "en")
	token := w.signedIn(t, 2)
	w.write(t, "79990002003", "Olga", "Hi")
	w.run(t)
	w.oneLine(t, "1 new message")
	form := url.Values{"text": {"Hello Olga!"}}
	req, _ := http.NewRequest(http.MethodPost, w.app.URL+"/dialogs/"+strconv.FormatInt(w.dialogOf(t, "79990002003"), 10)+"/messages",
		strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-Switchboard-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("send: %d", resp.StatusCode)
	}
	w.after(t, time.Second)
	w.noLine(t, "after a reply from our chat")
	if w.waiting(t, "79990002003") {
		t.Error("the dialog still waits after the reply")
	}

	w.clock.Advance(time.Minute)
	w.write(t, "79990002003", "Olga", "One more question")
	w.run(t)
	w.oneLine(t, "1 new message")
	w.clock.Advance(time.Second)
	w.echo(t, "79990002003", "Answered from the phone")
	w.run(t)
	w.noLine(t, "after a reply from the phone")
	if w.waiting(t, "79990002003") {
		t.Error("the dialog still waits after the phone's reply")
	}
}

// "No reply needed" in the messenger takes the line away and the dialog
// stops waiting; a second press, a press on a line that is not live and
// a press by a user the portal does not have change nothing.
func TestNoReplyNeededFromTheMessenger(t *testing.T) {
	w := newNotifyWorld(t, "en")
	w.write(t, "79990002004", "Pavel", "Hi")
	w.write(t, "79990002005", "Rita", "Hi")
	w.run(t)
	if n := len(w.lines()); n != 2 {
		t.Fatalf("%d lines for two clients", n)
	}
	var pavel, rita emulator.ChatMessage
	for _, l := range w.lines() {
		if strings.Contains(l.Text, "Pavel") {
			pavel = l
		} else {
			rita = l
		}
	}
	// A forged press: Rita's line named with Pavel's client.
	forged := func(messageID int, params string, user int) error {
		return w.installed.portal.SendEventAs(context.Background(), "ONIMCOMMANDADD", map[string]any{
			"COMMAND": map[string]any{"1": map[string]any{"BOT_ID": "3", "BOT_CODE": "switchboard", "COMMAND": "noreply",
				"COMMAND_ID": "1", "COMMAND_PARAMS": params, "COMMAND_CONTEXT": "KEYBOARD", "MESSAGE_ID": strconv.Itoa(messageID)}},
			"PARAMS": map[string]any{"CHAT_ID": strconv.Itoa(w.chat), "DIALOG_ID": "chat" + strconv.Itoa(w.chat), "MESSAGE_ID": strconv.Itoa(messageID)},
			"USER":   map[string]any{"ID": strconv.Itoa(user)},
		}, 1)
	}
	_ = forged(rita.ID, pavel.Buttons[0].CommandParams, 1)
	_ = forged(pavel.ID, pavel.Buttons[0].CommandParams, 99) // no such user
	w.run(t)
	if n := len(w.lines()); n != 2 || !w.waiting(t, "79990002004") || !w.waiting(t, "79990002005") {
		t.Fatalf("forged presses changed something: %d lines", n)
	}

	if err := w.installed.portal.ClickButton(context.Background(), 1, pavel.ID, 0); err != nil {
		t.Fatal(err)
	}
	w.run(t)
	w.oneLine(t, "Rita")
	if w.waiting(t, "79990002004") {
		t.Error("Pavel's dialog still waits after \"No reply needed\"")
	}
	// The same press again (Bitrix24 blocks the keyboard; a replayed event
	// gets through): nothing left to change.
	_ = forged(pavel.ID, pavel.Buttons[0].CommandParams, 1)
	w.run(t)
	w.oneLine(t, "Rita")
}

// "No reply needed" on the dialog in our chat does the same.
func TestNoReplyNeededFromOurChat(t *testing.T) {
	w := newNotifyWorld(t, "en")
	token := w.signedIn(t, 2)
	w.write(t, "79990002006", "Sergey", "Hi")
	w.run(t)
	w.oneLine(t, "Sergey")
	dialog := w.dialogOf(t, "79990002006")
	_, page := w.get(t, "/dialogs/"+strconv.FormatInt(dialog, 10), token)
	if !strings.Contains(page, `data-testid="no-reply-button"`) {
		t.Fatal("the waiting dialog offers no \"No reply needed\"")
	}
	if code, _ := w.post(t, "/dialogs/"+strconv.FormatInt(dialog, 10)+"/no-reply", token); code != http.StatusNoContent {
		t.Fatalf("no-reply: %d", code)
	}
	w.run(t)
	w.noLine(t, "after \"No reply needed\" in our chat")
	_, page = w.get(t, "/dialogs/"+strconv.FormatInt(dialog, 10), token)
	if strings.Contains(page, `data-testid="no-reply-button"`) {
		t.Error("the dialog still offers \"No reply needed\"")
	}
	// A dialog that is not theirs (here: none) is not found.
	if code, _ := w.post(t, "/dialogs/"+strconv.FormatInt(dialog+1000, 10)+"/no-reply", token); code != http.StatusNotFound {
		t.Errorf("no-reply on a dialog that is not theirs: %d, want 404", code)
	}
}

// A manager who has the dialog open holds the line back until they close
// it (open another dialog in that tab).
func TestAWatcherHoldsTheLineUntilTheyClose(t *testing.T) {
	w := newNotifyWorld(t, "en")
	token := w.signedIn(t, 2)
	w.dialogIn(t, "member-a", "79990002008") // another client's dialog
	w.write(t, "79990002007", "Tanya", "Hi")
	w.run(t)
	w.open(t, token, tabA, w.dialogOf(t, "79990002007"))
	if code, _ := w.post(t, "/dialogs/"+strconv.FormatInt(w.dialogOf(t, "79990002007"), 10)+"/no-reply", token); code != http.StatusNoContent {
		t.Fatal("no-reply failed")
	}
	w.run(t)
	w.noLine(t, "answered")

	w.clock.Advance(time.Minute)
	w.open(t, token, tabA, w.dialogOf(t, "79990002007")) // still open: the stream renewed it
	w.write(t, "79990002007", "Tanya", "Are you there?", "Hello?")
	w.run(t)
	w.after(t, 30*time.Second)
	w.noLine(t, "while Boris watches")
	w.open(t, token, tabA, w.dialogOf(t, "79990002008"))
	w.run(t)
	w.oneLine(t, "2 new messages")
}

// A watcher who does nothing for 5 minutes (the default delay) lets the
// line go out; the stream's pings keep their tab alive meanwhile.
func TestAWatcherWhoDoesNothingForFiveMinutes(t *testing.T) {
	w := newNotifyWorld(t, "en")
	token := w.signedIn(t, 2)
	boris := w.viewerOf(t, 2)
	w.dialogIn(t, "member-a", "79990002009")
	w.open(t, token, tabA, w.dialogOf(t, "79990002009"))
	w.write(t, "79990002009", "Uma", "Hi")
	w.run(t)
	for range 9 { // 4.5 minutes of pings
		w.clock.Advance(30 * time.Second)
		if err := w.in.KeepWatching(context.Background(), boris, tabA); err != nil {
			t.Fatal(err)
		}
		w.run(t)
	}
	w.noLine(t, "4.5 minutes into the watch")
	w.clock.Advance(30 * time.Second)
	if err := w.in.KeepWatching(context.Background(), boris, tabA); err != nil {
		t.Fatal(err)
	}
	w.run(t)
	w.oneLine(t, "Uma")
}

// The delay is the portal's setting.
func TestTheDelayIsThePortalsSetting(t *testing.T) {
	w := newNotifyWorld(t, "en")
	w.settings(t, `{"delay_minutes":1}`)
	token := w.signedIn(t, 2)
	boris := w.viewerOf(t, 2)
	w.dialogIn(t, "member-a", "79990002010")
	w.open(t, token, tabA, w.dialogOf(t, "79990002010"))
	w.write(t, "79990002010", "Vera", "Hi")
	w.run(t)
	w.clock.Advance(30 * time.Second)
	_ = w.in.KeepWatching(context.Background(), boris, tabA)
	w.run(t)
	w.noLine(t, "half a minute into a 1-minute delay")
	w.clock.Advance(30 * time.Second)
	_ = w.in.KeepWatching(context.Background(), boris, tabA)
	w.run(t)
	w.oneLine(t, "Vera")
}

// A tab whose stream drops counts as closed after a short grace; a tab
// whose stream never renews it is gone when it expires.
func TestADroppedStreamCountsAsClosedAfterAGrace(t *testing.T) {
	w := newNotifyWorld(t, "en")
	token := w.signedIn(t, 2)
	w.dialogIn(t, "member-a", "79990002011")
	dialog := w.dialogOf(t, "79990002011")
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.app.URL+"/events?tab="+tabB+"&st="+url.QueryEscape(token), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil && resp.StatusCode != http.StatusOK {
		t.Fatalf("stream: %d %v", resp.StatusCode, err)
	}
	w.open(t, token, tabB, dialog)
	w.write(t, "79990002011", "Yana", "Hi")
	w.run(t)
	w.noLine(t, "while the stream is open")
	dropped := w.clock.Now()
	cancel()
	resp.Body.Close()
	waitFor(t, "the server to see the stream end", func() bool {
		var at time.Time
		_ = w.store.DB.Get(&at, `SELECT expires_at FROM presence WHERE tab = $1`, tabB)
		return !at.After(dropped.Add(inbox.PresenceGrace))
	})
	w.after(t, inbox.PresenceGrace-time.Second)
	w.noLine(t, "within the grace")
	w.after(t, time.Second)
	w.oneLine(t, "Yana")

	// A tab that opened a dialog but whose stream never came is gone when
	// nothing renewed it.
	w.dialogIn(t, "member-a", "79990002008")
	w.open(t, token, tabA, w.dialogOf(t, "79990002008"))
	w.write(t, "79990002008", "Zoe", "Hi")
	w.run(t)
	w.after(t, 40*time.Second)
	if n := len(w.lines()); n != 1 {
		t.Fatalf("%d lines while Zoe's dialog is open in a tab", n)
	}
	w.after(t, 10*time.Second)
	if n := len(w.lines()); n != 2 {
		t.Fatalf("%d lines once the silent tab expired, want Zoe's too", n)
	}
}

// Lines near Bitrix24's 3-day edit limit are replaced while they can still
// be deleted: the chat shows one line, the new one, with the count.
func TestTheThreeDayLimitGivesOneNewLine(t *testing.T) {
	w := newNotifyWorld(t, "en")
	w.write(t, "79990002012", "Anton", "Hi")
	w.run(t)
	first := w.oneLine(t, "1 new message")
	w.after(t, 70*time.Hour)
	if again := w.oneLine(t, "1 new message"); again.ID != first.ID {
		t.Fatal("the line was replaced early")
	}
	w.after(t, time.Hour)
	second := w.oneLine(t, "1 new message")
	if second.ID == first.ID {
		t.Fatal("the line was not replaced before the limit")
	}
	for _, m := range w.installed.portal.ChatMessages(w.chat) {
		if m.ID == first.ID {
			t.Errorf("the old line is still in the chat: %+v", m)
		}
	}
	w.write(t, "79990002012", "Anton", "Hello?")
	w.run(t)
	if l := w.oneLine(t, "2 new messages"); l.ID != second.ID {
		t.Error("the new line was not the one updated")
	}
	// The worker was down past the limit: the line can no longer be
	// deleted (Bitrix24 keeps it), and a new one goes out with the count.
	w.clock.Advance(73 * time.Hour)
	w.write(t, "79990002012", "Anton", "Anyone?")
	w.run(t)
	var live []emulator.ChatMessage
	for _, l := range w.lines() {
		if strings.Contains(l.Text, "3 new messages") {
			live = append(live, l)
		}
	}
	if len(live) != 1 || live[0].ID == second.ID {
		t.Errorf("past the limit: %+v, want one new line with the count", w.lines())
	}
	// The old line Bitrix24 keeps can no longer be taken away; the live one
	// goes with the answer.
	w.echo(t, "79990002012", "Sorry, answering now")
	w.after(t, time.Second)
	for _, l := range w.lines() {
		if l.ID == live[0].ID {
			t.Error("the live line stayed after the answer")
		}
	}
}

// A restart between the message and its due time loses nothing and posts
// once: the due work is a job in PostgreSQL, taken by the new process.
func TestARestartBeforeTheDueTimeGivesOneLine(t *testing.T) {
	w := newNotifyWorld(t, "en")
	token := w.signedIn(t, 2)
	w.dialogIn(t, "member-a", "79990002013")
	w.open(t, token, tabA, w.dialogOf(t, "79990002013"))
	w.write(t, "79990002013", "Boris", "Hi")
	w.run(t)
	w.noLine(t, "watched")
	// The process goes; another starts on the same database and clock.
	restarted := inbox.New(w.store, []channels.Transport{}, nil)
	restarted.Clock, restarted.Texts, restarted.Portal = w.clock, textsOf, w.in.Portal
	w.clock.Advance(6 * time.Minute)
	for range 10 {
		if inboxtest.RunDue(t, restarted) == 0 {
			break
		}
	}
	w.oneLine(t, "Boris")
	w.run(t)
	w.oneLine(t, "Boris")
}

// Two instances working the same queue post one line per client.
func TestTwoInstancesPostOneLine(t *testing.T) {
	w := newNotifyWorld(t, "en")
	other := inbox.New(w.store, []channels.Transport{}, nil)
	other.Clock, other.Texts, other.Portal = w.clock, textsOf, w.in.Portal
	for i := range 6 { // six webhooks: six jobs for the client
		w.write(t, "79990002014", "Gleb", fmt.Sprint("message ", i))
	}
	var wg sync.WaitGroup
	for _, in := range []*inbox.Inbox{w.in, other, w.in, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if n, err := in.RunDueJobs(context.Background()); err != nil || n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	w.run(t)
	w.oneLine(t, "6 new messages")
	var posted int
	for _, m := range w.installed.portal.ChatMessages(w.chat) {
		if m.BotID != 0 {
			posted++
		}
	}
	if posted != 1 {
		t.Errorf("%d lines were ever posted, want 1", posted)
	}
}

// Optional escalation: N minutes after the line was due, it goes out again
// mentioning the head of the responsible's department.
func TestEscalationMentionsTheHeadOfDepartment(t *testing.T) {
	w := newNotifyWorld(t, "en")
	w.settings(t, `{"delay_minutes":5,"escalate":"mention_head","escalate_after_minutes":30}`)
	w.signedIn(t, 2)
	w.write(t, "79990002015", "Dina", "Hi")
	w.run(t)
	first := w.oneLine(t, "Dina")
	// The CRM handed Dina to Boris, whose department Anna heads.
	if _, err := w.store.DB.Exec(`UPDATE dialogs SET responsible_user_id = $1`, w.viewerOf(t, 2).UserID); err != nil {
		t.Fatal(err)
	}
	w.after(t, 34*time.Minute)
	if l := w.oneLine(t, "Dina"); l.ID != first.ID || strings.Contains(l.Text, "[USER=") {
		t.Fatal("escalated early")
	}
	w.after(t, time.Minute)
	l := w.oneLine(t, "Still unanswered: [USER=1][/USER]")
	if l.ID == first.ID {
		t.Error("the escalation edited the line instead of posting it again")
	}
	w.after(t, time.Hour)
	if again := w.oneLine(t, "Dina"); again.ID != l.ID {
		t.Error("escalated twice")
	}
	w.write(t, "79990002015", "Dina", "Hello?")
	w.run(t)
	if again := w.oneLine(t, "2 new messages"); again.ID != l.ID || !strings.Contains(again.Text, "[USER=1][/USER]") {
		t.Errorf("the escalated line after a new message: %q", again.Text)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A post whose answer is lost (a timeout, a crash right after the call) is
// found in the chat on the next try, not made again.
func TestALostAnswerPostsOneLine(t *testing.T) {
	w := newNotifyWorld(t, "en")
	w.installed.portal.SetFaults(emulator.Faults{LoseAnswers: []string{"imbot.message.add"}})
	w.write(t, "79990002016", "Fedor", "Hi")
	w.run(t)
	if n := len(w.lines()); n != 1 {
		t.Fatalf("%d lines after the lost answer, want the one the portal made", n)
	}
	w.installed.portal.SetFaults(emulator.Faults{})
	w.write(t, "79990002016", "Fedor", "Hello?")
	w.after(t, time.Minute)
	w.oneLine(t, "2 new messages")
	posted := 0
	for _, m := range w.installed.portal.ChatMessages(w.chat) {
		if m.BotID != 0 {
			posted++
		}
	}
	if posted != 1 {
		t.Errorf("%d lines were ever posted, want 1", posted)
	}
	var marks int
	if err := w.store.DB.Get(&marks, `SELECT count(*) FROM notify_posts`); err != nil || marks != 0 {
		t.Errorf("%d posts still of unknown outcome (%v)", marks, err)
	}
}
