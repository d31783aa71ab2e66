package views

import "testing"

// A message without text shows its kind in the viewer's language, in the
// list's preview and in a quoted reply.
func TestKindsAreWordedInBothLanguages(t *testing.T) {
	ru, en := WithLang(t.Context(), "ru"), WithLang(t.Context(), "en")
	cases := []struct{ got, want string }{
		{previewText(ru, "[image]"), "[Фото]"},
		{previewText(en, "[voice]"), "[Voice message]"},
		{previewText(ru, "[not a kind] of text"), "[not a kind] of text"},
		{previewText(ru, "Hello"), "Hello"},
		{quoteText(ru, "document", ""), "[Файл]"},
		{quoteText(en, "text", "Hi"), "Hi"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for k, tx := range kindTexts {
		if tx.en == "" || tx.ru == "" {
			t.Errorf("%s lacks a language", k)
		}
	}
}
