package views

// settingsTexts are the settings page's words, merged into texts at
// start-up.
var settingsTexts = map[string]text{
	"settings.title":       {"Settings", "Настройки"},
	"settings.link":        {"Settings", "Настройки"},
	"settings.only_admins": {"Only administrators can open the settings: the portal's administrators and those they named.", "Настройки доступны только администраторам: администраторам портала и тем, кого они назначили."},
	"settings.saved":       {"Saved.", "Сохранено."},
	"settings.save":        {"Save", "Сохранить"},
	"settings.add":         {"Add", "Добавить"},
	"settings.remove":      {"Remove", "Удалить"},
	"settings.none":        {"None", "Нет"},

	"settings.channels":               {"Channels", "Каналы"},
	"settings.channel.add":            {"Connect a number or account", "Подключить номер или аккаунт"},
	"settings.channel.add_button":     {"Check and connect", "Проверить и подключить"},
	"settings.channel.transport":      {"Messenger", "Мессенджер"},
	"settings.channel.external_id":    {"Phone number ID (WhatsApp) or account ID (Instagram)", "Phone number ID (WhatsApp) или ID аккаунта (Instagram)"},
	"settings.channel.name":           {"Channel name", "Название канала"},
	"settings.channel.token":          {"Access token", "Токен доступа"},
	"settings.channel.secret":         {"App secret", "Секрет приложения"},
	"settings.channel.business":       {"WhatsApp Business Account ID (its message templates; optional)", "ID бизнес-аккаунта WhatsApp (его шаблоны сообщений; необязательно)"},
	"settings.channel.mode":           {"Mode", "Режим"},
	"settings.channel.source":         {"CRM source", "Источник в CRM"},
	"settings.channel.off":            {"turned off", "отключён"},
	"settings.channel.disable":        {"Turn off", "Отключить"},
	"settings.channel.enable":         {"Turn on", "Включить"},
	"settings.channel.remove":         {"Remove", "Удалить"},
	"settings.channel.remove_confirm": {"Remove this channel? Its dialogs and history stay.", "Удалить канал? Его диалоги и история сохранятся."},
	"settings.channel.paste":          {"In Meta's App Dashboard, set the webhook to this URL and verify token:", "В App Dashboard Meta укажите для вебхука этот адрес и токен подтверждения:"},
	"settings.channel.webhook_url":    {"Callback URL:", "Адрес (Callback URL):"},
	"settings.channel.verify_token":   {"Verify token:", "Токен подтверждения (Verify token):"},
	"settings.channel.waiting":        {"Waiting for Meta to check the webhook…", "Ждём, пока Meta проверит вебхук…"},
	"settings.channel.verified":       {"Connected: Meta checked the webhook.", "Подключён: Meta проверила вебхук."},
	"settings.mode.wz":                {"Switchboard chat", "Чат Switchboard"},
	"settings.mode.ol":                {"Open Line", "Открытая линия"},

	"settings.notify": {"Notification chat members", "Участники чата уведомлений"},
	"settings.notify.unread": {"Bitrix24 did not give the chat's members just now; the other settings work. Reload the page in a while.",
		"Битрикс24 сейчас не отдал участников чата; остальные настройки работают. Обновите страницу чуть позже."},

	"settings.rules":                         {"Rules", "Правила"},
	"settings.visibility":                    {"Which dialogs managers see", "Какие диалоги видят менеджеры"},
	"settings.visibility.all":                {"All dialogs", "Все диалоги"},
	"settings.visibility.own_and_unassigned": {"Their own and those without a responsible", "Свои и без ответственного"},
	"settings.visibility.own":                {"Only their own", "Только свои"},
	"settings.visibility.own_and_department": {"Their own, and heads of department also their departments'", "Свои, а руководители отделов — и своих отделов"},
	"settings.see_all":                       {"Administrators who see every dialog", "Администраторы, которые видят все диалоги"},
	"settings.create":                        {"For an unknown client, create", "Для неизвестного клиента создавать"},
	"settings.create.contact":                {"a contact", "контакт"},
	"settings.create.lead":                   {"a lead", "лид"},
	"settings.create.contact_deal":           {"a contact and a deal", "контакт и сделку"},
	"settings.pipeline":                      {"Deal pipeline", "Воронка сделки"},
	"settings.stage":                         {"Deal stage", "Стадия сделки"},
	"settings.stage.first":                   {"The pipeline's first stage", "Первая стадия воронки"},
	"settings.distribute":                    {"Responsible for what is created", "Ответственный за созданное"},
	"settings.distribute.round_robin":        {"Take turns over the chosen managers", "По очереди среди выбранных"},
	"settings.distribute.one":                {"Always one person", "Всегда один человек"},
	"settings.distribute.least_loaded":       {"The least loaded of the chosen managers", "Наименее загруженный из выбранных"},
	"settings.distribute_to":                 {"Managers (none chosen: everyone with access)", "Менеджеры (никого не выбрано — все с доступом)"},
	"settings.source_label":                  {"Write the source to the CRM (\"WhatsApp — Sales\")", "Записывать источник в CRM («WhatsApp — Продажи»)"},
	"settings.timeline":                      {"Copy every message to the CRM timeline", "Дублировать сообщения в ленту CRM"},
	"settings.timeline_on.contact":           {"of the contact", "контакта"},
	"settings.timeline_on.lead":              {"of open leads", "открытых лидов"},
	"settings.timeline_on.deal":              {"of open deals", "открытых сделок"},

	// Refusals: %s is the field's name.
	"settings.invalid.choice":   {"%s: choose one of the offered values.", "%s: выберите одно из предложенных значений."},
	"settings.invalid.pipeline": {"%s: this pipeline is not in the portal.", "%s: такой воронки на портале нет."},
	"settings.invalid.stage":    {"%s: this stage is not in the chosen pipeline.", "%s: такой стадии в выбранной воронке нет."},
	"settings.invalid.user":     {"%s: this user is not an active employee of the portal.", "%s: такого активного сотрудника на портале нет."},
	"settings.invalid.one_user": {"%s: \"always one person\" needs exactly one manager.", "%s: для «всегда один человек» выберите ровно одного менеджера."},
	"settings.invalid.required": {"%s: fill this in.", "%s: заполните поле."},
	"settings.invalid.too_long": {"%s: at most 100 characters.", "%s: не более 100 символов."},
	"settings.invalid.source":   {"%s: this source is not in the portal's CRM.", "%s: такого источника в CRM портала нет."},
	"settings.invalid.account":  {"%s: Meta refused these credentials; check the ID and the token.", "%s: Meta не приняла эти данные; проверьте ID и токен."},
	"settings.invalid.taken":    {"%s: this account is connected already.", "%s: этот аккаунт уже подключён."},
	"settings.invalid.range":    {"%s: out of the allowed range.", "%s: вне допустимых пределов."},
	"settings.invalid.owner":    {"%s: the app manages the chat through this user, who stays.", "%s: приложение управляет чатом от имени этого пользователя, он остаётся."},

	"settings.field.visibility":            {"Which dialogs managers see", "Какие диалоги видят менеджеры"},
	"settings.field.see_all":               {"Administrators", "Администраторы"},
	"settings.field.create":                {"Create", "Создавать"},
	"settings.field.deal_category":         {"Deal pipeline", "Воронка сделки"},
	"settings.field.deal_stage":            {"Deal stage", "Стадия сделки"},
	"settings.field.timeline_on":           {"Timeline", "Лента"},
	"settings.field.distribute":            {"Responsible", "Ответственный"},
	"settings.field.distribute_to":         {"Managers", "Менеджеры"},
	"settings.field.transport":             {"Messenger", "Мессенджер"},
	"settings.field.external_id":           {"ID", "ID"},
	"settings.field.access_token":          {"Access token", "Токен доступа"},
	"settings.field.app_secret":            {"App secret", "Секрет приложения"},
	"settings.field.name":                  {"Channel name", "Название канала"},
	"settings.field.mode":                  {"Mode", "Режим"},
	"settings.field.source":                {"CRM source", "Источник в CRM"},
	"settings.field.notify_member":         {"Member", "Участник"},
	"settings.field.notify_delay":          {"Wait while someone has the dialog open, minutes", "Ждать, пока диалог открыт у сотрудника, минут"},
	"settings.field.notify_escalate":       {"If still unanswered", "Если ответа всё нет"},
	"settings.field.notify_escalate_after": {"Escalate after, minutes", "Эскалация через, минут"},
	"settings.notify.rules":                {"Notification chat", "Чат уведомлений"},
	"settings.notify.delay_hint": {"A client's line is posted at once when nobody has their dialog open; otherwise after this long without an answer (0–1440).",
		"Строка клиента появляется сразу, если его диалог ни у кого не открыт; иначе — через столько минут без ответа (0–1440)."},
	"settings.notify.escalate.off":          {"Do nothing more", "Ничего не делать"},
	"settings.notify.escalate.mention_head": {"Post the line again, mentioning the responsible's head of department", "Повторить строку с упоминанием руководителя ответственного"},

	"error.channel_off": {"This channel is turned off: nothing can be sent through it.", "Этот канал отключён: через него нельзя отправлять."},
}

func init() {
	for k, t := range settingsTexts {
		texts[k] = t
	}
}

// Invalid says why a setting was refused: code is one of inbox's Invalid*
// values, field the setting.
func Invalid(lang, field, code string) string {
	return Text(lang, "settings.invalid."+code, Text(lang, "settings.field."+field))
}
