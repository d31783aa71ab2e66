package views

// bitrixTexts are the words the app puts inside Bitrix24 itself (the bot,
// its command, the notification chat), merged into texts at start-up.
var bitrixTexts = map[string]text{
	"bot.work_position":   {"WhatsApp & Instagram", "WhatsApp и Instagram"},
	"bot.command.noreply": {"No reply needed", "Не требует ответа"},
	"chat.notify.title":   {"Switchboard: notifications", "Switchboard: уведомления"},
	"chat.notify.about":   {"Clients waiting for an answer", "Клиенты, ожидающие ответа"},
}

func init() {
	for k, t := range bitrixTexts {
		texts[k] = t
	}
}

// Text translates a text key into lang (a Bitrix24 LANG value): the words
// of what the app writes into the portal, outside any page.
func Text(lang, key string) string {
	t, ok := texts[key]
	switch {
	case !ok:
		return key
	case Lang(lang) == "ru":
		return t.ru
	default:
		return t.en
	}
}
