package inbox

import "switchboard/channels"

// failure is why a transport refused a message, as data for the views: the
// transport's title, its reason code for the provider's error code, and the
// provider's own text. Failed statuses and SendErrors alike are stored
// without their subcode, so it is 0 here.
func (in *Inbox) failure(transport string, code int, providerText string) channels.Failure {
	f := channels.Failure{Transport: transport, Text: providerText}
	if t, ok := in.Transports[transport]; ok {
		f.Transport = t.Capabilities().Title
		f.Reason = t.Reason(code, 0)
	}
	return f
}
