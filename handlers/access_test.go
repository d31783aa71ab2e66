package handlers_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/db"
	"switchboard/handlers"
	"switchboard/inbox"
)

var tokenInPage = regexp.MustCompile(`X-Switchboard-Token&#34;:&#34;([^&]+)&#34;`)

// signedIn opens the app from the portal as user and returns the page token.
func (it *installed) signedIn(t *testing.T, user int) string {
	t.Helper()
	pr, err := it.portal.PlacementPost(user, "LEFT_MENU", it.app.URL+handlers.PathPlacement, nil, "en")
	if err != nil {
		t.Fatal(err)
	}
	_, body := it.placement(t, pr.Form, pr.URL)
	m := tokenInPage.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no page token in:\n%s", body)
	}
	return m[1]
}

// dialogIn creates a dialog in a portal (by member_id) and returns its id.
func (it *installed) dialogIn(t *testing.T, member, phone string) (channelID, dialogID int64) {
	t.Helper()
	ctx := context.Background()
	p, err := it.store.PortalByMemberID(ctx, member)
	if err != nil {
		p.ID, err = it.store.UpsertPortal(ctx, db.Portal{Domain: member + ".test", MemberID: member})
		if err != nil {
			t.Fatal(err)
		}
	}
	channelID, err = it.store.UpsertChannel(ctx, db.Channel{PortalID: p.ID, Transport: "whatsapp", ExternalID: "pn-" + member, Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	client, err := it.store.UpsertClient(ctx, db.Client{PortalID: p.ID, Transport: "whatsapp", ExternalID: phone, Phone: phone})
	if err != nil {
		t.Fatal(err)
	}
	dialogID, err = it.store.EnsureDialog(ctx, p.ID, channelID, client, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return channelID, dialogID
}

func (it *installed) get(t *testing.T, path, token string) (int, string) {
	t.Helper()
	return it.send(t, http.MethodGet, path, token)
}

// post sends a POST the way the page's htmx does: with the token header.
func (it *installed) post(t *testing.T, path, token string) (int, string) {
	t.Helper()
	return it.send(t, http.MethodPost, path, token)
}

// send makes an htmx request with the page token and reads the answer.
func (it *installed) send(t *testing.T, method, path, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, it.app.URL+path, nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-Switchboard-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// foreignPortal is member-z's portal id.
func foreignPortal(t *testing.T, it *installed) int64 {
	t.Helper()
	p, err := it.store.PortalByMemberID(context.Background(), "member-z")
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func TestAnotherPortalsDialogIsNotFoundByDirectURL(t *testing.T) {
	it := newInstalled(t)
	token := it.signedIn(t, 2)
	_, own := it.dialogIn(t, "member-a", "79990000001")
	_, foreign := it.dialogIn(t, "member-z", "79990000002")
	if status, _ := it.get(t, "/dialogs/"+strconv.FormatInt(own, 10), token); status != 200 {
		t.Fatalf("own dialog: %d", status)
	}
	foreignChannel, _ := it.dialogIn(t, "member-z", "79990000002")
	secret, _, err := it.store.InsertMessage(context.Background(), db.Message{PortalID: foreignPortal(t, it), DialogID: foreign,
		ChannelID: foreignChannel, Direction: "in", Kind: "text", Body: "foreign secret", Status: "received", CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	f, m := strconv.FormatInt(foreign, 10), strconv.FormatInt(secret, 10)
	for _, path := range []string{"/dialogs/" + f, "/dialogs/" + f + "/messages", "/dialogs/" + f + "/messages?before=" + m,
		"/dialogs/" + strconv.FormatInt(own, 10) + "/messages?before=junk"} {
		if status, body := it.get(t, path, token); status != http.StatusNotFound || strings.Contains(body, "79990000002") || strings.Contains(body, "foreign secret") {
			t.Fatalf("%s of another portal: %d\n%s", path, status, body)
		}
	}
	// Its message as the anchor of the own dialog's earlier page, or as a search hit to open at: nothing of it.
	for _, path := range []string{"/dialogs/" + strconv.FormatInt(own, 10) + "/messages?before=" + m, "/dialogs/" + strconv.FormatInt(own, 10) + "?m=" + m} {
		if status, body := it.get(t, path, token); status != 200 || strings.Contains(body, "foreign secret") || strings.Contains(body, "history-bar") {
			t.Fatalf("%s, a message of another portal as the anchor: %d\n%s", path, status, body)
		}
	}
	if status, body := it.get(t, "/dialogs", token); status != 200 || strings.Contains(body, "79990000002") || !strings.Contains(body, "79990000001") {
		t.Fatalf("the list: %d\n%s", status, body)
	}
	rowsPath := "/dialogs/rows?ids=" + strconv.FormatInt(foreign, 10) + "," + strconv.FormatInt(own, 10) + ",junk"
	if status, body := it.get(t, rowsPath, token); status != 200 || strings.Contains(body, "79990000002") || !strings.Contains(body, `data-dialog="`+strconv.FormatInt(own, 10)+`"`) {
		t.Fatalf("card rows: %d\n%s", status, body)
	}
	if status, _ := it.get(t, "/dialogs", "forged.token"); status != http.StatusUnauthorized {
		t.Fatalf("a forged token: %d, want 401", status)
	}
	// A state change needs the token header, not just a cookie.
	resp, err := http.Post(it.app.URL+"/dialogs/"+strconv.FormatInt(own, 10)+"/read", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a POST without the token header: %d, want 401", resp.StatusCode)
	}
}

func TestLiveStreamCarriesOnlyWhatTheViewerMaySee(t *testing.T) {
	it := newInstalled(t)
	token := it.signedIn(t, 2)
	_, own := it.dialogIn(t, "member-a", "79990000001")
	_, foreign := it.dialogIn(t, "member-z", "79990000002")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	waitFor, stop := openStream(t, ctx, it.app.URL+"/events?st="+token, "")
	defer stop()
	waitFor("event: reset")
	notify := func(portal string, dialog int64) {
		p, err := it.store.PortalByMemberID(ctx, portal)
		if err != nil {
			t.Fatal(err)
		}
		if err := it.store.LogEvents(ctx, time.Now(), inbox.Event{Portal: p.ID, Dialog: dialog, Kind: inbox.EventRead}); err != nil {
			t.Fatal(err)
		}
	}
	notify("member-z", foreign)
	notify("member-a", own)
	seen := waitFor(`data-dialog="` + strconv.FormatInt(own, 10) + `"`)
	if strings.Contains(seen, "79990000002") || strings.Contains(seen, `data-dialog="`+strconv.FormatInt(foreign, 10)+`"`) {
		t.Fatalf("another portal's dialog reached the stream:\n%s", seen)
	}
}

func TestAPageTokenIsNeverExtended(t *testing.T) {
	it := newInstalled(t)
	token := it.signedIn(t, 2)
	req, _ := http.NewRequest(http.MethodGet, it.app.URL+"/?st="+token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body strings.Builder
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		body.WriteString(sc.Text())
	}
	m := tokenInPage.FindStringSubmatch(body.String())
	if resp.StatusCode != 200 || m == nil || m[1] != token {
		t.Fatalf("a page opened with a token carries %v (status %d), want the same token, not a fresh one", m, resp.StatusCode)
	}
}
