package graphemu

import (
	_ "embed"
	"html/template"
	"net/http"
)

//go:embed phone.html
var phoneHTML string

var phoneTmpl = template.Must(template.New("phone").Parse(phoneHTML))

// pageData feeds the phone page template.
type pageData struct {
	Accounts      []AccountInfo
	DefaultClient string
	DefaultName   string
	APIBase       string
}

// handlePhonePage serves the client phone page.
func (e *Emulator) handlePhonePage(w http.ResponseWriter, r *http.Request) {
	data := pageData{Accounts: e.Accounts(), DefaultClient: e.cfg.PhoneClient, DefaultName: e.cfg.PhoneClientName,
		APIBase: e.cfg.PublicURL + "/" + e.cfg.Version}
	if data.DefaultClient == "" {
		data.DefaultClient, data.DefaultName = "79990001122", "Anna Client"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := phoneTmpl.Execute(w, data); err != nil {
		e.log.Error("graphemu: unable to render phone page", "err", err)
	}
}
