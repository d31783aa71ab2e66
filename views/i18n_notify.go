package views

// notifyTexts are the notification chat's line and the dialog's "No reply
// needed" action, merged into texts at start-up.
var notifyTexts = map[string]text{
	"notify.line": {"%s · %s: %s — %s. [url=%s]Open the dialog[/url]",
		"%s · %s: %s — %s. [url=%s]Открыть диалог[/url]"},
	"notify.transport.whatsapp":  {"WhatsApp", "WhatsApp"},
	"notify.transport.instagram": {"Instagram", "Instagram"},
	"notify.escalated":           {"Still unanswered: %s, please see to it.", "Всё ещё без ответа: %s, обратите внимание."},

	"dialog.waiting":  {"Waiting for a reply", "Ждёт ответа"},
	"dialog.no_reply": {"No reply needed", "Не требует ответа"},
}

func init() {
	for k, t := range notifyTexts {
		texts[k] = t
	}
	plurals["count.new_messages"] = forms{[2]string{"%d new message", "%d new messages"},
		[3]string{"%d новое сообщение", "%d новых сообщения", "%d новых сообщений"}}
}
