package views

// planTexts are the words of the dialog counter and the plan limit: the
// pause on a message and in the composer, and the channel's counter in the
// settings.
var planTexts = map[string]text{
	// The pause reads "paused until <time> — plan limit of 20 dialogs per
	// hour": the time is a <time> element, shown in the viewer's own zone.
	"plan.paused":          {"paused until", "приостановлено до"},
	"plan.composer.paused": {"Sending to this client is paused until", "Отправка этому клиенту приостановлена до"},
	"plan.limit_of.hour":   {"— plan limit of %s per hour.", "— лимит тарифа: %s в час."},
	"plan.limit_of.month":  {"— plan limit of %s per month.", "— лимит тарифа: %s в месяц."},
	"plan.composer.wait":   {"Messages wait and go out by themselves, in order.", "Сообщения ждут и уйдут сами, по порядку."},

	"plan.title":        {"Dialog counter", "Счётчик диалогов"},
	"plan.about":        {"Unique dialogs with at least one outgoing message, phone echoes included.", "Уникальные диалоги хотя бы с одним исходящим сообщением, включая отправленные с телефона."},
	"plan.this_hour":    {"This hour", "Этот час"},
	"plan.this_month":   {"This month", "Этот месяц"},
	"plan.last_24h":     {"Last 24 hours", "Последние 24 часа"},
	"plan.chart":        {"Dialogs per hour over the last 24 hours", "Диалоги по часам за последние 24 часа"},
	"plan.limit":        {"Plan limit", "Лимит тарифа"},
	"plan.no_limit":     {"none", "нет"},
	"plan.limit.hour":   {"%s per hour", "%s в час"},
	"plan.limit.month":  {"%s per month", "%s в месяц"},
	"plan.waiting":      {"Waiting: %s (%s) since %s", "Ожидают: %s (%s) с %s"},
	"plan.waiting.none": {"Nothing waits.", "Ничего не ждёт."},
	"plan.zone":         {"Times in %s.", "Время: %s."},
	"plan.form.limit":   {"Dialogs", "Диалогов"},
	"plan.form.hint":    {"0 — no limit", "0 — без лимита"},
	"plan.period.hour":  {"per hour", "в час"},
	"plan.period.month": {"per month", "в месяц"},
	"plan.form.save":    {"Save the limit", "Сохранить лимит"},
	"plan.saved":        {"The limit is saved; what now fits is on its way.", "Лимит сохранён; то, что теперь помещается, уже отправляется."},
	"plan.bad_limit":    {"The limit is a whole number of dialogs from 0 to 1,000,000, per hour or per month.", "Лимит — целое число диалогов от 0 до 1 000 000, в час или в месяц."},
}

func init() {
	for k, t := range planTexts {
		texts[k] = t
	}
	plurals["count.dialogs"] = forms{[2]string{"%d dialog", "%d dialogs"}, [3]string{"%d диалог", "%d диалога", "%d диалогов"}}
}
