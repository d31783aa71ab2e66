package views

import (
	"context"
	"fmt"
)

// Plural forms a count can take. English has one and other; Russian has
// one (1, 21, 101), few (2–4, 22–24) and many (0, 5–20, 25–30, 111).
const (
	formOne = iota
	formFew
	formMany
)

// pluralForm is the form n takes in lang.
func pluralForm(lang string, n int64) int {
	if n < 0 {
		n = -n
	}
	if lang != "ru" {
		if n == 1 {
			return formOne
		}
		return formMany
	}
	switch n10, n100 := n%10, n%100; {
	case n10 == 1 && n100 != 11:
		return formOne
	case n10 >= 2 && n10 <= 4 && (n100 < 12 || n100 > 14):
		return formFew
	}
	return formMany
}

// forms are a counted phrase in every form, each a format taking the count:
// English one and other, Russian one, few and many.
type forms struct {
	en [2]string
	ru [3]string
}

// plurals are the counted phrases, by key.
var plurals = map[string]forms{
	"count.bytes": {[2]string{"%d byte", "%d bytes"}, [3]string{"%d байт", "%d байта", "%d байт"}},
	"count.characters": {[2]string{"%d character", "%d characters"},
		[3]string{"%d символ", "%d символа", "%d символов"}},
	"count.files": {[2]string{"%d file", "%d files"}, [3]string{"%d файл", "%d файла", "%d файлов"}},
	"count.messages": {[2]string{"%d message", "%d messages"},
		[3]string{"%d сообщение", "%d сообщения", "%d сообщений"}},
	"count.minutes": {[2]string{"%d minute", "%d minutes"},
		[3]string{"%d минуту", "%d минуты", "%d минут"}},
	"count.comments": {[2]string{"%d comment", "%d comments"},
		[3]string{"%d комментарий", "%d комментария", "%d комментариев"}},
}

// Plural is the phrase key counting n, in the context's language: "1 byte",
// "2 bytes"; "1 байт", "2 байта", "5 байт".
func Plural(ctx context.Context, key string, n int64) string {
	f, ok := plurals[key]
	if !ok {
		return fmt.Sprintf("%d %s", n, key)
	}
	lang := langOf(ctx)
	form := pluralForm(lang, n)
	if lang == "ru" {
		return fmt.Sprintf(f.ru[form], n)
	}
	if form == formOne {
		return fmt.Sprintf(f.en[0], n)
	}
	return fmt.Sprintf(f.en[1], n)
}
