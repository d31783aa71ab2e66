package emulator

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

func (p *Portal) pageRoutes(r chi.Router)           {}
func (p *Portal) sessionUser(r *http.Request) *User { return nil }
