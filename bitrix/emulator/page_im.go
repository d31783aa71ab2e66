package emulator

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

type chatItem struct {
	ID     int
	Title  string
	Type   string
	Active bool
}

type chatView struct {
	ID       int
	Title    string
	Type     string
	Messages []messageView
}

type messageView struct {
	ID      int
	Author  string
	Mine    bool
	Bot     bool
	Text    string
	Deleted bool
	Edited  bool
	System  bool
	Created time.Time
	Rows    [][]buttonView
	Blocked bool
	Attach  []attachBlock
	Files   []formField // name, link
}

// attachBlock is one ATTACH block as the messenger draws it.
type attachBlock struct {
	Kind        string // MESSAGE, LINK, DELIMITER, GRID, IMAGE, USER
	Text, Link  string
	Name, Value string
}

type buttonView struct {
	Index    int
	Text     string
	Command  bool
	Link     string
	Action   string // SEND, PUT, COPY, CALL, DIALOG: handled in the page
	Value    string // ACTION_VALUE
	Disabled bool
	Color    string
}

func (p *Portal) serveMessenger(w http.ResponseWriter, r *http.Request) {
	u := p.requireUser(w, r)
	if u == nil {
		return
	}
	d := pageData{User: u, Section: "online", Notice: r.URL.Query().Get("notice")}
	selected, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Query().Get("IM_DIALOG"), "chat"))
	p.mu.Lock()
	for _, ch := range p.sortedChats() {
		if !slices.Contains(ch.Users, u.ID) {
			continue
		}
		title := ch.Title
		if ch.Type == "P" {
			for _, other := range ch.Users {
				if other != u.ID {
					title = p.userName(other)
				}
			}
		}
		d.Chats = append(d.Chats, chatItem{ID: ch.ID, Title: title, Type: ch.Type, Active: ch.ID == selected})
		if ch.ID == selected {
			d.Chat = p.chatViewLocked(ch, title, u.ID)
		}
	}
	p.mu.Unlock()
	p.render(w, r, "messenger", d)
}

func (p *Portal) chatViewLocked(ch *chat, title string, viewer int) *chatView {
	cv := &chatView{ID: ch.ID, Title: title, Type: ch.Type}
	for _, id := range ch.Messages {
		m := p.messages[id]
		mv := messageView{ID: m.ID, Author: p.userName(m.AuthorID), Mine: m.AuthorID == viewer, Bot: m.BotID != 0,
			Text: m.Text, Deleted: m.Deleted, Edited: m.Edited, System: m.System, Created: m.Created}
		if m.Keyboard != nil && !m.Deleted {
			mv.Blocked = m.Keyboard.Blocked
			row := []buttonView{}
			for i, b := range m.Keyboard.Buttons {
				if str(b["TYPE"]) == "NEWLINE" {
					mv.Rows = append(mv.Rows, row)
					row = []buttonView{}
					continue
				}
				bv := buttonView{Index: i, Text: str(b["TEXT"]), Command: str(b["COMMAND"]) != "", Link: str(b["LINK"]),
					Action: strings.ToUpper(str(b["ACTION"])), Value: str(b["ACTION_VALUE"]),
					Disabled: truthy(b["DISABLED"]) || m.Keyboard.Blocked, Color: str(b["BG_COLOR_TOKEN"])}
				switch bv.Action {
				case "DIALOG":
					bv.Link = "/online/?IM_DIALOG=" + bv.Value
				case "CALL":
					bv.Link = "tel:" + bv.Value
				}
				row = append(row, bv)
			}
			mv.Rows = append(mv.Rows, row)
		}
		if !m.Deleted {
			mv.Attach = attachBlocks(m.Attach)
			for _, f := range m.Files {
				mv.Files = append(mv.Files, formField{f.Name, p.fileLink(f)})
			}
		}
		cv.Messages = append(cv.Messages, mv)
	}
	return cv
}

func (p *Portal) serveSend(w http.ResponseWriter, r *http.Request) {
	u := p.requireUser(w, r)
	if u == nil {
		return
	}
	var files []File
	if err := r.ParseMultipartForm(50 << 20); err == nil {
		for _, fh := range r.MultipartForm.File["file"] {
			f, err := fh.Open()
			if err != nil {
				continue
			}
			data, _ := io.ReadAll(f)
			f.Close()
			files = append(files, File{Name: fh.Filename, Data: data})
		}
	}
	chatID, _ := strconv.Atoi(r.FormValue("chat_id"))
	back := "/online/?IM_DIALOG=chat" + strconv.Itoa(chatID)
	if _, err := p.PostAsUser(u.ID, chatID, r.FormValue("text"), files...); err != nil {
		back += "&notice=" + urlQuery(err.Error())
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// serveButton presses a keyboard button: a COMMAND button reaches the app
// as ONIMCOMMANDADD.
func (p *Portal) serveButton(w http.ResponseWriter, r *http.Request) {
	u := p.requireUser(w, r)
	if u == nil {
		return
	}
	msgID, _ := strconv.Atoi(r.FormValue("message_id"))
	index, _ := strconv.Atoi(r.FormValue("index"))
	p.mu.Lock()
	chatID := 0
	if m := p.messages[msgID]; m != nil {
		chatID = m.ChatID
	}
	p.mu.Unlock()
	back := "/online/?IM_DIALOG=chat" + strconv.Itoa(chatID)
	if err := p.ClickButton(r.Context(), u.ID, msgID, index); err != nil && !errors.Is(err, ErrNoCommand) {
		p.log.Warn("button click failed", "message", msgID, "err", err)
		back += "&notice=" + urlQuery(err.Error())
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

type tileView struct {
	Connector, Title, Href string
	Active                 bool
}

// serveContactCenter shows the registered connectors; a tile opens the
// connector's SETTING_CONNECTOR page for the chosen line.
func (p *Portal) serveContactCenter(w http.ResponseWriter, r *http.Request) {
	u := p.requireUser(w, r)
	if u == nil {
		return
	}
	d := pageData{User: u, Section: "contact_center"}
	line, _ := strconv.Atoi(r.URL.Query().Get("line"))
	p.mu.Lock()
	if p.lines[line] == nil {
		line = 1
	}
	d.LineID = line
	for id := 1; id <= p.nextID["line"]; id++ {
		if l := p.lines[id]; l != nil {
			d.Lines = append(d.Lines, l)
		}
	}
	var open *placement
	var openOpts map[string]any
	for _, pl := range p.boundLocked("SETTING_CONNECTOR") {
		opts, _ := pl.Options.(map[string]any)
		id := str(opts["CONNECTOR"])
		cn := p.connectors[id]
		if cn == nil {
			continue
		}
		active := cn.Lines[line] != nil && cn.Lines[line].Active
		d.Tiles = append(d.Tiles, tileView{Connector: id, Title: cn.Name, Active: active,
			Href: "/contact_center/?line=" + strconv.Itoa(line) + "&connector=" + id})
		if r.URL.Query().Get("connector") == id {
			open = pl
			openOpts = map[string]any{"CONNECTOR": id, "LINE": strconv.Itoa(line), "STATUS": active, "ACTIVE_STATUS": active,
				"CONNECTION_STATUS": active, "REGISTER_STATUS": true, "ERROR_STATUS": false}
		}
	}
	p.mu.Unlock()
	if open != nil {
		f, err := p.frame(r, u, "SETTING_CONNECTOR", open.Handler, open.Title, openOpts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		d.Slider = f
	}
	p.render(w, r, "contact_center", d)
}

func urlQuery(s string) string {
	return url.QueryEscape(s)
}

// serveJoin adds the signed-in user to an open line chat ("Join").
func (p *Portal) serveJoin(w http.ResponseWriter, r *http.Request) {
	u := p.requireUser(w, r)
	if u == nil {
		return
	}
	chatID, _ := strconv.Atoi(r.FormValue("chat_id"))
	p.mu.Lock()
	if ch := p.chats[chatID]; ch != nil && ch.Line != nil && !slices.Contains(ch.Users, u.ID) {
		ch.Users = append(ch.Users, u.ID)
	}
	p.mu.Unlock()
	http.Redirect(w, r, "/online/?IM_DIALOG=chat"+strconv.Itoa(chatID), http.StatusSeeOther)
}

// attachBlocks reads ATTACH: {"BLOCKS":[…]} or a bare list of blocks.
func attachBlocks(v any) []attachBlock {
	var blocks []any
	switch t := v.(type) {
	case map[string]any:
		blocks, _ = t["BLOCKS"].([]any)
	case []any:
		blocks = t
	}
	var out []attachBlock
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		for kind, val := range bm {
			switch kind {
			case "MESSAGE":
				out = append(out, attachBlock{Kind: kind, Text: str(val)})
			case "DELIMITER":
				out = append(out, attachBlock{Kind: kind})
			case "LINK", "IMAGE", "USER", "FILE":
				for _, item := range asList(val) {
					im, _ := item.(map[string]any)
					out = append(out, attachBlock{Kind: kind, Name: str(im["NAME"]), Link: str(im["LINK"]), Text: str(im["DESC"])})
				}
			case "GRID":
				for _, item := range asList(val) {
					im, _ := item.(map[string]any)
					out = append(out, attachBlock{Kind: kind, Name: str(im["NAME"]), Value: str(im["VALUE"])})
				}
			}
		}
	}
	return out
}

// asList is a block value that may be one object or a list of them.
func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}
