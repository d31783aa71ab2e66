package inbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"switchboard/channels/graphemu"
	"switchboard/db"
	"switchboard/inbox"
)

// saveTemplate stores a template of v with files named by names (PNGs,
// unless the name ends in .exe), kept in order.
func (r *rig) saveTemplate(t *testing.T, v inbox.Viewer, id int64, name, body string, order []string, files ...string) int64 {
	t.Helper()
	ctx := context.Background()
	d, err := r.in.EditTemplate(ctx, v, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		mime, content := "image/png", pngBytes
		if bytes.HasSuffix([]byte(f), []byte(".exe")) {
			mime, content = "application/x-msdownload", []byte("MZ")
		}
		if err := d.AddFile(ctx, f, mime, bytes.NewReader(content)); err != nil {
			t.Fatal(err)
		}
	}
	saved, err := d.Save(ctx, name, body, order)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

func (r *rig) otherManager(t *testing.T) inbox.Viewer {
	t.Helper()
	u, err := r.store.UpsertUser(context.Background(), db.User{PortalID: r.viewer.PortalID, BitrixUserID: 2, Name: "Boris", CanUseApp: true})
	if err != nil {
		t.Fatal(err)
	}
	return inbox.Viewer{PortalID: r.viewer.PortalID, UserID: u.ID}
}

func fileNames(t db.Template) []string {
	var names []string
	for _, f := range t.Files {
		names = append(names, f.FileName)
	}
	return names
}

func TestATemplateKeepsItsFilesInTheOrderSaved(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	id := r.saveTemplate(t, r.viewer, 0, "Price list", "Our prices 🙂", []string{"n2", "n0", "n1"}, "a.png", "b.png", "c.png")
	tpl, err := r.in.Template(ctx, r.viewer, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(fileNames(tpl)); got != "[c.png a.png b.png]" || tpl.Body != "Our prices 🙂" {
		t.Fatalf("saved %s %q, want [c.png a.png b.png] and the text", got, tpl.Body)
	}
	// Reordered and one left out: the one left out is gone with its blob.
	c, a, b := tpl.Files[0], tpl.Files[1], tpl.Files[2]
	r.saveTemplate(t, r.viewer, id, "Price list", "Our prices", []string{fmt.Sprint("f", b.ID), fmt.Sprint("f", c.ID), "n0"}, "d.png")
	tpl, _ = r.in.Template(ctx, r.viewer, id)
	if got := fmt.Sprint(fileNames(tpl)); got != "[b.png c.png d.png]" {
		t.Fatalf("after the edit %s, want [b.png c.png d.png]", got)
	}
	if _, err := r.in.Blobs.Open(ctx, a.StorageKey); !errors.Is(err, inbox.ErrNoBlob) {
		t.Fatalf("the removed file's blob: %v, want gone", err)
	}
	// A new file the order leaves out (removed before saving) is not kept.
	r.saveTemplate(t, r.viewer, id, "Price list", "", []string{fmt.Sprint("f", b.ID)}, "e.png")
	tpl, _ = r.in.Template(ctx, r.viewer, id)
	if got := fmt.Sprint(fileNames(tpl)); got != "[b.png]" {
		t.Fatalf("after dropping files %s, want [b.png]", got)
	}
	var blobs int
	if err := r.store.DB.Get(&blobs, `SELECT count(*) FROM attachments WHERE template_id = $1`, id); err != nil || blobs != 1 {
		t.Fatalf("%d file rows (%v), want 1", blobs, err)
	}
}

func TestATemplateNeedsAName(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	d, err := r.in.EditTemplate(ctx, r.viewer, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.AddFile(ctx, "a.png", "image/png", bytes.NewReader(pngBytes)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Save(ctx, "  ", "text", []string{"n0"}); !errors.Is(err, inbox.ErrTemplateName) {
		t.Fatalf("a template without a name: %v, want ErrTemplateName", err)
	}
	var n int
	if err := r.store.DB.Get(&n, `SELECT count(*) FROM templates`); err != nil || n != 0 {
		t.Fatalf("%d templates stored (%v), want none", n, err)
	}
	huge := io.LimitReader(zeros{}, inbox.MaxUpload+1)
	var big inbox.FileTooLargeError
	if err := d.AddFile(ctx, "huge.png", "image/png", huge); !errors.As(err, &big) || big.Name != "huge.png" {
		t.Fatalf("a file over 50 MB: %v, want FileTooLargeError", err)
	}
}

func TestAnotherManagerCannotSeeOrUseSomeonesTemplate(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	id := r.saveTemplate(t, r.viewer, 0, "Mine", "secret text", []string{"n0"}, "a.png")
	tpl, _ := r.in.Template(ctx, r.viewer, id)
	boris := r.otherManager(t)

	if ts, err := r.in.Templates(ctx, boris, ""); err != nil || len(ts) != 0 {
		t.Fatalf("Boris lists %v (%v), want nothing", ts, err)
	}
	if ts, err := r.in.Templates(ctx, boris, "secret"); err != nil || len(ts) != 0 {
		t.Fatalf("Boris finds %v (%v), want nothing", ts, err)
	}
	if _, err := r.in.Template(ctx, boris, id); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("Boris reads it: %v, want ErrNotFound", err)
	}
	if _, err := r.in.EditTemplate(ctx, boris, id); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("Boris edits it: %v, want ErrNotFound", err)
	}
	if _, err := r.in.OpenTemplateFile(ctx, boris, id, tpl.Files[0].ID); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("Boris opens its file: %v, want ErrNotFound", err)
	}
	if err := r.in.DeleteTemplate(ctx, boris, id); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("Boris deletes it: %v, want ErrNotFound", err)
	}
	draft, err := r.in.NewDraft(ctx, r.viewer, dialog)
	if err != nil {
		t.Fatal(err)
	}
	if err := draft.UseTemplate(ctx, id); err != nil {
		t.Fatalf("the author uses it: %v", err)
	}
	// Boris sees the dialog (it has no responsible) but not her templates.
	if choices, err := r.in.TemplatesFor(ctx, boris, dialog, ""); err != nil || len(choices) != 0 {
		t.Fatalf("Boris is offered %v (%v), want nothing", choices, err)
	}
	// Boris forges the id into his own send.
	bd, err := r.in.NewDraft(ctx, boris, dialog)
	if err != nil {
		t.Fatal(err)
	}
	if err := bd.UseTemplate(ctx, id); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("Boris sends it: %v, want ErrNotFound", err)
	}
	if _, err := bd.Send(ctx, "hi"); err != nil {
		t.Fatal(err)
	}
	r.runJobs(t)
	for _, m := range r.emu.Conversation(phoneID, clientWA) {
		if m.From == graphemu.FromBusiness && m.Type == "image" {
			t.Fatalf("the client got the template's image from Boris's send: %+v", m)
		}
	}
}

func TestATemplateIsSentInOrderWithItsPlaceholdersFilled(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	id := r.saveTemplate(t, r.viewer, 0, "Offer", "", []string{"n1", "n0"}, "first.png", "second.png")
	d, err := r.in.NewDraft(ctx, r.viewer, dialog)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.UseTemplate(ctx, id); err != nil {
		t.Fatal(err)
	}
	sent, err := d.Send(ctx, "Hello {client_name}, this is {manager_name}")
	if err != nil {
		t.Fatal(err)
	}
	if len(sent.Messages) != 2 {
		t.Fatalf("%d messages, want 2 (the text is the first image's caption)", len(sent.Messages))
	}
	r.runJobs(t)
	var got []string
	for _, m := range r.emu.Conversation(phoneID, clientWA) {
		if m.From == graphemu.FromBusiness {
			got = append(got, m.Type+":"+m.Text)
		}
	}
	if fmt.Sprint(got) != "[image:Hello Ivan, this is Anna image:]" {
		t.Fatalf("the phone got %v", got)
	}
	// The sends, in the dialog's order. Not the dialog's last two: the rig's
	// clock stands still at its start, while the client's "Hello" bears the
	// emulator's wall clock second, which may be the next one.
	var last []db.Message
	for _, m := range r.dialogMessages(t) {
		if m.Direction == "out" {
			last = append(last, m)
		}
	}
	if len(last) != 2 || len(last[0].Attachments) != 1 || last[0].Attachments[0].FileName != "second.png" || last[1].Attachments[0].FileName != "first.png" {
		t.Fatalf("stored %+v", last)
	}
	// Deleting the template keeps the sent messages' files.
	if err := r.in.DeleteTemplate(ctx, r.viewer, id); err != nil {
		t.Fatal(err)
	}
	for _, m := range last {
		f, err := r.in.Attachment(ctx, r.viewer, m.Attachments[0].ID)
		if err != nil {
			t.Fatalf("the sent file after the template was deleted: %v", err)
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if !bytes.Equal(b, pngBytes) {
			t.Fatal("the sent file changed")
		}
	}
	if _, err := r.in.Template(ctx, r.viewer, id); !errors.Is(err, inbox.ErrNotFound) {
		t.Fatalf("the deleted template: %v", err)
	}
	// A template never sent leaves nothing behind when deleted.
	unsent := r.saveTemplate(t, r.viewer, 0, "Unsent", "", []string{"n0"}, "x.png")
	tpl, _ := r.in.Template(ctx, r.viewer, unsent)
	if err := r.in.DeleteTemplate(ctx, r.viewer, unsent); err != nil {
		t.Fatal(err)
	}
	if _, err := r.in.Blobs.Open(ctx, tpl.Files[0].StorageKey); !errors.Is(err, inbox.ErrNoBlob) {
		t.Fatalf("the unsent template's blob: %v, want gone", err)
	}
}

func TestWhatTheChannelRefusesIsSaidBeforeSending(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	dialog := r.openDialog(t)
	r.saveTemplate(t, r.viewer, 0, "Tool", "take it", []string{"n0"}, "tool.exe")
	r.saveTemplate(t, r.viewer, 0, "Fine", "hello", nil)
	choices, err := r.in.TemplatesFor(ctx, r.viewer, dialog, "")
	if err != nil || len(choices) != 2 {
		t.Fatalf("choices %v (%v)", choices, err)
	}
	var refused *inbox.RefusedError
	if choices[0].Name != "Fine" || choices[0].Refused != nil || choices[1].Name != "Tool" || !errors.As(choices[1].Refused, &refused) {
		t.Fatalf("choices %+v, want Fine sendable and Tool refused", choices)
	}
	if found, _ := r.in.TemplatesFor(ctx, r.viewer, dialog, "TAKE"); len(found) != 1 || found[0].Name != "Tool" {
		t.Fatalf("searching the text found %v", found)
	}
}
