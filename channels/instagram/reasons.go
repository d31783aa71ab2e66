package instagram

// reason is one error explained for a CRM user, in English and Russian.
type reason struct{ en, ru string }

// windowClosed is a send after the reply window closed.
var windowClosed = reason{
	"The reply window has closed: Instagram allows replies within 24 hours of the client's last message (7 days for a person with the human agent tag).",
	"Окно ответа закрыто: Instagram разрешает отвечать в течение 24 часов после последнего сообщения клиента (7 дней для оператора с меткой HUMAN_AGENT).",
}

// subcodeReasons are known (code, subcode) pairs; the subcode is what
// tells them apart from the plain code.
var subcodeReasons = map[[2]int]reason{
	{10, 2534022}:  windowClosed,
	{10, 2018278}:  windowClosed,
	{100, 2018001}: {"No such Instagram user for this account.", "Такого пользователя Instagram для этого аккаунта нет."},
	{100, 2534014}: {"The client cannot receive messages from this account.", "Клиент не может получать сообщения от этого аккаунта."},
}

var reasons = map[int]reason{
	1:    {"Instagram had a temporary problem; the message will be retried.", "Временная ошибка Instagram; отправка будет повторена."},
	2:    {"Instagram is temporarily unavailable; the message will be retried.", "Instagram временно недоступен; отправка будет повторена."},
	4:    {"Too many requests from the app; the message will be retried.", "Слишком много запросов от приложения; отправка будет повторена."},
	10:   {"The app lacks the permission needed to send this message.", "У приложения нет разрешения на отправку этого сообщения."},
	17:   {"The account's request limit was reached; the message will be retried.", "Превышен лимит запросов аккаунта; отправка будет повторена."},
	32:   {"The account's request limit was reached; the message will be retried.", "Превышен лимит запросов аккаунта; отправка будет повторена."},
	100:  {"Instagram rejected a parameter of the message.", "Instagram отклонил параметр сообщения."},
	190:  {"The access token has expired or was revoked; reconnect the account.", "Токен доступа истёк или отозван; переподключите аккаунт."},
	200:  {"The app lacks the permission needed for this action.", "У приложения нет разрешения на это действие."},
	551:  {"This person isn't available right now.", "Этот пользователь сейчас недоступен."},
	613:  {"Too many requests in the last hour; the message will be retried.", "Слишком много запросов за последний час; отправка будет повторена."},
	1200: {"Instagram could not send the message for now; it will be retried.", "Instagram временно не смог отправить сообщение; отправка будет повторена."},
}

func lookupReason(code, subcode int) reason {
	if r, ok := subcodeReasons[[2]int{code, subcode}]; ok {
		return r
	}
	return reasons[code]
}

// Reason explains an Instagram send error (SendError.Code and Subcode) in
// English, or returns "" for one it does not know.
func Reason(code, subcode int) string { return lookupReason(code, subcode).en }

// ReasonRU explains an Instagram send error in Russian, or returns "".
func ReasonRU(code, subcode int) string { return lookupReason(code, subcode).ru }
