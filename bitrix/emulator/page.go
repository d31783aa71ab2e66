package emulator

import (
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

//go:embed page
var pageFS embed.FS

// Cookies of the portal page.
const (
	userCookie = "BX_EMU_UID"
	langCookie = "BX_EMU_LANG"
)

// pageViews are the portal page's views, each parsed with the layout.
var pageViews = map[string]*template.Template{}

func init() {
	funcs := template.FuncMap{"bb": renderBB, "date": func(t time.Time) string { return t.Format("02.01.2006 15:04") }}
	for _, v := range []string{"signin", "list", "card", "app", "messenger", "contact_center", "notifications"} {
		pageViews[v] = template.Must(template.New("").Funcs(funcs).ParseFS(pageFS, "page/layout.html", "page/"+v+".html"))
	}
}

func (p *Portal) pageRoutes(r chi.Router) {
	r.Get("/", p.serveHome)
	r.Get("/login", p.serveLogin)
	r.Post("/login", p.serveLogin)
	r.Get("/logout", p.serveLogout)
	r.Get("/lang/{lang}", p.serveLang)
	r.Get("/bx24.js", p.serveBX24)
	r.Get("/crm/{type}/list/", p.serveList)
	r.Get("/crm/{type}/details/{id}/", p.serveCard)
	r.Post("/crm/{type}/details/{id}/", p.serveCardSave)
	r.Get("/marketplace/app/", p.serveApp)
	r.Get("/online/", p.serveMessenger)
	r.Post("/online/send", p.serveSend)
	r.Post("/online/button", p.serveButton)
	r.Post("/online/join", p.serveJoin)
	r.Get("/contact_center/", p.serveContactCenter)
	r.Get("/notifications/", p.serveNotifications)
	r.Post("/emulator/install-finish", p.serveInstallFinish)
	r.Post("/emulator/frame-auth", p.serveFrameAuth)
	r.Get("/emulator/avatar/{file}", p.serveAvatar)
	r.Get("/disk/im/{id}/{name}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(chi.URLParam(r, "id"))
		p.serveChatFile(w, r, id)
	})
	r.Get("/disk/timeline/{id}/{name}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(chi.URLParam(r, "id"))
		p.serveTimelineFile(w, r, id)
	})
}

func (p *Portal) canUseApp(u *User) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.canUseAppLocked(u)
}

// sessionUser is the signed-in portal user of a page request, or nil.
func (p *Portal) sessionUser(r *http.Request) *User {
	c, err := r.Cookie(userCookie)
	if err != nil {
		return nil
	}
	id, _ := strconv.Atoi(c.Value)
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.users[id]
	if !ok || u.bot || u.external || u.Inactive {
		return nil
	}
	copy := *u
	return &copy
}

func (p *Portal) lang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "ru" || c.Value == "en") {
		return c.Value
	}
	return p.cfg.Language
}

// pageData is what every view gets.
type pageData struct {
	Lang      string
	User      *User
	Section   string
	Installed bool
	Menu      []menuItem
	Back      string
	Frame     *frameView
	Slider    *frameView
	Notice    string

	Users    []User
	List     *listView
	Card     *cardView
	Chats    []chatItem
	Chat     *chatView
	Tiles    []tileView
	Lines    []*openLine
	LineID   int
	AppTitle string

	Unread        int // the signed-in user's notifications
	Notifications []notificationView
}

// T translates a UI string into the page language.
func (d pageData) T(s string) string {
	if d.Lang == "ru" {
		if t, ok := ruStrings[s]; ok {
			return t
		}
	}
	return s
}

type menuItem struct {
	Title, Href string
}

// frameView is one app iframe with the form POST that loads it.
type frameView struct {
	Action   string
	Target   string
	Fields   []formField
	InitJSON string
	Title    string
}

type formField struct{ Name, Value string }

func (p *Portal) render(w http.ResponseWriter, r *http.Request, view string, d pageData) {
	d.Lang = p.lang(r)
	if d.User != nil {
		p.mu.Lock()
		d.Installed = p.installed
		if d.Installed && p.canUseAppLocked(d.User) {
			for i, pl := range p.boundLocked("LEFT_MENU") {
				d.Menu = append(d.Menu, menuItem{Title: orText(pl.Title, d.T("Application")), Href: "/marketplace/app/?placement=LEFT_MENU&n=" + strconv.Itoa(i)})
			}
		}
		p.mu.Unlock()
	}
	if d.User != nil {
		p.mu.Lock()
		for _, n := range p.notifications {
			if n.UserID == d.User.ID {
				d.Unread++
			}
		}
		p.mu.Unlock()
	}
	d.Back = r.URL.RequestURI()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pageViews[view].ExecuteTemplate(w, "layout", d); err != nil {
		p.log.Error("page render failed", "view", view, "err", err)
	}
}

func orText(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// requireUser redirects to the sign-in page when nobody is signed in.
func (p *Portal) requireUser(w http.ResponseWriter, r *http.Request) *User {
	u := p.sessionUser(r)
	if u == nil {
		http.Redirect(w, r, "/?back="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
	}
	return u
}

func (p *Portal) serveHome(w http.ResponseWriter, r *http.Request) {
	if u := p.sessionUser(r); u != nil {
		http.Redirect(w, r, "/crm/lead/list/", http.StatusFound)
		return
	}
	p.render(w, r, "signin", pageData{Users: p.Users(), Back: r.URL.Query().Get("back")})
}

// serveLogin signs a user in: POST user=ID (or GET /login?user=ID for tests).
func (p *Portal) serveLogin(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.FormValue("user"))
	p.mu.Lock()
	u, ok := p.users[id]
	p.mu.Unlock()
	if !ok || u.bot || u.external {
		http.Error(w, "emulator: no such user", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: userCookie, Value: strconv.Itoa(id), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	back := r.FormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/crm/lead/list/"
	}
	http.Redirect(w, r, back, http.StatusFound)
}

func (p *Portal) serveLogout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: userCookie, Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusFound)
}

func (p *Portal) serveLang(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	if lang != "ru" && lang != "en" {
		lang = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", SameSite: http.SameSiteLaxMode})
	back := r.URL.Query().Get("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusFound)
}

func (p *Portal) serveBX24(w http.ResponseWriter, r *http.Request) {
	data, _ := pageFS.ReadFile("page/bx24.js")
	w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(data)
}

// frame builds an iframe opening handler for user in placement code; the
// URI of the page is added to the options, as the portal does.
func (p *Portal) frame(r *http.Request, u *User, code, handler, title string, options map[string]any) (*frameView, error) {
	if options == nil {
		options = map[string]any{}
	}
	if code != "DEFAULT" {
		options["URI"] = r.URL.RequestURI()
	}
	lang := p.lang(r)
	p.mu.Lock()
	pr, err := p.placementPostLocked(u.ID, code, handler, options, lang)
	installed := p.installed
	p.mu.Unlock()
	if err != nil {
		return nil, err
	}
	pu, _ := url.Parse(pr.URL)
	q := pu.Query()
	f := &frameView{Action: pr.URL, Title: title}
	f.Target = strings.Join([]string{p.cfg.Domain, q.Get("PROTOCOL"), q.Get("APP_SID")}, "|")
	for _, k := range []string{"AUTH_ID", "AUTH_EXPIRES", "REFRESH_ID", "SERVER_ENDPOINT", "APPLICATION_TOKEN", "APPLICATION_SCOPE", "member_id", "status", "PLACEMENT", "PLACEMENT_OPTIONS"} {
		f.Fields = append(f.Fields, formField{k, pr.Form.Get(k)})
	}
	init := map[string]any{
		"DOMAIN": p.cfg.Domain, "PROTOCOL": q.Get("PROTOCOL"), "LANG": lang, "APP_SID": q.Get("APP_SID"),
		"AUTH_ID": pr.Form.Get("AUTH_ID"), "AUTH_EXPIRES": int(p.cfg.AccessTTL.Seconds()), "REFRESH_ID": pr.Form.Get("REFRESH_ID"),
		"MEMBER_ID": p.cfg.MemberID, "PLACEMENT": code, "PLACEMENT_OPTIONS": options, "IS_ADMIN": u.Admin,
		"INSTALL": !installed, "USER_ID": u.ID,
	}
	data, _ := json.Marshal(init)
	f.InitJSON = string(data)
	return f, nil
}

// serveInstallFinish is the parent page's side of BX24.installFinish().
func (p *Portal) serveInstallFinish(w http.ResponseWriter, r *http.Request) {
	u := p.sessionUser(r)
	sid := r.FormValue("APP_SID")
	p.mu.Lock()
	owner, ok := p.appSIDs[sid]
	p.mu.Unlock()
	if u == nil || !ok || owner != u.ID || !u.Admin {
		http.Error(w, "emulator: installFinish from an unknown frame or a non-admin", http.StatusForbidden)
		return
	}
	p.FinishInstall()
	writeJSONResponse(w, http.StatusOK, map[string]bool{"installed": true})
}

// serveFrameAuth is BX24.refreshAuth(): fresh tokens for the frame's user.
func (p *Portal) serveFrameAuth(w http.ResponseWriter, r *http.Request) {
	u := p.sessionUser(r)
	sid := r.FormValue("APP_SID")
	p.mu.Lock()
	owner, ok := p.appSIDs[sid]
	if u == nil || !ok || owner != u.ID {
		p.mu.Unlock()
		http.Error(w, "emulator: unknown frame", http.StatusForbidden)
		return
	}
	a, rt := p.issueLocked(u.ID)
	p.mu.Unlock()
	writeJSONResponse(w, http.StatusOK, map[string]any{"AUTH_ID": a.value, "REFRESH_ID": rt.value, "AUTH_EXPIRES": int(p.cfg.AccessTTL.Seconds())})
}

// serveApp opens the app full-page: DEFAULT (Applications menu; the
// installer before installation) or a LEFT_MENU placement.
func (p *Portal) serveApp(w http.ResponseWriter, r *http.Request) {
	u := p.requireUser(w, r)
	if u == nil {
		return
	}
	d := pageData{User: u, Section: "app"}
	p.mu.Lock()
	installed := p.installed
	var code, handler, title string
	var options map[string]any
	if r.URL.Query().Get("placement") == "LEFT_MENU" {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if bound := p.boundLocked("LEFT_MENU"); installed && n >= 0 && n < len(bound) {
			code, handler, title = "LEFT_MENU", bound[n].Handler, bound[n].Title
		}
	} else {
		code, handler = "DEFAULT", p.cfg.AppHandlers.App
		if !installed || handler == "" {
			handler = p.cfg.AppHandlers.Install
		}
		// The app opened with parameters (a link such as
		// /marketplace/app/?params[client]=5): they reach it as
		// PLACEMENT_OPTIONS, as BX24.openApplication's do.
		for k, v := range r.URL.Query() {
			if name, ok := strings.CutPrefix(k, "params["); ok && strings.HasSuffix(name, "]") && len(v) > 0 {
				if options == nil {
					options = map[string]any{}
				}
				options[strings.TrimSuffix(name, "]")] = v[0]
			}
		}
	}
	p.mu.Unlock()
	switch {
	case handler == "":
		d.Notice = d.T("The application has no page.")
	case !installed && !u.Admin:
		d.Notice = d.T("The application is not fully installed yet. Ask your administrator to finish the installation.")
	case !p.canUseApp(u):
		d.Notice = d.T("You do not have access to this application.")
	default:
		f, err := p.frame(r, u, code, handler, title, options)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		d.Frame = f
	}
	p.render(w, r, "app", d)
}

var (
	bbURL  = regexp.MustCompile(`\[url=(https?://[^\]\s"]+|/[^\]\s"]*)\](.*?)\[/url\]`)
	bbUser = regexp.MustCompile(`\[(?i:user)=\d+\](.*?)\[/(?i:user)\]`)
)

// renderBB turns the messenger's BB-codes into HTML after escaping.
func renderBB(s string) template.HTML {
	h := template.HTMLEscapeString(s)
	r := strings.NewReplacer("[b]", "<b>", "[/b]", "</b>", "[B]", "<b>", "[/B]", "</b>", "[i]", "<i>", "[/i]", "</i>",
		"[br]", "<br>", "[BR]", "<br>", "\n", "<br>")
	h = r.Replace(h)
	h = bbURL.ReplaceAllString(h, `<a href="$1" target="_blank" rel="noopener">$2</a>`)
	h = bbUser.ReplaceAllString(h, `<span class="mention">$1</span>`)
	return template.HTML(h)
}

// ruStrings translate the portal page into Russian.
var ruStrings = map[string]string{
	"Leads": "Лиды", "Contacts": "Контакты", "Deals": "Сделки", "Messenger": "Чаты", "Contact Center": "Контакт-центр",
	"Applications": "Приложения", "Application": "Приложение", "Sign out": "Выйти", "Sign in as": "Войти как",
	"Install the application": "Установить приложение", "Timeline": "Таймлайн", "General": "Общие",
	"Pinned": "Закреплено", "No comments yet.": "Комментариев пока нет.", "Responsible": "Ответственный",
	"Phone": "Телефон", "E-mail": "E-mail", "Title": "Название", "Name": "Имя", "Created": "Создан",
	"Stage": "Стадия", "Status": "Статус", "Amount": "Сумма", "Send": "Отправить", "Message deleted": "Сообщение удалено",
	"Select a chat.": "Выберите чат.", "No chats yet.": "Чатов пока нет.", "Administrator": "Администратор",
	"The application has no page.": "У приложения нет страницы.", "Close": "Закрыть", "Open line": "Открытая линия",
	"The application is not fully installed yet. Ask your administrator to finish the installation.": "Приложение еще не до конца установлено. Попросите администратора завершить установку.",
	"Connectors": "Коннекторы", "Line": "Линия", "Nothing here yet.": "Здесь пока пусто.", "Contacts of the deal": "Контакты сделки",
	"Write a message…": "Напишите сообщение…", "Save": "Сохранить", "You do not have access to this application.": "У вас нет доступа к этому приложению.", "Join": "Присоединиться",
	"Notifications": "Уведомления", "No notifications.": "Уведомлений нет.", "Source": "Источник", "Source description": "Описание источника",
}
