package main

import "switchboard/channels/graphemu"

// demoTemplates are the approved templates of every demo WhatsApp number's
// Business Account, plus one paused at Meta (not offered).
var demoTemplates = []graphemu.Template{
	{Name: "order_update", Language: "ru", Body: "Здравствуйте, {{1}}! Ваш заказ {{2}} готов к выдаче."},
	{Name: "order_update", Language: "en_US", Body: "Hello {{1}}! Your order {{2}} is ready for pickup."},
	{Name: "follow_up", Language: "ru", Body: "Добрый день! Остались ли у вас вопросы? Ответьте на это сообщение, и мы продолжим."},
	{Name: "spring_sale", Language: "ru", Body: "Весенняя распродажа: скидки до 30%!", Category: "MARKETING", Status: "PAUSED"},
}

// demoBusinessID is the WhatsApp Business Account of a demo number.
func demoBusinessID(phoneNumberID string) string { return "1" + phoneNumberID }
