package views

// templateTexts are the words of the "Message templates" page and the
// composer's template picker, merged into texts at start-up.
var templateTexts = map[string]text{
	"templates.title":          {"Message templates", "Шаблоны сообщений"},
	"templates.menu":           {"Templates", "Шаблоны"},
	"templates.back":           {"Back to the chat", "Назад в чат"},
	"templates.new":            {"New template", "Новый шаблон"},
	"templates.edit":           {"Edit template", "Изменить шаблон"},
	"templates.search":         {"Search by name or text", "Поиск по названию или тексту"},
	"templates.empty":          {"You have no templates yet. A template keeps a text and files you send often.", "У вас пока нет шаблонов. В шаблоне хранятся текст и файлы, которые вы часто отправляете."},
	"templates.none_match":     {"No template matches.", "Ничего не найдено."},
	"templates.name":           {"Name (only you see it)", "Название (видите только вы)"},
	"templates.text":           {"Text", "Текст"},
	"templates.placeholders":   {"{client_name} and {manager_name} are filled in when the message is sent.", "{client_name} и {manager_name} подставляются при отправке."},
	"templates.files":          {"Files, in the order they are sent", "Файлы, в порядке отправки"},
	"templates.add_files":      {"Add files", "Добавить файлы"},
	"templates.drag":           {"Drag to reorder", "Перетащите, чтобы изменить порядок"},
	"templates.move_up":        {"Move earlier", "Переместить выше"},
	"templates.move_down":      {"Move later", "Переместить ниже"},
	"templates.remove":         {"Remove", "Убрать"},
	"templates.save":           {"Save", "Сохранить"},
	"templates.cancel":         {"Cancel", "Отмена"},
	"templates.delete":         {"Delete template", "Удалить шаблон"},
	"templates.confirm_delete": {"Delete this template? Messages already sent with it keep their files.", "Удалить шаблон? Уже отправленные с ним сообщения сохранят свои файлы."},
	"templates.name_required":  {"Give the template a name (up to 200 characters).", "Укажите название шаблона (до 200 символов)."},
	"templates.pick":           {"Message templates", "Шаблоны сообщений"},
	"templates.picker_empty":   {"No templates. Create them on the templates page.", "Шаблонов нет. Создайте их на странице шаблонов."},
	"templates.manage":         {"Manage templates", "Управлять шаблонами"},
	"templates.in_use":         {"Template: %s", "Шаблон: %s"},
	"templates.drop":           {"Do not use the template", "Не использовать шаблон"},
}

func init() {
	for k, t := range templateTexts {
		texts[k] = t
	}
}
