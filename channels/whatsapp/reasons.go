package whatsapp

// reason is one error code explained for a CRM user, in English and Russian.
type reason struct{ en, ru string }

// reasons explains the Cloud API codes an operator can meet. The wording
// tells the operator what happened and, where there is one, what to do.
var reasons = map[int]reason{
	0: {"Authentication with WhatsApp failed; reconnect the channel.",
		"Не удалось авторизоваться в WhatsApp; переподключите канал."},
	2: {"WhatsApp is temporarily unavailable; the message will be retried.",
		"WhatsApp временно недоступен; отправка будет повторена."},
	4: {"Too many requests from the app; the message will be retried.",
		"Слишком много запросов от приложения; отправка будет повторена."},
	10: {"The app lacks the permission needed for this action.",
		"У приложения нет разрешения на это действие."},
	100: {"WhatsApp rejected a parameter of the request.",
		"WhatsApp отклонил параметр запроса."},
	190: {"The access token has expired or was revoked; reconnect the channel.",
		"Токен доступа истёк или отозван; переподключите канал."},
	368: {"The WhatsApp account is temporarily blocked for policy violations.",
		"Аккаунт WhatsApp временно заблокирован за нарушение правил."},
	80007: {"The WhatsApp Business account hit its rate limit; the message will be retried.",
		"Аккаунт WhatsApp Business превысил лимит запросов; отправка будет повторена."},
	130429: {"The number's sending rate limit was reached; the message will be retried.",
		"Превышен лимит скорости отправки для номера; отправка будет повторена."},
	130472: {"The client's number is part of a WhatsApp experiment; the message was not delivered.",
		"Номер клиента участвует в эксперименте WhatsApp; сообщение не доставлено."},
	131000: {"Something went wrong at WhatsApp; the message will be retried.",
		"Сбой на стороне WhatsApp; отправка будет повторена."},
	131005: {"Access denied: the app has no permission to send from this number.",
		"Доступ запрещён: у приложения нет права отправлять с этого номера."},
	131008: {"A required parameter is missing from the message.",
		"В сообщении не хватает обязательного параметра."},
	131009: {"A parameter of the message has an invalid value.",
		"Недопустимое значение параметра сообщения."},
	131014: {"WhatsApp could not download the file from the given link.",
		"WhatsApp не смог скачать файл по указанной ссылке."},
	131016: {"The WhatsApp service is overloaded; the message will be retried.",
		"Сервис WhatsApp перегружен; отправка будет повторена."},
	131021: {"The sender and the recipient are the same number.",
		"Отправитель и получатель — один и тот же номер."},
	131026: {"The message could not be delivered: the number may not use WhatsApp, its app may be outdated, or the client has not accepted WhatsApp's terms.",
		"Сообщение не доставлено: у номера может не быть WhatsApp, приложение устарело или клиент не принял условия WhatsApp."},
	131030: {"The recipient is not in the list of allowed test numbers.",
		"Получатель не входит в список разрешённых тестовых номеров."},
	131031: {"The WhatsApp Business account is locked or restricted.",
		"Аккаунт WhatsApp Business заблокирован или ограничен."},
	131042: {"There is a payment problem with the WhatsApp Business account.",
		"Проблема с оплатой аккаунта WhatsApp Business."},
	131045: {"The phone number is not registered with the WhatsApp Cloud API.",
		"Номер телефона не зарегистрирован в WhatsApp Cloud API."},
	131047: {"More than 24 hours have passed since the client last wrote; only a template message can be sent.",
		"С последнего сообщения клиента прошло больше 24 часов; можно отправить только шаблон."},
	131048: {"Sending is limited because too many recipients reported messages as spam.",
		"Отправка ограничена: слишком много получателей пожаловались на спам."},
	131049: {"WhatsApp did not deliver this marketing message to keep engagement healthy.",
		"WhatsApp не доставил это рекламное сообщение, чтобы не перегружать получателя."},
	131051: {"This message type is not supported by WhatsApp.",
		"Этот тип сообщения не поддерживается WhatsApp."},
	131052: {"The client's media file could not be downloaded.",
		"Не удалось скачать медиафайл клиента."},
	131053: {"The media file could not be uploaded: check its type, size and link.",
		"Не удалось загрузить медиафайл: проверьте его тип, размер и ссылку."},
	131056: {"Too many messages to this client in a short time; the message will be retried.",
		"Слишком много сообщений этому клиенту за короткое время; отправка будет повторена."},
	131062: {"This client can only be reached by phone number, not by username.",
		"Этому клиенту можно написать только по номеру телефона, не по имени пользователя."},
	132000: {"The number of template parameters does not match the template.",
		"Количество параметров не совпадает с шаблоном."},
	132001: {"The template does not exist in this language or is not approved yet.",
		"Шаблона нет на этом языке или он ещё не одобрен."},
	132005: {"The template text is too long once the parameters are filled in.",
		"Текст шаблона с подставленными параметрами слишком длинный."},
	132007: {"The template breaks WhatsApp's formatting policy.",
		"Шаблон нарушает правила оформления WhatsApp."},
	132012: {"Template parameters are in the wrong format.",
		"Параметры шаблона в неверном формате."},
	132015: {"The template is paused because of low quality.",
		"Шаблон приостановлен из-за низкого качества."},
	132016: {"The template has been disabled.",
		"Шаблон отключён."},
	133010: {"The phone number is not registered with WhatsApp.",
		"Номер телефона не зарегистрирован в WhatsApp."},
}

// templateReason covers template codes (132000–132999) without their own entry.
var templateReason = reason{"The template message could not be sent.", "Не удалось отправить шаблон."}

func lookupReason(code int) (reason, bool) {
	if r, ok := reasons[code]; ok {
		return r, true
	}
	if code >= 132000 && code < 133000 {
		return templateReason, true
	}
	return reason{}, false
}

// Reason explains a WhatsApp error code in English, or returns "" for a code
// it does not know (show the provider's message then).
func Reason(code int) string {
	r, _ := lookupReason(code)
	return r.en
}

// ReasonRU explains a WhatsApp error code in Russian, or returns "" for a
// code it does not know.
func ReasonRU(code int) string {
	r, _ := lookupReason(code)
	return r.ru
}
