package instagram

import "switchboard/channels"

// subcodeReasons are known (code, subcode) pairs; the subcode is what
// tells them apart from the plain code.
var subcodeReasons = map[[2]int]channels.Reason{
	{10, 2534022}:  channels.ReasonWindowClosed,
	{10, 2018278}:  channels.ReasonWindowClosed,
	{100, 2018001}: channels.ReasonNoSuchUser,
	{100, 2534014}: channels.ReasonRecipientBlocked,
}

var reasons = map[int]channels.Reason{
	1:    channels.ReasonProviderError,
	2:    channels.ReasonTemporarilyDown,
	4:    channels.ReasonAppRateLimited,
	10:   channels.ReasonNoPermission,
	17:   channels.ReasonAccountRateLimited,
	32:   channels.ReasonAccountRateLimited,
	100:  channels.ReasonBadParameter,
	190:  channels.ReasonTokenExpired,
	200:  channels.ReasonNoPermission,
	551:  channels.ReasonRecipientUnavailable,
	613:  channels.ReasonAccountRateLimited,
	1200: channels.ReasonProviderError,
}

// Reason maps an Instagram send error (SendError.Code and Subcode) to a
// reason code, ReasonUnknown for one it does not know.
func (t *Transport) Reason(code, subcode int) channels.Reason {
	if r, ok := subcodeReasons[[2]int{code, subcode}]; ok {
		return r
	}
	return reasons[code]
}
