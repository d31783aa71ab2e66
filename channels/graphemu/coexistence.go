package graphemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// HistoryThread is one chat of a coexistence number's backfilled history.
type HistoryThread struct {
	Client   Client           `json:"client"`
	Messages []HistoryMessage `json:"messages"`
}

// HistoryMessage is one message of a history thread.
type HistoryMessage struct {
	From   string    `json:"from"` // FromClient or FromBusiness
	Kind   string    `json:"kind"` // text (default), image, video, audio, voice, document, sticker
	Text   string    `json:"text"` // body or caption
	MIME   string    `json:"mime,omitempty"`
	Name   string    `json:"name,omitempty"` // document file name
	At     time.Time `json:"at"`
	Status string    `json:"status,omitempty"` // history_context.status; READ by default
}

// ErrNotCoexistence is returned for business-phone calls on a number that
// is not in coexistence mode.
var ErrNotCoexistence = errors.New("graphemu: number is not a coexistence number")

// coexNumber returns a registered coexistence number.
func (e *Emulator) coexNumber(id string) (Number, error) {
	n, ok := e.number(id)
	if !ok {
		return Number{}, fmt.Errorf("%w %q", ErrUnknownAccount, id)
	}
	if !n.Coexistence {
		return Number{}, fmt.Errorf("%w: %s", ErrNotCoexistence, id)
	}
	return n, nil
}

// BusinessSend sends a message from the business's own WhatsApp Business
// app to a client; the app gets it as an smb_message_echoes webhook.
func (e *Emulator) BusinessSend(numberID, client string, m Content) (string, error) {
	n, err := e.coexNumber(numberID)
	if err != nil {
		return "", err
	}
	to, ok := normalizePhone(client)
	if !ok {
		return "", fmt.Errorf("graphemu: client %q is not a phone number", client)
	}
	if m.Kind == "" {
		m.Kind = KindText
	}
	if err := validateContent(m); err != nil {
		return "", err
	}
	if err := prepareVoice(&m); err != nil {
		return "", err
	}
	now := e.now()
	id := e.newWamid()
	msg := &ChatMessage{ID: id, From: FromBusiness, Source: SourceApp, Type: m.Kind, At: now, ReplyTo: m.ReplyTo}
	wire := waMessage{From: n.DisplayPhone, To: to, ID: id, Timestamp: unixString(now), Type: m.Kind}
	if err := e.buildContent(n.PhoneNumberID, m, msg, &wire); err != nil {
		return "", err
	}
	if m.ReplyTo != "" && m.Kind != KindReaction {
		wire.Context = &waContext{From: e.quotedFrom(n, to, m.ReplyTo), ID: m.ReplyTo}
	}
	e.addBusinessMessage(n.PhoneNumberID, to, msg)
	e.sendWA(n, "smb_message_echoes", waValue{MessageEchoes: []waMessage{wire}}, 0)
	e.log.Info("graphemu: business app message echoed", "phone_number_id", n.PhoneNumberID, "to", to, "id", id)
	return id, nil
}

// BusinessEdit edits a text the business sent from its app.
func (e *Emulator) BusinessEdit(numberID, client, messageID, text string) error {
	if strings.TrimSpace(text) == "" {
		return errors.New("graphemu: edited text is empty")
	}
	return e.businessChange(numberID, client, messageID, func(m *ChatMessage, wire *waMessage) error {
		if m.Type != KindText {
			return errors.New("graphemu: only text messages can be edited")
		}
		m.Text, m.Edited = text, true
		wire.Type = "edit"
		wire.Edit = &waEdit{OriginalMessageID: messageID, Message: &waEditedMessage{Type: "text", Text: &waText{Body: text}}}
		return nil
	})
}

// BusinessRevoke deletes for everyone a message the business sent from its app.
func (e *Emulator) BusinessRevoke(numberID, client, messageID string) error {
	return e.businessChange(numberID, client, messageID, func(m *ChatMessage, wire *waMessage) error {
		m.Revoked, m.Text, m.Media, m.Location, m.Contacts = true, "", nil, nil, nil
		wire.Type = "revoke"
		wire.Revoke = &waRevoke{OriginalMessageID: messageID}
		return nil
	})
}

// businessChange applies an edit or revoke to a business-app message and
// echoes it.
func (e *Emulator) businessChange(numberID, client, messageID string, apply func(*ChatMessage, *waMessage) error) error {
	n, err := e.coexNumber(numberID)
	if err != nil {
		return err
	}
	to, _ := normalizePhone(client)
	now := e.now()
	wire := waMessage{From: n.DisplayPhone, To: to, ID: e.newWamid(), Timestamp: unixString(now)}
	e.mu.Lock()
	c, ok := e.convs[convKey{n.PhoneNumberID, to}]
	var m *ChatMessage
	if ok {
		m = c.findMessage(messageID)
	}
	if m == nil || m.From != FromBusiness || m.Source != SourceApp {
		e.mu.Unlock()
		return fmt.Errorf("graphemu: no business-app message %q in this chat", messageID)
	}
	if err := apply(m, &wire); err != nil {
		e.mu.Unlock()
		return err
	}
	snapshot := copyMessage(m)
	e.mu.Unlock()
	e.publish(n.PhoneNumberID, to, "status", snapshot)
	e.sendWA(n, "smb_message_echoes", waValue{MessageEchoes: []waMessage{wire}}, 0)
	return nil
}

// historyItem is one history message placed in its phase.
type historyItem struct {
	client Client
	phase  int
	wire   waMessage
	msg    *ChatMessage
}

// SendHistory backfills a coexistence number's chats through "history"
// webhooks (shape in the package doc) and shows them on the client phones.
// Messages older than 180 days are dropped, as by Meta.
func (e *Emulator) SendHistory(numberID string, threads []HistoryThread) error {
	n, err := e.coexNumber(numberID)
	if err != nil {
		return err
	}
	now := e.now()
	var items []historyItem
	for _, t := range threads {
		client, ok := normalizePhone(t.Client.ID)
		if !ok {
			return fmt.Errorf("graphemu: history client %q is not a phone number", t.Client.ID)
		}
		for _, hm := range t.Messages {
			age := now.Sub(hm.At)
			phase := 0
			switch {
			case age > 180*24*time.Hour:
				continue
			case age > 90*24*time.Hour:
				phase = 2
			case age > 24*time.Hour:
				phase = 1
			}
			item := historyItem{client: Client{ID: client, Name: t.Client.Name}, phase: phase}
			item.wire, item.msg = e.historyMessage(n, client, hm)
			items = append(items, item)
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].msg.At.Before(items[j].msg.At) })
	e.storeHistory(n.PhoneNumberID, items)

	total, sent := len(items), 0
	for phase := 0; phase <= 2; phase++ {
		var inPhase []historyItem
		for _, it := range items {
			if it.phase == phase {
				inPhase = append(inPhase, it)
			}
		}
		for order := 1; len(inPhase) > 0; order++ {
			k := min(e.cfg.HistoryChunkSize, len(inPhase))
			chunk := inPhase[:k]
			inPhase = inPhase[k:]
			sent += k
			e.sendWA(n, "history", waValue{History: []waHistoryChunk{{
				Metadata: &waHistoryMeta{Phase: phase, ChunkOrder: order, Progress: sent * 100 / total},
				Threads:  groupThreads(chunk),
			}}}, 0)
		}
	}
	e.log.Info("graphemu: history sent", "phone_number_id", n.PhoneNumberID, "messages", total)
	return nil
}

// DeclineHistory sends the webhook saying the business declined to share history.
func (e *Emulator) DeclineHistory(numberID string) error {
	n, err := e.coexNumber(numberID)
	if err != nil {
		return err
	}
	e.sendWA(n, "history", waValue{History: []waHistoryChunk{{
		Metadata: &waHistoryMeta{Phase: 0, ChunkOrder: 1, Progress: 100},
		Errors: []waErrorItem{waErr(2593109, "History sharing is turned off by the business",
			"The business chose not to share its chat history during onboarding.")},
	}}}, 0)
	return nil
}

// historyMessage builds the wire and phone views of a history message.
func (e *Emulator) historyMessage(n Number, client string, hm HistoryMessage) (waMessage, *ChatMessage) {
	kind := hm.Kind
	if kind == "" {
		kind = KindText
	}
	status := hm.Status
	if status == "" {
		status = "READ"
	}
	id := e.newWamid()
	wire := waMessage{From: client, ID: id, Timestamp: unixString(hm.At), Type: kind,
		HistoryContext: &waHistoryContext{Status: status}}
	msg := &ChatMessage{ID: id, From: hm.From, Source: SourceHistory, Type: kind, Text: hm.Text, At: hm.At}
	if hm.From == FromBusiness {
		wire.From, wire.To = n.DisplayPhone, client
		msg.Status = strings.ToLower(status)
	}
	media := &waMedia{MIMEType: hm.MIME, Caption: hm.Text}
	switch kind {
	case KindText:
		wire.Text = &waText{Body: hm.Text}
	case KindImage:
		wire.Image = media
	case KindVideo:
		wire.Video = media
	case KindDocument:
		media.Filename = hm.Name
		wire.Document = media
	case KindAudio, KindVoice:
		voice := kind == KindVoice
		media.Caption, media.Voice = "", &voice
		wire.Type, msg.Type, wire.Audio = KindAudio, KindAudio, media
	case KindSticker:
		media.Caption = ""
		wire.Sticker = media
	}
	return wire, msg
}

// storeHistory merges backfilled messages into the conversations, by time.
func (e *Emulator) storeHistory(account string, items []historyItem) {
	e.mu.Lock()
	touched := map[string]bool{}
	for _, it := range items {
		c := e.conv(account, it.client.ID)
		if c.name == "" {
			c.name = it.client.Name
		}
		c.messages = append(c.messages, it.msg)
		touched[it.client.ID] = true
	}
	for client := range touched {
		c := e.convs[convKey{account, client}]
		sort.SliceStable(c.messages, func(i, j int) bool { return c.messages[i].At.Before(c.messages[j].At) })
	}
	e.mu.Unlock()
	for _, it := range items {
		e.publish(account, it.client.ID, "message", copyMessage(it.msg))
	}
}

// groupThreads groups a chunk's messages by client, keeping their order.
func groupThreads(items []historyItem) []waThread {
	var threads []waThread
	index := map[string]int{}
	for _, it := range items {
		i, ok := index[it.client.ID]
		if !ok {
			i = len(threads)
			index[it.client.ID] = i
			threads = append(threads, waThread{ID: it.client.ID})
		}
		threads[i].Messages = append(threads[i].Messages, it.wire)
	}
	return threads
}

// handleBusinessSend serves POST /phone/api/business/send (the business phone panel).
func (e *Emulator) handleBusinessSend(w http.ResponseWriter, r *http.Request) {
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
	id, err := e.BusinessSend(account, client, content)
	if err != nil {
		phoneError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id})
}

// handleBusinessEdit serves POST /phone/api/business/edit.
func (e *Emulator) handleBusinessEdit(w http.ResponseWriter, r *http.Request) {
	account, client, ok := e.phoneParams(w, r)
	if !ok {
		return
	}
	if err := e.BusinessEdit(account, client, r.FormValue("id"), r.FormValue("text")); err != nil {
		phoneError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// handleBusinessRevoke serves POST /phone/api/business/revoke.
func (e *Emulator) handleBusinessRevoke(w http.ResponseWriter, r *http.Request) {
	account, client, ok := e.phoneParams(w, r)
	if !ok {
		return
	}
	if err := e.BusinessRevoke(account, client, r.FormValue("id")); err != nil {
		phoneError(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}

// historyRequest is the body of POST /admin/history.
type historyRequest struct {
	Account  string          `json:"account"`
	Threads  []HistoryThread `json:"threads"`
	Declined bool            `json:"declined"`
}

// handleHistory serves POST /admin/history: a backfill on demand.
func (e *Emulator) handleHistory(w http.ResponseWriter, r *http.Request) {
	var req historyRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "graphemu: bad history JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	var err error
	if req.Declined {
		err = e.DeclineHistory(req.Account)
	} else {
		err = e.SendHistory(req.Account, req.Threads)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": true})
}
