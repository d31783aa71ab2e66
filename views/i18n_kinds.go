package views

import (
	"context"
	"strings"
	"time"

	"switchboard/db"
)

// kindTexts name the kinds of message, for a message with no text of its
// own (the dialog list's preview, a quoted reply, a timeline comment).
var kindTexts = map[string]text{
	"kind.text":        {"Message", "Сообщение"},
	"kind.image":       {"Photo", "Фото"},
	"kind.video":       {"Video", "Видео"},
	"kind.sticker":     {"Sticker", "Стикер"},
	"kind.document":    {"File", "Файл"},
	"kind.audio":       {"Audio", "Аудио"},
	"kind.voice":       {"Voice message", "Голосовое сообщение"},
	"kind.location":    {"Location", "Геопозиция"},
	"kind.contact":     {"Contact card", "Контакт"},
	"kind.template":    {"Template message", "Шаблон"},
	"kind.story":       {"Story", "История"},
	"kind.unsupported": {"Unsupported message", "Неподдерживаемое сообщение"},

	// Pinning a message in the CRM timeline.
	"pin.pin":            {"Pin in the CRM timeline", "Закрепить в таймлайне CRM"},
	"pin.unpin":          {"Unpin from the CRM timeline", "Открепить в таймлайне CRM"},
	"pin.pinned":         {"Pinned", "Закреплено"},
	"pin.none":           {"This message is not in the CRM timeline yet.", "Этого сообщения ещё нет в таймлайне CRM."},
	"pin.limit":          {"At most %[2]s can be pinned on a %[1]s. Unpin one first.", "На %[1]s уже закреплено предельное число комментариев: %[3]d. Сначала открепите один."},
	"pin.entity.contact": {"contact", "контакте"},
	"pin.entity.lead":    {"lead", "лиде"},
	"pin.entity.deal":    {"deal", "сделке"},

	// The CRM sync's backlog, for administrators.
	"crm.backlog":         {"CRM sync: %s waiting", "Синхронизация с CRM: в очереди %s"},
	"crm.backlog.oldest":  {", the oldest for %s", ", самое давнее ждёт %s"},
	"age.now":             {"less than a minute", "меньше минуты"},
	"crm.backlog.clients": {"; new clients to link: %d", "; новых клиентов к привязке: %d"},
}

func init() {
	for k, t := range kindTexts {
		texts[k] = t
	}
}

// kindText names a kind of message in the context's language.
func kindText(ctx context.Context, kind string) string {
	if _, ok := texts["kind."+kind]; ok {
		return T(ctx, "kind."+kind)
	}
	return kind
}

// previewText is a dialog's last-message preview as shown: inbox stores a
// message without text as "[kind]", which is worded here.
func previewText(ctx context.Context, preview string) string {
	k, ok := strings.CutPrefix(preview, "[")
	if k, closed := strings.CutSuffix(k, "]"); ok && closed && !strings.ContainsAny(k, " []") {
		return "[" + kindText(ctx, k) + "]"
	}
	return preview
}

// PinLimitText says a pin was refused at an entity's limit.
func PinLimitText(ctx context.Context, limit int, entityType string) string {
	return Tf(ctx, "pin.limit", T(ctx, "pin.entity."+entityType), Plural(ctx, "count.comments", int64(limit)), limit)
}

// BacklogText says what waits for the CRM sync: how many messages, since
// when, and how many new clients.
func BacklogText(ctx context.Context, b db.CRMBacklog) string {
	s := Tf(ctx, "crm.backlog", Plural(ctx, "count.messages", int64(b.Messages)))
	if b.Oldest != nil {
		s += Tf(ctx, "crm.backlog.oldest", ageText(ctx, time.Since(*b.Oldest)))
	}
	if b.NewClients > 0 {
		s += Tf(ctx, "crm.backlog.clients", b.NewClients)
	}
	return s
}

// ageText is how long something has waited, in whole minutes.
func ageText(ctx context.Context, d time.Duration) string {
	if d < time.Minute {
		return T(ctx, "age.now")
	}
	return Plural(ctx, "count.minutes", int64(d/time.Minute))
}
