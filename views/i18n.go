// Package views holds the templ components of every page and fragment, and
// the Russian and English texts they show.
package views

import (
	"context"
	"fmt"
)

type langKey struct{}

// WithLang makes lang ("ru" or "en") the language of components rendered
// with the returned context.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, Lang(lang))
}

// Lang normalizes a Bitrix24 LANG value: Russian for ru (and the CIS
// languages Bitrix24 serves in Russian), English otherwise.
func Lang(lang string) string {
	switch lang {
	case "ru", "ua", "by", "kz":
		return "ru"
	default:
		return "en"
	}
}

func langOf(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok {
		return l
	}
	return "en"
}

// T translates a text key into the context's language.
func T(ctx context.Context, key string) string {
	if t, ok := texts[key]; ok {
		return pick(ctx, t)
	}
	return key
}

// pick is t in the context's language.
func pick(ctx context.Context, t text) string {
	if langOf(ctx) == "ru" {
		return t.ru
	}
	return t.en
}

// Tf translates and formats.
func Tf(ctx context.Context, key string, args ...any) string {
	return fmt.Sprintf(T(ctx, key), args...)
}

type text struct{ en, ru string }

var texts = map[string]text{
	"app.title":             {"Switchboard", "Switchboard"},
	"inbox.title":           {"Shared chat", "Общий чат"},
	"inbox.all":             {"All dialogs", "Все диалоги"},
	"inbox.mine":            {"Only where I am responsible", "Только где я ответственный"},
	"inbox.empty":           {"No dialogs yet. They appear here as soon as a client writes.", "Диалогов пока нет. Они появятся, как только клиент напишет."},
	"inbox.pick":            {"Choose a dialog on the left.", "Выберите диалог слева."},
	"inbox.unread_total":    {"Unread", "Непрочитанных"},
	"dialog.composer":       {"Write a message…", "Напишите сообщение…"},
	"dialog.composer_keys":  {"Enter sends, Shift+Enter starts a new line", "Enter — отправить, Shift+Enter — новая строка"},
	"dialog.send":           {"Send", "Отправить"},
	"dialog.earlier":        {"Earlier messages", "Более ранние сообщения"},
	"dialog.history":        {"An earlier part of the conversation. New messages are not shown here.", "Это более ранняя часть переписки. Новые сообщения здесь не показываются."},
	"dialog.to_latest":      {"Go to the latest messages", "К последним сообщениям"},
	"dialog.via":            {"via", "через"},
	"dialog.from_phone":     {"from the phone", "с телефона"},
	"dialog.client":         {"Client", "Клиент"},
	"dialog.forwarded":      {"Forwarded", "Переслано"},
	"dialog.not_found":      {"This dialog does not exist or is not available to you.", "Диалог не существует или недоступен вам."},
	"error.not_from_bitrix": {"This page opens from Bitrix24 only: open the app there again.", "Эта страница открывается только из Битрикс24: откройте приложение там заново."},
	"card.gone":             {"This CRM card no longer exists or its link is broken. Open it again from the CRM.", "Этой карточки CRM больше нет или ссылка на неё повреждена. Откройте её заново из CRM."},
	"status.queued":         {"Queued", "В очереди"},
	"status.paused":         {"Paused by the plan limit", "Приостановлено лимитом тарифа"},
	"status.sent":           {"Sent", "Отправлено"},
	"status.delivered":      {"Delivered", "Доставлено"},
	"status.read":           {"Read", "Прочитано"},
	"status.played":         {"Played", "Прослушано"},
	"status.failed":         {"Not delivered", "Не доставлено"},
	"install.title":         {"Switchboard is installed", "Switchboard установлен"},
	"install.done":          {"WhatsApp and Instagram chats now live in your portal: the Switchboard tab in the left menu and in lead, contact and deal cards.", "Чаты WhatsApp и Instagram теперь в вашем портале: вкладка Switchboard в левом меню и в карточках лидов, контактов и сделок."},
	"card.empty":            {"No conversations with this client yet.", "С этим клиентом пока нет переписки."},
	"error.title":           {"Something went wrong", "Что-то пошло не так"},
	"error.retry":           {"Please try again. If it keeps happening, tell your administrator.", "Попробуйте ещё раз. Если ошибка повторяется, сообщите администратору."},
	"error.empty":           {"The message is empty.", "Сообщение пустое."},
	"error.too_long":        {"The message is too long.", "Сообщение слишком длинное."},
	"error.signin":          {"Your session has ended. Open the app again from Bitrix24.", "Сеанс завершён. Откройте приложение заново из Битрикс24."},
}
