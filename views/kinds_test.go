package views

import (
	"strings"
	"testing"
	"time"
)

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

// A card whose client has no dialog keeps saying so when its list is read
// again (the live stream's reconnect).
func TestCardRowsOfNoDialogSayThereIsNone(t *testing.T) {
	var b strings.Builder
	if err := CardRows(nil, 1).Render(WithLang(t.Context(), "en"), &b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `data-testid="card-empty"`) || !strings.Contains(b.String(), "No conversations") {
		t.Fatalf("CardRows of none: %q", b.String())
	}
}

// The pin refusal and the backlog read right in both languages.
func TestPinAndBacklogTexts(t *testing.T) {
	ru, en := WithLang(t.Context(), "ru"), WithLang(t.Context(), "en")
	cases := []struct{ got, want string }{
		{PinLimitText(en, 3, "contact"), "At most 3 comments can be pinned on a contact. Unpin one first."},
		{PinLimitText(ru, 3, "deal"), "На сделке уже закреплено предельное число комментариев: 3. Сначала открепите один."},
		{ageText(ru, 30*time.Second), "меньше минуты"},
		{ageText(ru, 2*time.Minute), "2 минуты"},
		{ageText(ru, 5*time.Minute), "5 минут"},
		{ageText(en, time.Minute), "1 minute"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
