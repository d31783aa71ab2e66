package views

import (
	"context"
	"strings"

	"switchboard/channels"
)

// reasonTexts put the transports' reason codes in words; {transport} is the
// transport's title. The wording tells the operator what happened and,
// where there is one, what to do.
var reasonTexts = map[channels.Reason]text{
	channels.ReasonAuthFailed: {"Authentication with {transport} failed; reconnect the channel.",
		"Не удалось авторизоваться в {transport}; переподключите канал."},
	channels.ReasonTokenExpired: {"The access token has expired or was revoked; reconnect the channel.",
		"Токен доступа истёк или отозван; переподключите канал."},
	channels.ReasonNoPermission: {"The app lacks the permission needed for this action.",
		"У приложения нет разрешения на это действие."},
	channels.ReasonTemporarilyDown: {"{transport} is temporarily unavailable; the message will be retried.",
		"{transport} временно недоступен; отправка будет повторена."},
	channels.ReasonProviderError: {"Something went wrong at {transport}; the message will be retried.",
		"Сбой на стороне {transport}; отправка будет повторена."},
	channels.ReasonAppRateLimited: {"Too many requests from the app; the message will be retried.",
		"Слишком много запросов от приложения; отправка будет повторена."},
	channels.ReasonAccountRateLimited: {"The account's request limit was reached; the message will be retried.",
		"Превышен лимит запросов аккаунта; отправка будет повторена."},
	channels.ReasonClientRateLimited: {"Too many messages to this client in a short time; the message will be retried.",
		"Слишком много сообщений этому клиенту за короткое время; отправка будет повторена."},
	channels.ReasonBadParameter: {"{transport} rejected a parameter of the message.",
		"{transport} отклонил параметр сообщения."},
	channels.ReasonMissingParameter: {"A required parameter is missing from the message.",
		"В сообщении не хватает обязательного параметра."},
	channels.ReasonPolicyBlocked: {"The {transport} account is temporarily blocked for policy violations.",
		"Аккаунт {transport} временно заблокирован за нарушение правил."},
	channels.ReasonAccountLocked: {"The {transport} business account is locked or restricted.",
		"Бизнес-аккаунт {transport} заблокирован или ограничен."},
	channels.ReasonPaymentProblem: {"There is a payment problem with the {transport} business account.",
		"Проблема с оплатой бизнес-аккаунта {transport}."},
	channels.ReasonNotRegistered: {"The channel's phone number is not registered with {transport}.",
		"Номер телефона канала не зарегистрирован в {transport}."},
	channels.ReasonExperiment: {"The client's number is part of a {transport} experiment; the message was not delivered.",
		"Номер клиента участвует в эксперименте {transport}; сообщение не доставлено."},
	channels.ReasonLinkUnreachable: {"{transport} could not download the file from the given link.",
		"{transport} не смог скачать файл по указанной ссылке."},
	channels.ReasonSameNumber: {"The sender and the recipient are the same number.",
		"Отправитель и получатель — один и тот же номер."},
	channels.ReasonUndeliverable: {"The message could not be delivered: the number may not use {transport}, its app may be outdated, or the client has not accepted {transport}'s terms.",
		"Сообщение не доставлено: у номера может не быть {transport}, приложение устарело или клиент не принял условия {transport}."},
	channels.ReasonNotTestNumber: {"The recipient is not in the list of allowed test numbers.",
		"Получатель не входит в список разрешённых тестовых номеров."},
	channels.ReasonWindowClosed: {"The reply window has closed: too much time has passed since the client last wrote.",
		"Окно ответа закрыто: с последнего сообщения клиента прошло слишком много времени."},
	channels.ReasonSpamLimited: {"Sending is limited because too many recipients reported messages as spam.",
		"Отправка ограничена: слишком много получателей пожаловались на спам."},
	channels.ReasonMarketingHeld: {"{transport} did not deliver this marketing message to keep engagement healthy.",
		"{transport} не доставил это рекламное сообщение, чтобы не перегружать получателя."},
	channels.ReasonUnsupportedType: {"This message type is not supported by {transport}.",
		"Этот тип сообщения не поддерживается {transport}."},
	channels.ReasonClientMediaFailed: {"The client's media file could not be downloaded.",
		"Не удалось скачать медиафайл клиента."},
	channels.ReasonMediaUploadFailed: {"The media file could not be uploaded: check its type, size and link.",
		"Не удалось загрузить медиафайл: проверьте его тип, размер и ссылку."},
	channels.ReasonPhoneOnly: {"This client can only be reached by phone number, not by username.",
		"Этому клиенту можно написать только по номеру телефона, не по имени пользователя."},
	channels.ReasonNoSuchUser: {"No such {transport} user for this account.",
		"Такого пользователя {transport} для этого аккаунта нет."},
	channels.ReasonRecipientBlocked: {"The client cannot receive messages from this account.",
		"Клиент не может получать сообщения от этого аккаунта."},
	channels.ReasonRecipientUnavailable: {"This person isn't available right now.",
		"Этот пользователь сейчас недоступен."},
	channels.ReasonTemplateParamCount: {"The number of template parameters does not match the template.",
		"Количество параметров не совпадает с шаблоном."},
	channels.ReasonTemplateMissing: {"The template does not exist in this language or is not approved yet.",
		"Шаблона нет на этом языке или он ещё не одобрен."},
	channels.ReasonTemplateTooLong: {"The template text is too long once the parameters are filled in.",
		"Текст шаблона с подставленными параметрами слишком длинный."},
	channels.ReasonTemplatePolicy: {"The template breaks {transport}'s formatting policy.",
		"Шаблон нарушает правила оформления {transport}."},
	channels.ReasonTemplateParamFormat: {"Template parameters are in the wrong format.",
		"Параметры шаблона в неверном формате."},
	channels.ReasonTemplatePaused: {"The template is paused because of low quality.",
		"Шаблон приостановлен из-за низкого качества."},
	channels.ReasonTemplateDisabled: {"The template has been disabled.",
		"Шаблон отключён."},
	channels.ReasonTemplateFailed: {"The template message could not be sent.",
		"Не удалось отправить шаблон."},
}

// transportReasonTexts say a reason more precisely for one transport, by
// its title, where its rule is worth spelling out; any other transport gets
// reasonTexts' words.
var transportReasonTexts = map[string]map[channels.Reason]text{
	"WhatsApp": {
		channels.ReasonWindowClosed: {"More than 24 hours have passed since the client last wrote; only a template message can be sent.",
			"С последнего сообщения клиента прошло больше 24 часов; можно отправить только шаблон."},
	},
	"Instagram": {
		channels.ReasonWindowClosed: {"The reply window has closed: Instagram allows replies within 24 hours of the client's last message (7 days for a person with the human agent tag).",
			"Окно ответа закрыто: Instagram разрешает отвечать в течение 24 часов после последнего сообщения клиента (7 дней для оператора с меткой HUMAN_AGENT)."},
	},
}

// FailureText says why a message was not delivered, in the context's
// language: the reason in our words, else the provider's own text, else a
// plain "not delivered".
func FailureText(ctx context.Context, f channels.Failure) string {
	t, ok := transportReasonTexts[f.Transport][f.Reason]
	if !ok {
		t, ok = reasonTexts[f.Reason]
	}
	switch {
	case ok:
		return strings.ReplaceAll(pick(ctx, t), "{transport}", f.Transport)
	case f.Text != "":
		return f.Text
	}
	return T(ctx, "msg.not_delivered")
}
