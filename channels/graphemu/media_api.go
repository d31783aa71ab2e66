package graphemu

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/go-chi/chi/v5"
)

// maxUpload bounds any upload: the largest WhatsApp kind (documents).
const maxUpload = 100 << 20

// numberForToken authorizes a WhatsApp call on object id; it writes the
// error itself and returns false when refused.
func (e *Emulator) numberForToken(w http.ResponseWriter, r *http.Request, id, method string) (Number, bool) {
	tok := bearer(r)
	if tok == "" {
		writeGraphError(w, http.StatusUnauthorized, errNoToken())
		return Number{}, false
	}
	n, ok := e.number(id)
	if !ok {
		if !e.knownToken(tok) {
			writeGraphError(w, http.StatusUnauthorized, errBadToken())
			return Number{}, false
		}
		writeGraphError(w, http.StatusBadRequest, errUnsupported(method, id))
		return Number{}, false
	}
	if n.AccessToken != tok {
		writeGraphError(w, http.StatusUnauthorized, errBadToken())
		return Number{}, false
	}
	return n, true
}

// handleMediaUpload serves POST /{ver}/{phone-number-id}/media (multipart:
// file, type, messaging_product), streaming the file to disk.
func (e *Emulator) handleMediaUpload(w http.ResponseWriter, r *http.Request) {
	n, ok := e.numberForToken(w, r, chi.URLParam(r, "objectID"), "post")
	if !ok {
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		writeGraphError(w, http.StatusBadRequest, invalidParam("Request body must be multipart/form-data with a file part."))
		return
	}
	fields := map[string]string{}
	var obj *mediaObject
	defer func() {
		if obj != nil && obj.Owner == "" { // refused: forget the file
			e.mu.Lock()
			delete(e.media, obj.ID)
			e.mu.Unlock()
			os.Remove(obj.Path)
		}
	}()
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeGraphError(w, http.StatusBadRequest, invalidParam("Malformed multipart body: "+err.Error()))
			return
		}
		if p.FormName() == "file" {
			if obj != nil {
				writeGraphError(w, http.StatusBadRequest, invalidParam("Only one file may be uploaded."))
				return
			}
			o, err := e.storeStream("", p.FileName(), "", p, maxUpload)
			if errors.Is(err, errTooLarge) {
				writeGraphError(w, http.StatusBadRequest, waError(131053, "Media upload error", "File is larger than 100 MB."))
				return
			}
			if err != nil {
				writeGraphError(w, http.StatusInternalServerError, waError(1, "An unknown error occurred", err.Error()))
				return
			}
			obj = o
			continue
		}
		v, _ := io.ReadAll(io.LimitReader(p, 4096))
		fields[p.FormName()] = string(v)
	}
	if ge := checkUpload(fields, obj); ge != nil {
		writeGraphError(w, http.StatusBadRequest, *ge)
		return
	}
	e.mu.Lock()
	obj.MIME = fields["type"]
	obj.Owner = n.PhoneNumberID
	obj.Uploaded = true
	e.mu.Unlock()
	e.log.Info("graphemu: media uploaded", "phone_number_id", n.PhoneNumberID, "id", obj.ID, "mime", obj.MIME, "size", obj.Size)
	writeJSON(w, http.StatusOK, map[string]string{"id": obj.ID})
}

// checkUpload enforces the WhatsApp upload rules on a stored (unregistered) file.
func checkUpload(fields map[string]string, obj *mediaObject) *graphError {
	fail := func(ge graphError) *graphError { return &ge }
	if fields["messaging_product"] == "" {
		return fail(invalidParam("The parameter messaging_product is required."))
	}
	if fields["messaging_product"] != "whatsapp" {
		return fail(invalidParam("Param messaging_product must be 'whatsapp'."))
	}
	if obj == nil {
		return fail(invalidParam("The parameter file is required."))
	}
	if fields["type"] == "" {
		return fail(invalidParam("The parameter type is required."))
	}
	kind := kindOfMIME(fields["type"])
	if kind == "" {
		return fail(waError(131053, "Media upload error", fmt.Sprintf(
			"Param type '%s' is not a supported media type. Supported: image/jpeg, image/png, image/webp, audio/aac, audio/amr, audio/mpeg, audio/mp4, audio/ogg, video/mp4, video/3gpp, text/plain, application/pdf, Microsoft Office documents.", fields["type"])))
	}
	if obj.Size == 0 {
		return fail(waError(131053, "Media upload error", "The uploaded file is empty."))
	}
	if obj.Size > mediaMaxSize[kind] {
		return fail(waError(131053, "Media upload error", fmt.Sprintf(
			"File of type %s is %d bytes; the limit for %s is %d bytes.", fields["type"], obj.Size, kind, mediaMaxSize[kind])))
	}
	if kind == "image" || kind == "sticker" {
		head := make([]byte, 512)
		f, err := os.Open(obj.Path)
		if err == nil {
			k, _ := io.ReadFull(f, head)
			head = head[:k]
			f.Close()
		}
		sniffed, _, _ := strings.Cut(http.DetectContentType(head), ";")
		if sniffed != strings.ToLower(strings.TrimSpace(fields["type"])) {
			return fail(waError(131053, "Media upload error", fmt.Sprintf(
				"The file content is %s but type says %s.", sniffed, fields["type"])))
		}
	}
	return nil
}

// handleObjectGet serves GET /{ver}/{id}: a phone number's or Instagram
// account's profile, or a media object's short-lived download URL.
func (e *Emulator) handleObjectGet(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "objectID")
	if _, ok := e.number(id); ok {
		if n, ok := e.numberForToken(w, r, id, "get"); ok {
			writeJSON(w, http.StatusOK, map[string]any{
				"verified_name": n.Name, "display_phone_number": n.DisplayPhone, "id": n.PhoneNumberID,
				"quality_rating": "GREEN", "code_verification_status": "VERIFIED", "platform_type": "CLOUD_API",
				"throughput": map[string]string{"level": "STANDARD"}, "is_on_biz_app": n.Coexistence,
			})
		}
		return
	}
	if _, ok := e.igAccount(id); ok || id == "me" {
		e.handleIGProfile(w, r, id)
		return
	}
	if e.igClientProfile(w, r, id) {
		return
	}
	e.handleMediaGet(w, r)
}

// handleIGProfile answers GET /{ig-id} and /me with the account's profile.
func (e *Emulator) handleIGProfile(w http.ResponseWriter, r *http.Request, id string) {
	tok := bearer(r)
	if tok == "" {
		writeGraphError(w, http.StatusUnauthorized, errNoToken())
		return
	}
	a, ok := e.igAccountByToken(tok)
	if !ok || (id != "me" && a.ID != id) {
		writeGraphError(w, http.StatusUnauthorized, errBadToken())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": a.ID, "user_id": a.ID, "username": a.Username})
}

// handleMediaGet serves GET /{ver}/{media-id}: the short-lived download URL.
func (e *Emulator) handleMediaGet(w http.ResponseWriter, r *http.Request) {
	o, ok := e.authorizeMedia(w, r, "get")
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"messaging_product": "whatsapp",
		"url":               e.signedURL("/media-download/", o.ID, e.cfg.MediaURLTTL),
		"mime_type":         o.MIME,
		"sha256":            o.SHA256Hex,
		"file_size":         o.Size,
		"id":                o.ID,
	})
}

// handleMediaDelete serves DELETE /{ver}/{media-id}.
func (e *Emulator) handleMediaDelete(w http.ResponseWriter, r *http.Request) {
	o, ok := e.authorizeMedia(w, r, "delete")
	if !ok {
		return
	}
	e.mu.Lock()
	if cur, ok := e.media[o.ID]; ok {
		cur.Deleted = true
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// authorizeMedia finds the media object of the path for the bearer's number.
func (e *Emulator) authorizeMedia(w http.ResponseWriter, r *http.Request, method string) (mediaObject, bool) {
	id := chi.URLParam(r, "objectID")
	tok := bearer(r)
	if tok == "" {
		writeGraphError(w, http.StatusUnauthorized, errNoToken())
		return mediaObject{}, false
	}
	if !e.knownToken(tok) {
		writeGraphError(w, http.StatusUnauthorized, errBadToken())
		return mediaObject{}, false
	}
	o, ok := e.mediaByID(id)
	if ok {
		n, known := e.number(o.Owner)
		ok = known && n.AccessToken == tok && !o.expired(e.now())
	}
	if pid := r.URL.Query().Get("phone_number_id"); ok && pid != "" && pid != o.Owner {
		ok = false
	}
	if !ok {
		writeGraphError(w, http.StatusBadRequest, errUnsupported(method, id))
		return mediaObject{}, false
	}
	return o, true
}

// handleMediaDownload serves the URL given by GET /{media-id}; it needs the
// owner's bearer token and expires.
func (e *Emulator) handleMediaDownload(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "mediaID")
	valid, expired := e.checkSignedURL(r, id)
	if !valid {
		http.Error(w, "graphemu: invalid media URL", http.StatusNotFound)
		return
	}
	o, ok := e.mediaByID(id)
	if !ok {
		http.Error(w, "graphemu: media not found", http.StatusNotFound)
		return
	}
	n, _ := e.number(o.Owner)
	tok := bearer(r)
	if tok == "" || tok != n.AccessToken {
		writeGraphError(w, http.StatusUnauthorized, errBadToken())
		return
	}
	if expired {
		writeGraphError(w, http.StatusUnauthorized, graphError{
			Message: "URL signature expired", Type: "OAuthException", Code: 190,
		})
		return
	}
	serveMedia(w, r, o)
}

// Media returns the bytes and MIME type of a stored file, e.g. what the app
// uploaded and sent, for tests.
func (e *Emulator) Media(id string) ([]byte, string, error) {
	o, ok := e.mediaByID(id)
	if !ok {
		return nil, "", fmt.Errorf("graphemu: no media %q", id)
	}
	data, err := os.ReadFile(o.Path)
	if err != nil {
		return nil, "", fmt.Errorf("graphemu: unable to read media %s: %w", id, err)
	}
	return data, o.MIME, nil
}

// handlePhoneMedia serves the phone's own copy of a file.
func (e *Emulator) handlePhoneMedia(w http.ResponseWriter, r *http.Request) {
	o, ok := e.mediaByID(chi.URLParam(r, "mediaID"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	serveMedia(w, r, o)
}

// handleIGCDN serves Instagram attachment URLs: public, signed, expiring.
func (e *Emulator) handleIGCDN(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "mediaID")
	valid, expired := e.checkSignedURL(r, id)
	if !valid || expired {
		http.Error(w, "URL signature expired", http.StatusForbidden)
		return
	}
	o, ok := e.mediaByID(id)
	if !ok {
		http.NotFound(w, r)
		return
	}
	serveMedia(w, r, o)
}

// readAllLimited reads at most max bytes from r.
func readAllLimited(r io.Reader, max int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}
