package views

import "testing"

func TestNoTextIsMissingALanguage(t *testing.T) {
	for key, tx := range texts {
		if tx.en == "" || tx.ru == "" {
			t.Errorf("%s: en %q, ru %q", key, tx.en, tx.ru)
		}
	}
}
