package handlers_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// saveTemplateForm posts the template form as the page does: name, text,
// order, then the files.
func (it *installed) saveTemplateForm(t *testing.T, path, token, name string, files map[string][]byte) (int, http.Header, string) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("name", name)
	_ = w.WriteField("text", "Hello {client_name}")
	i := 0
	for range files {
		_ = w.WriteField("order", "n"+strconv.Itoa(i))
		i++
	}
	for fn, b := range files {
		fw, _ := w.CreateFormFile("files", fn)
		_, _ = fw.Write(b)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, it.app.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-Switchboard-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestTemplateRoutesAnswerOnlyTheirAuthor(t *testing.T) {
	it := newInstalled(t)
	anna, boris := it.signedIn(t, 1), it.signedIn(t, 2)
	status, h, body := it.saveTemplateForm(t, "/templates", anna, "Anna's price list", map[string][]byte{"p.png": []byte("\x89PNG\r\n\x1a\nrest")})
	if status != http.StatusNoContent || !strings.HasPrefix(h.Get("HX-Redirect"), "/templates?st=") {
		t.Fatalf("saving: %d %v\n%s", status, h, body)
	}
	var id, fileID int64
	if err := it.store.DB.QueryRow(`SELECT t.id, a.id FROM templates t JOIN attachments a ON a.template_id = t.id`).Scan(&id, &fileID); err != nil {
		t.Fatal(err)
	}
	tpl, file := "/templates/"+strconv.FormatInt(id, 10), "/files/"+strconv.FormatInt(fileID, 10)
	if status, body := it.get(t, "/templates", anna); status != 200 || !strings.Contains(body, "Anna&#39;s price list") {
		t.Fatalf("Anna's list: %d\n%s", status, body)
	}
	if status, _ := it.get(t, tpl+file, anna); status != 200 {
		t.Fatalf("Anna's file: %d", status)
	}
	if status, body := it.get(t, "/templates?q=price", boris); status != 200 || strings.Contains(body, "price list") {
		t.Fatalf("Boris's list: %d\n%s", status, body)
	}
	for _, path := range []string{tpl, tpl + file} {
		if status, body := it.get(t, path, boris); status != http.StatusNotFound || strings.Contains(body, "price list") {
			t.Fatalf("Boris GET %s: %d\n%s", path, status, body)
		}
	}
	if status, _, _ := it.saveTemplateForm(t, tpl, boris, "Taken over", nil); status != http.StatusNotFound {
		t.Fatalf("Boris saving over it: %d", status)
	}
	if status, _ := it.post(t, tpl+"/delete", boris); status != http.StatusNotFound {
		t.Fatalf("Boris deleting it: %d", status)
	}
	var name string
	var files int
	if err := it.store.DB.QueryRow(`SELECT t.name, (SELECT count(*) FROM attachments WHERE template_id = t.id) FROM templates t WHERE id = $1`, id).Scan(&name, &files); err != nil || name != "Anna's price list" || files != 1 {
		t.Fatalf("after Boris: %q with %d files (%v)", name, files, err)
	}
	// A nameless template is refused on the form, in the viewer's words.
	status, _, body = it.saveTemplateForm(t, "/templates", anna, " ", nil)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "name") {
		t.Fatalf("a nameless template: %d\n%s", status, body)
	}
	if status, _ := it.post(t, tpl+"/delete", anna); status != http.StatusNoContent {
		t.Fatalf("Anna deleting it: %d", status)
	}
	if status, _ := it.get(t, tpl, anna); status != http.StatusNotFound {
		t.Fatalf("the deleted template: %d", status)
	}
}
