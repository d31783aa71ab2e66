package views

import (
	"context"
	"testing"
)

func TestPluralForm(t *testing.T) {
	tests := []struct {
		n      int64
		ru, en int
	}{
		{0, formMany, formMany},
		{1, formOne, formOne},
		{2, formFew, formMany},
		{4, formFew, formMany},
		{5, formMany, formMany},
		{11, formMany, formMany},
		{12, formMany, formMany},
		{14, formMany, formMany},
		{21, formOne, formMany},
		{22, formFew, formMany},
		{25, formMany, formMany},
		{101, formOne, formMany},
		{111, formMany, formMany},
		{112, formMany, formMany},
		{122, formFew, formMany},
		{1000, formMany, formMany},
		{1001, formOne, formMany},
	}
	for _, tt := range tests {
		if got := pluralForm("ru", tt.n); got != tt.ru {
			t.Errorf("ru %d: form %d, want %d", tt.n, got, tt.ru)
		}
		if got := pluralForm("en", tt.n); got != tt.en {
			t.Errorf("en %d: form %d, want %d", tt.n, got, tt.en)
		}
	}
}

func TestSizeAndCountsInBothLanguages(t *testing.T) {
	ru, en := WithLang(context.Background(), "ru"), WithLang(context.Background(), "en")
	tests := []struct {
		got, want string
	}{
		{Size(ru, 1), "1 байт"},
		{Size(ru, 2), "2 байта"},
		{Size(ru, 5), "5 байт"},
		{Size(ru, 21), "21 байт"},
		{Size(ru, 999), "999 байт"},
		{Size(ru, 1500), "1 КБ"},
		{Size(ru, 5_000_001), "5.0 МБ"},
		{Size(en, 1), "1 byte"},
		{Size(en, 2), "2 bytes"},
		{Size(en, 0), "0 bytes"},
		{Size(en, 25_000), "25 KB"},
		{Size(en, 16_000_000), "16.0 MB"},
		{Plural(ru, "count.files", 1), "1 файл"},
		{Plural(ru, "count.files", 3), "3 файла"},
		{Plural(ru, "count.files", 10), "10 файлов"},
		{Plural(en, "count.files", 1), "1 file"},
		{Plural(en, "count.files", 10), "10 files"},
		{Plural(ru, "count.characters", 4096), "4096 символов"},
		{Plural(ru, "count.characters", 1024), "1024 символа"},
		{Plural(en, "count.characters", 1), "1 character"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
