package views

// conversationTexts are the words of one conversation per client: the
// list's filters, the channel switcher, CRM links, search, writing first.
var conversationTexts = map[string]text{
	"filter.all":              {"All", "Все"},
	"filter.mine":             {"Mine", "Мои"},
	"filter.unanswered":       {"Unanswered", "Без ответа"},
	"filter.empty_mine":       {"You are not responsible for any conversation.", "Вы не ответственный ни за один диалог."},
	"filter.empty_unanswered": {"Every client has an answer.", "Все клиенты получили ответ."},
	"switcher.label":          {"Send via", "Отправить через"},
	"switcher.unreachable":    {"%s — cannot reach this client", "%s — не может написать этому клиенту"},
	"crm.links":               {"CRM records", "Записи CRM"},
	"crm.closed":              {"closed", "закрыт(а)"},
	"search.placeholder":      {"Search names, phones, messages", "Поиск по именам, телефонам, сообщениям"},
	"search.none":             {"Nothing found for “%s”.", "По запросу «%s» ничего не найдено."},
	"write.title":             {"Write first", "Написать первым"},
	"write.intro":             {"No conversation with this client yet. Pick a number and a channel, and write.", "С этим клиентом ещё нет переписки. Выберите номер и канал и напишите."},
	"write.to":                {"To", "Кому"},
	"write.channel":           {"Channel", "Канал"},
	"write.no_address":        {"The card has no phone or Instagram id to write to.", "В карточке нет телефона или Instagram, на который можно написать."},
	"write.no_channel":        {"No channel is connected that can write to it.", "Не подключён канал, который может сюда написать."},
	"write.bad_recipient":     {"This is not a number or id the channel can write to.", "На этот номер или id канал написать не может."},
}

func init() {
	for k, t := range conversationTexts {
		texts[k] = t
	}
}
