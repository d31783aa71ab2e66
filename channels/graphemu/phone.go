package graphemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// subscriber is one open phone page stream.
type subscriber struct {
	ch chan sseEvent
}

type sseEvent struct {
	name string
	data []byte
}

// phoneEvent is the data of "message" and "status" events.
type phoneEvent struct {
	Account string      `json:"account"`
	Client  string      `json:"client"`
	Message ChatMessage `json:"message"`
}

// publish sends an event to every phone page showing (account, client).
func (e *Emulator) publish(account, client, name string, m ChatMessage) {
	data, err := json.Marshal(phoneEvent{Account: account, Client: client, Message: m})
	if err != nil {
		e.log.Error("graphemu: unable to encode phone event", "err", err)
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for s := range e.subs[convKey{account, client}] {
		select {
		case s.ch <- sseEvent{name: name, data: data}:
		default: // a stalled page reloads the conversation on reconnect
		}
	}
}

// PhoneOnline reports whether a phone page for the client is connected.
func (e *Emulator) PhoneOnline(account, client string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.subs[convKey{account, client}]) > 0
}

// handlePhoneEvents serves the phone page's SSE stream: a "snapshot" of the
// conversation, then "message" and "status" events. Connecting delivers the
// business messages waiting for this client.
func (e *Emulator) handlePhoneEvents(w http.ResponseWriter, r *http.Request) {
	account, client, ok := e.phoneParams(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	sub := &subscriber{ch: make(chan sseEvent, 256)}
	key := convKey{account, client}
	e.mu.Lock()
	if e.subs[key] == nil {
		e.subs[key] = map[*subscriber]struct{}{}
	}
	e.subs[key][sub] = struct{}{}
	var snapshot []ChatMessage
	if c, ok := e.convs[key]; ok {
		for _, m := range c.messages {
			snapshot = append(snapshot, copyMessage(m))
		}
	}
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		delete(e.subs[key], sub)
		e.mu.Unlock()
	}()

	data, _ := json.Marshal(map[string]any{"account": account, "client": client, "messages": snapshot})
	if !writeSSE(w, rc, sseEvent{name: "snapshot", data: data}) {
		return
	}
	e.MarkDelivered(account, client)

	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case ev := <-sub.ch:
			if !writeSSE(w, rc, ev) {
				return
			}
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-e.done:
			return
		}
	}
}

// writeSSE writes and flushes one event.
func writeSSE(w http.ResponseWriter, rc *http.ResponseController, ev sseEvent) bool {
	if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, ev.data); err != nil {
		return false
	}
	return rc.Flush() == nil
}

// phoneParams reads and checks account and client of a phone request.
func (e *Emulator) phoneParams(w http.ResponseWriter, r *http.Request) (account, client string, ok bool) {
	account = strings.TrimSpace(r.FormValue("account"))
	client = strings.TrimSpace(r.FormValue("client"))
	kind, err := e.accountKind(account)
	if err != nil {
		phoneError(w, http.StatusNotFound, err)
		return "", "", false
	}
	if kind == "whatsapp" {
		digits, valid := normalizePhone(client)
		if !valid {
			phoneError(w, http.StatusBadRequest, fmt.Errorf("graphemu: client %q is not a phone number", client))
			return "", "", false
		}
		client = digits
	}
	if client == "" {
		phoneError(w, http.StatusBadRequest, fmt.Errorf("graphemu: client is required"))
		return "", "", false
	}
	return account, client, true
}

// phoneError answers a phone API call with {"error": ...}.
func phoneError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// handlePhoneAccounts serves GET /phone/api/accounts.
func (e *Emulator) handlePhoneAccounts(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, e.Accounts())
}

// handlePhoneClients serves GET /phone/api/clients?account=: who has a chat there.
func (e *Emulator) handlePhoneClients(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, e.Clients(r.FormValue("account")))
}

// handlePhoneConversation serves GET /phone/api/conversation.
func (e *Emulator) handlePhoneConversation(w http.ResponseWriter, r *http.Request) {
	account, client, ok := e.phoneParams(w, r)
	if !ok {
		return
	}
	msgs := e.Conversation(account, client)
	if msgs == nil {
		msgs = []ChatMessage{}
	}
	writeJSON(w, http.StatusOK, msgs)
}

// handlePhoneSend serves POST /phone/api/send (form or multipart): the
// client sends a message.
func (e *Emulator) handlePhoneSend(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(32 << 20); err != nil && err != http.ErrNotMultipart {
		phoneError(w, http.StatusBadRequest, fmt.Errorf("graphemu: bad form: %w", err))
		return
	}
	account, client, ok := e.phoneParams(w, r)
	if !ok {
		return
	}
	content, err := contentFromForm(r)
	if err != nil {
		phoneError(w, http.StatusBadRequest, err)
		return
	}
	id, err := e.ClientSend(account, Client{ID: client, Name: r.FormValue("name")}, content)
	if err != nil {
		phoneError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id})
}

// contentFromForm builds a Content from the phone page's form fields.
func contentFromForm(r *http.Request) (Content, error) {
	c := Content{
		Kind:    r.FormValue("kind"),
		Text:    r.FormValue("text"),
		ReplyTo: r.FormValue("reply_to"),
		ReactTo: r.FormValue("react_to"),
		Emoji:   r.FormValue("emoji"),
	}
	if c.Kind == "" {
		c.Kind = KindText
	}
	if f, hdr, err := r.FormFile("file"); err == nil {
		defer f.Close()
		data, err := readAllLimited(f, maxUpload)
		if err != nil {
			return c, fmt.Errorf("graphemu: unable to read file: %w", err)
		}
		c.File = &File{Name: hdr.Filename, MIME: hdr.Header.Get("Content-Type"), Data: data}
		if c.File.MIME == "application/octet-stream" {
			c.File.MIME = ""
		}
	}
	switch c.Kind {
	case "file":
		if c.File == nil {
			return c, fmt.Errorf("graphemu: no file attached")
		}
		c.Kind = kindForFile(c.File)
	case KindVoice:
		if c.File == nil {
			c.File = &File{Name: "voice.ogg", MIME: voiceMIME, Data: voiceSample()}
		}
	case KindLocation:
		lat, err1 := strconv.ParseFloat(r.FormValue("lat"), 64)
		lon, err2 := strconv.ParseFloat(r.FormValue("lon"), 64)
		if err1 != nil || err2 != nil {
			return c, fmt.Errorf("graphemu: location needs numeric lat and lon")
		}
		c.Location = &Location{Latitude: lat, Longitude: lon, Name: r.FormValue("loc_name"), Address: r.FormValue("loc_address")}
	case KindContacts:
		c.Contacts = []ContactCard{{Name: r.FormValue("contact_name"), Phone: r.FormValue("contact_phone")}}
		if c.Contacts[0].Name == "" {
			return c, fmt.Errorf("graphemu: contact card needs a name")
		}
	}
	return c, nil
}

// kindForFile picks the message kind a phone uses for an attached file.
func kindForFile(f *File) string {
	mime := f.MIME
	if mime == "" {
		mime = sniffMIME(f.Name, f.Data)
		f.MIME = mime
	}
	switch kindOfMIME(mime) {
	case "image":
		return KindImage
	case "sticker":
		return KindSticker
	case "video":
		return KindVideo
	case "audio":
		return KindAudio
	}
	return KindDocument
}

// handlePhoneRead serves POST /phone/api/read: the client looked at the chat.
func (e *Emulator) handlePhoneRead(w http.ResponseWriter, r *http.Request) {
	account, client, ok := e.phoneParams(w, r)
	if !ok {
		return
	}
	e.MarkRead(account, client)
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// handlePhonePlayed serves POST /phone/api/played: a voice note was played.
func (e *Emulator) handlePhonePlayed(w http.ResponseWriter, r *http.Request) {
	account, client, ok := e.phoneParams(w, r)
	if !ok {
		return
	}
	e.MarkPlayed(account, client, r.FormValue("id"))
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}
