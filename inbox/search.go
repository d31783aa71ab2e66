package inbox

import (
	"context"
	"strings"
	"unicode/utf8"

	"switchboard/db"
)

// maxQuery is the longest search the box takes; longer is cut.
const maxQuery = 200

// SearchResults are what one search found among the dialogs the viewer may
// see: clients by name or phone, and messages by their words.
type SearchResults struct {
	Query    string
	Clients  []db.SearchHit
	Messages []db.SearchHit
}

// Search looks for q in the names and phones of the clients and in the text
// of the messages of every dialog the viewer may see (and no other). A
// phone matches in any format: its digits are searched. An empty query
// finds nothing.
func (in *Inbox) Search(ctx context.Context, v Viewer, q string) (SearchResults, error) {
	q = strings.TrimSpace(q)
	for utf8.RuneCountInString(q) > maxQuery {
		_, size := utf8.DecodeLastRuneInString(q)
		q = q[:len(q)-size]
	}
	res := SearchResults{Query: q}
	if q == "" {
		return res, nil
	}
	vis, err := in.visibility(ctx, v)
	if err != nil {
		return res, err
	}
	sq := db.SearchQuery{Text: q}
	if d := Digits(q); len(d) >= 3 {
		sq.Digits = d
		if strings.HasPrefix(q, "8") && len(d) >= 4 { // Russia's trunk prefix: 8 (999) … is +7 999 …
			sq.Digits = d[1:]
		}
	}
	res.Clients, res.Messages, err = in.Store.Search(ctx, vis, sq)
	return res, err
}
