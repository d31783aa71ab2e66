package inbox

import (
	"switchboard/channels"
	"switchboard/channels/instagram"
	"switchboard/channels/whatsapp"
)

// FailureReason explains in words, in lang ("ru" or "en"), why a transport
// refused a message: the known error codes in our words, else the
// provider's own text, else a plain "not delivered".
func (in *Inbox) FailureReason(transport string, code int, providerText, lang string) string {
	var reason string
	switch {
	case transport == channels.WhatsApp && lang == "ru":
		reason = whatsapp.ReasonRU(code)
	case transport == channels.WhatsApp:
		reason = whatsapp.Reason(code)
	case transport == channels.Instagram && lang == "ru":
		reason = instagram.ReasonRU(code, 0)
	case transport == channels.Instagram:
		reason = instagram.Reason(code, 0)
	}
	switch {
	case reason != "":
		return reason
	case providerText != "":
		return providerText
	case lang == "ru":
		return "Сообщение не доставлено."
	default:
		return "The message was not delivered."
	}
}
