package views

import (
	"context"
	"testing"

	"switchboard/channels"
)

func TestNoTextIsMissingALanguage(t *testing.T) {
	for key, tx := range texts {
		if tx.en == "" || tx.ru == "" {
			t.Errorf("%s: en %q, ru %q", key, tx.en, tx.ru)
		}
	}
}

func TestEveryReasonHasWordsInBothLanguages(t *testing.T) {
	for _, r := range channels.Reasons {
		tx, ok := reasonTexts[r]
		if !ok || tx.en == "" || tx.ru == "" || tx.en == tx.ru {
			t.Errorf("%s: en %q, ru %q", r, tx.en, tx.ru)
		}
	}
	if len(reasonTexts) != len(channels.Reasons) {
		t.Errorf("%d reason texts for %d reasons", len(reasonTexts), len(channels.Reasons))
	}
}

func TestFailureText(t *testing.T) {
	ru, en := WithLang(context.Background(), "ru"), WithLang(context.Background(), "en")
	tests := []struct {
		name string
		ctx  context.Context
		f    channels.Failure
		want string
	}{
		{"reason with the transport's name", ru, channels.Failure{Transport: "WhatsApp", Reason: channels.ReasonUndeliverable},
			"Сообщение не доставлено: у номера может не быть WhatsApp, приложение устарело или клиент не принял условия WhatsApp."},
		{"english", en, channels.Failure{Transport: "Instagram", Reason: channels.ReasonTemporarilyDown, Text: "ignored"},
			"Instagram is temporarily unavailable; the message will be retried."},
		{"a transport's own words", en, channels.Failure{Transport: "WhatsApp", Reason: channels.ReasonWindowClosed},
			"More than 24 hours have passed since the client last wrote; only a template message can be sent."},
		{"another transport's own words", ru, channels.Failure{Transport: "Instagram", Reason: channels.ReasonWindowClosed},
			"Окно ответа закрыто: Instagram разрешает отвечать в течение 24 часов после последнего сообщения клиента (7 дней для оператора с меткой HUMAN_AGENT)."},
		{"a transport with no words of its own", en, channels.Failure{Transport: "Telegram", Reason: channels.ReasonWindowClosed},
			"The reply window has closed: too much time has passed since the client last wrote."},
		{"unknown reason: the provider's text", ru, channels.Failure{Transport: "WhatsApp", Text: "(#999) Something new"}, "(#999) Something new"},
		{"nothing known", ru, channels.Failure{Transport: "WhatsApp"}, "Сообщение не доставлено."},
		{"nothing known, english", en, channels.Failure{}, "The message was not delivered."},
	}
	for _, tt := range tests {
		if got := FailureText(tt.ctx, tt.f); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestComposerRefusal(t *testing.T) {
	ru, en := WithLang(context.Background(), "ru"), WithLang(context.Background(), "en")
	tests := []struct {
		ctx  context.Context
		r    Refusal
		want string
	}{
		{en, Refusal{What: RefusedEmpty}, "The message is empty."},
		{ru, Refusal{What: RefusedTooManyFiles, MaxFiles: 10}, "Предел — 10 файлов в одном сообщении."},
		{en, Refusal{What: RefusedTooManyFiles, MaxFiles: 1}, "At most 1 file per message."},
		{ru, Refusal{What: RefusedFileTooLarge, FileName: "film.mp4"}, "Файл film.mp4 больше 50 МБ — это предел для одного файла."},
		{en, Refusal{What: RefusedByTransport, FileName: "tool.exe", Transport: "Instagram"}, "tool.exe cannot be sent through Instagram."},
		{ru, Refusal{What: RefusedByTransport, FileName: "big.png", Transport: "WhatsApp",
			Limit: &channels.LimitError{What: channels.LimitSize, Limit: 5_000_000, Got: 5_002_066, Unit: channels.UnitBytes}},
			"Файл big.png слишком большой для WhatsApp: 5.0 МБ, предел — 5.0 МБ."},
		{en, Refusal{What: RefusedByTransport, FileName: "a.bmp", Transport: "WhatsApp",
			Limit: &channels.LimitError{What: channels.LimitType, MIME: "image/bmp"}},
			"a.bmp: WhatsApp does not accept files of type image/bmp."},
		{ru, Refusal{What: RefusedByTransport, Transport: "Instagram",
			Limit: &channels.LimitError{What: channels.LimitText, Limit: 1000, Got: 1200, Unit: channels.UnitBytes}},
			"Текст слишком длинный для Instagram (предел: 1000 байт)."},
		{en, Refusal{What: RefusedByTransport, Transport: "WhatsApp",
			Limit: &channels.LimitError{What: channels.LimitText, Limit: 4096, Got: 5000, Unit: channels.UnitChars}},
			"The text is too long for WhatsApp (limit: 4096 characters)."},
	}
	for _, tt := range tests {
		if got := ComposerRefusal(tt.ctx, tt.r); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.r, got, tt.want)
		}
	}
}
