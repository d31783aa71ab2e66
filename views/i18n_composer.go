package views

// composerTexts are the texts of the composer's tools, the templates of
// WhatsApp's closed window, attention (sound, title) and the fit inside
// Bitrix24, merged into texts at start-up.
var composerTexts = map[string]text{
	"composer.attach_label":     {"File", "Файл"},
	"composer.emoji":            {"Insert an emoji", "Вставить эмодзи"},
	"composer.emoji_label":      {"Emoji", "Эмодзи"},
	"composer.emoji_search":     {"Search emoji", "Поиск эмодзи"},
	"composer.emoji_none":       {"No emoji found.", "Эмодзи не найдены."},
	"composer.emoji_failed":     {"The emoji could not be loaded.", "Не удалось загрузить эмодзи."},
	"composer.uploading":        {"Uploading the files", "Загрузка файлов"},
	"composer.upload_cancel":    {"Cancel", "Отменить"},
	"composer.upload_cancelled": {"The upload was cancelled; nothing was sent.", "Загрузка отменена, ничего не отправлено."},
	"sound.label":               {"Sound", "Звук"},
	"sound.on":                  {"A sound plays on a new message; click to mute", "Новое сообщение со звуком; нажмите, чтобы выключить"},
	"sound.off":                 {"New messages are silent; click to turn the sound on", "Новые сообщения без звука; нажмите, чтобы включить"},
	"template.offer":            {"Send an approved template", "Отправить одобренный шаблон"},
	"template.loading":          {"Loading the templates…", "Загружаем шаблоны…"},
	"template.none":             {"The channel has no approved templates.", "У канала нет одобренных шаблонов."},
	"template.value":            {"Value {{%d}}", "Значение {{%d}}"},
	"template.send":             {"Send the template", "Отправить шаблон"},
	"template.unavailable":      {"The templates could not be loaded now; try again later.", "Сейчас не удалось загрузить шаблоны, попробуйте позже."},
	"template.gone":             {"This template is no longer approved for the channel.", "Этот шаблон больше не одобрен для канала."},
	"template.values":           {"Fill in every value of the template.", "Заполните все значения шаблона."},
}

func init() {
	for k, t := range composerTexts {
		texts[k] = t
	}
}
