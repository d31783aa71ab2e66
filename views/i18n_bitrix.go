package views

import (
	"context"
	"fmt"
)

// bitrixTexts are the words the app puts inside Bitrix24 itself (the bot,
// its command, the notification chat), merged into texts at start-up.
var bitrixTexts = map[string]text{
	"bot.work_position":   {"WhatsApp & Instagram", "WhatsApp и Instagram"},
	"bot.command.noreply": {"No reply needed", "Не требует ответа"},
	"chat.notify.title":   {"Switchboard: notifications", "Switchboard: уведомления"},
	"chat.notify.about":   {"Clients waiting for an answer", "Клиенты, ожидающие ответа"},

	// The CRM mirror: the responsible's notification, and timeline comments.
	"crm.notify.new_client": {"New client %s: %s [b]%s[/b] was created for you. [url=%s]Open the dialog[/url]",
		"Новый клиент %s: для вас создан %s [b]%s[/b]. [url=%s]Открыть диалог[/url]"},
	"crm.entity.contact": {"contact", "контакт"},
	"crm.entity.lead":    {"lead", "лид"},
	"crm.entity.deal":    {"deal", "сделка"},
	"timeline.in":        {"[b]%s[/b] wrote on %s:", "[b]%s[/b] написал(а) в %s:"},
	"timeline.out":       {"Reply on %s:", "Ответ в %s:"},
	"timeline.out_phone": {"Reply on %s, sent from the phone:", "Ответ в %s, отправлен с телефона:"},
	"timeline.file_link": {"File [url=%s]%s[/url] (%s)", "Файл [url=%s]%s[/url] (%s)"},
	"timeline.file_lost": {"File %s could not be downloaded from the messenger.", "Файл %s не удалось скачать из мессенджера."},
}

func init() {
	for k, t := range bitrixTexts {
		texts[k] = t
	}
}

// Text translates a text key into lang (a Bitrix24 LANG value), formatted
// with args: the words of what the app writes into the portal, outside any
// page. A counted phrase (a key of plurals) takes its count as the one arg.
func Text(lang, key string, args ...any) string {
	if n, ok := countArg(args); ok && plurals[key] != (forms{}) {
		return Plural(WithLang(context.Background(), lang), key, n)
	}
	t, ok := texts[key]
	f := t.en
	switch {
	case !ok:
		return key
	case Lang(lang) == "ru":
		f = t.ru
	}
	if len(args) == 0 {
		return f
	}
	return fmt.Sprintf(f, args...)
}

// countArg is the one int of args, when that is what they are.
func countArg(args []any) (int64, bool) {
	if len(args) != 1 {
		return 0, false
	}
	n, ok := args[0].(int)
	return int64(n), ok
}
