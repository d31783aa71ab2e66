package views

// mediaTexts are the texts of message kinds, files and the composer's
// limits, merged into texts at start-up (kept apart so the main table stays
// one screen).
var mediaTexts = map[string]text{
	"msg.deleted":          {"This message was deleted", "Сообщение удалено"},
	"msg.edited":           {"edited", "изменено"},
	"msg.location":         {"Location", "Геопозиция"},
	"msg.contact":          {"Contact card", "Контакт"},
	"msg.unsupported":      {"Unsupported message: %s", "Неподдерживаемое сообщение: %s"},
	"msg.story":            {"Open the story", "Открыть историю"},
	"msg.voice":            {"Voice message", "Голосовое сообщение"},
	"msg.quote_us":         {"You", "Вы"},
	"msg.reply_unknown":    {"Reply to an earlier message", "Ответ на более раннее сообщение"},
	"msg.no_file":          {"The file (%s) is not available", "Файл (%s) недоступен"},
	"msg.not_delivered":    {"The message was not delivered.", "Сообщение не доставлено."},
	"att.pending":          {"Downloading the file…", "Файл загружается…"},
	"att.failed":           {"Could not download the file.", "Не удалось скачать файл."},
	"dialog.attach":        {"Attach files (up to 50 MB each)", "Прикрепить файлы (до 50 МБ каждый)"},
	"dialog.window_closed": {"WhatsApp's 24-hour window has closed: the client last wrote more than 24 hours ago, so only a template message is delivered until they write again.", "24-часовое окно WhatsApp закрыто: клиент писал больше суток назад, поэтому до его нового сообщения доставляется только шаблон."},
	"dialog.window_never":  {"The client has not written on WhatsApp yet: only a template message can start the conversation.", "Клиент ещё не писал в WhatsApp: начать переписку можно только шаблоном."},
	"error.file_too_large": {"%s is larger than 50 MB, the limit per file.", "Файл %s больше 50 МБ — это предел для одного файла."},
	"error.too_many_files": {"At most %s per message.", "Предел — %s в одном сообщении."},
	"error.file_kind":      {"%s cannot be sent through %s.", "Файл %s нельзя отправить через %s."},
	"error.file_size":      {"%s is too large for %s: %s, the limit is %s.", "Файл %s слишком большой для %s: %s, предел — %s."},
	"error.file_type":      {"%s: %s does not accept files of type %s.", "Файл %s: %s не принимает файлы типа %s."},
	"error.text_limit":     {"The text is too long for %s (limit: %s).", "Текст слишком длинный для %s (предел: %s)."},
	"size.mb":              {"%.1f MB", "%.1f МБ"},
	"size.kb":              {"%d KB", "%d КБ"},
}

func init() {
	for k, t := range mediaTexts {
		texts[k] = t
	}
}
