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
}

func init() {
	for k, t := range composerTexts {
		texts[k] = t
	}
}
