package emulator

import "github.com/go-chi/chi/v5"
import "net/http"

type timelineComment struct{}
type chat struct{}
type message struct{}
type bot struct{}
type botCommand struct{}
type connector struct{}
type openLine struct {
	ID     int
	Name   string
	Active bool
}
type olSession struct{}

func (p *Portal) moreMethods() map[string]method    { return nil }
func (p *Portal) pageRoutes(r chi.Router)           {}
func (p *Portal) sessionUser(r *http.Request) *User { return nil }
