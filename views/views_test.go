package views_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"switchboard/channels"
	"switchboard/db"
	"switchboard/views"
)

func render(t *testing.T, lang string, c templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(views.WithLang(context.Background(), lang), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func text(doc *goquery.Document, testid string) string {
	return strings.TrimSpace(doc.Find(`[data-testid="` + testid + `"]`).First().Text())
}

func row() db.DialogRow {
	me := int64(7)
	return db.DialogRow{ID: 42, ClientID: 9, ChannelName: "Sales", Transport: "whatsapp", ClientName: "Ivan <script>alert(1)</script>",
		ClientPhone: "79990001122", ResponsibleUserID: &me, UnreadCount: 3, LastMessageAt: time.Now(),
		LastPreview: "Hello", LastDirection: "in"}
}

func TestDialogRowShowsWhatTheListPromises(t *testing.T) {
	doc := render(t, "en", views.DialogRow(row(), 7, false, false))
	li := doc.Find(`[data-testid="dialog-row"]`)
	if id, _ := li.Attr("id"); id != "client-row-9" {
		t.Fatalf("row id %q", id)
	}
	if _, mine := li.Attr("data-mine"); !mine {
		t.Fatal("a dialog I am responsible for is not marked mine")
	}
	if got := text(doc, "dialog-client"); got != "Ivan <script>alert(1)</script>" {
		t.Fatalf("client %q", got)
	}
	if doc.Find("script").Length() != 0 {
		t.Fatal("a client's name became markup")
	}
	if text(doc, "dialog-channel") != "Sales" || text(doc, "dialog-unread") != "3" || !strings.Contains(text(doc, "dialog-preview"), "Hello") {
		t.Fatalf("row: %s", doc.Text())
	}
	other := render(t, "en", views.DialogRow(row(), 8, false, false))
	if _, mine := other.Find(`[data-testid="dialog-row"]`).Attr("data-mine"); mine {
		t.Fatal("someone else's dialog is marked mine")
	}
}

func TestOutgoingMessageShowsAuthorAndStatus(t *testing.T) {
	author := int64(7)
	m := db.Message{ID: 5, DialogID: 42, Direction: "out", AuthorUserID: &author, AuthorName: "Anna Petrova",
		Kind: "text", Body: "Hi!", Status: "delivered", CreatedAt: time.Now()}
	doc := render(t, "ru", views.MessageItem(m, "Sales", channels.Failure{}, false))
	if text(doc, "message-author") != "Anna Petrova" || text(doc, "message-body") != "Hi!" {
		t.Fatalf("message: %s", doc.Text())
	}
	if title, _ := doc.Find(`[data-testid="message-status"]`).Attr("title"); title != "Доставлено" {
		t.Fatalf("status title %q, want the Russian word", title)
	}
	m.Status = "failed"
	failed := render(t, "en", views.MessageItem(m, "Sales", channels.Failure{Transport: "WhatsApp", Reason: channels.ReasonWindowClosed}, false))
	if !strings.Contains(text(failed, "message-failed"), "24 hours") {
		t.Fatal("a failed message does not say why")
	}
}

func TestLiveUpdateMovesARowOnlyForNewActivity(t *testing.T) {
	r := row()
	moved := render(t, "en", views.Live(views.LiveUpdate{Row: &r, Me: 7, Moved: true}))
	if moved.Find(`[hx-swap-oob="afterbegin:#dialog-list"] [data-testid="dialog-row"]`).Length() != 1 ||
		moved.Find(`#client-row-9[hx-swap-oob="delete"]`).Length() != 1 {
		t.Fatal("new activity does not move the row to the top")
	}
	stays := render(t, "en", views.Live(views.LiveUpdate{Row: &r, Me: 7, Counts: &db.InboxCounts{Unread: 3}}))
	if stays.Find(`[hx-swap-oob="afterbegin:#dialog-list"]`).Length() != 0 ||
		stays.Find(`#client-row-9[hx-swap-oob="true"]`).Length() != 1 {
		t.Fatal("a status change moves the row instead of redrawing it in place")
	}
	if stays.Find(`#unread-total[hx-swap-oob="true"]`).Length() != 1 {
		t.Fatal("the unread total is not updated")
	}
}

func TestEveryTextHasBothLanguages(t *testing.T) {
	ctx := context.Background()
	for _, key := range []string{"inbox.title", "dialog.composer", "status.read", "error.signin", "install.done", "card.empty"} {
		en, ru := views.T(views.WithLang(ctx, "en"), key), views.T(views.WithLang(ctx, "ru"), key)
		if en == key || ru == key || en == ru {
			t.Errorf("%s: en %q, ru %q", key, en, ru)
		}
	}
	if views.Lang("ua") != "ru" || views.Lang("de") != "en" {
		t.Fatal("LANG is not mapped to our two languages")
	}
}

func TestAFileThatCouldNotBeDownloadedSaysSo(t *testing.T) {
	m := db.Message{ID: 6, DialogID: 42, Direction: "in", Kind: "image", Status: "delivered", CreatedAt: time.Now(),
		Attachments: []db.Attachment{{ID: 9, FileName: "photo.jpg", MIME: "image/jpeg", State: db.AttachmentFailed}}}
	for lang, want := range map[string]string{"en": "Could not download the file.", "ru": "Не удалось скачать файл."} {
		doc := render(t, lang, views.MessageItem(m, "Shop", channels.Failure{}, false))
		if got := text(doc, "attachment-failed"); !strings.Contains(got, want) || !strings.Contains(got, "photo.jpg") {
			t.Errorf("%s: %q, want it to say %q and name the file", lang, got, want)
		}
	}
}
