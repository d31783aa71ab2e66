package views

import (
	"fmt"
	"testing"

	"switchboard/db"
)

// TestASearchHitShowsItsMatch: a hit shows on one line, so the text before
// its first match is cut to its last words; a short lead stays whole.
func TestASearchHitShowsItsMatch(t *testing.T) {
	for _, c := range []struct{ snippet, want string }{
		{"Старое сообщение №100: можно ли с " + db.MatchStart + "палисандром" + db.MatchEnd + " сделать стол",
			"[…№100: можно ли с |палисандром*| сделать стол]"},
		{"Где мои " + db.MatchStart + "заказы" + db.MatchEnd + "?", "[Где мои |заказы*|?]"},
		{db.MatchStart + "Диван" + db.MatchEnd + " уже в пути, а стол и два стула приедут завтра утром " + db.MatchStart + "диван" + db.MatchEnd,
			"[Диван*| уже в пути, а стол и два стула приедут завтра утром |диван*]"},
		{"нет совпадений в этом довольно длинном тексте без выделенных слов", "[нет совпадений в этом довольно длинном тексте без выделенных слов]"},
	} {
		got := ""
		for i, p := range snippetParts(c.snippet) {
			if i > 0 {
				got += "|"
			}
			got += p.Text
			if p.Match {
				got += "*"
			}
		}
		if got = fmt.Sprintf("[%s]", got); got != c.want {
			t.Errorf("%q: %s, want %s", c.snippet, got, c.want)
		}
	}
}
