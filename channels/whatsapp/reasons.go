package whatsapp

import "switchboard/channels"

// reasons maps the Cloud API codes an operator can meet to reason codes.
var reasons = map[int]channels.Reason{
	0:      channels.ReasonAuthFailed,
	2:      channels.ReasonTemporarilyDown,
	4:      channels.ReasonAppRateLimited,
	10:     channels.ReasonNoPermission,
	100:    channels.ReasonBadParameter,
	190:    channels.ReasonTokenExpired,
	368:    channels.ReasonPolicyBlocked,
	80007:  channels.ReasonAccountRateLimited,
	130429: channels.ReasonAccountRateLimited,
	130472: channels.ReasonExperiment,
	131000: channels.ReasonProviderError,
	131005: channels.ReasonNoPermission,
	131008: channels.ReasonMissingParameter,
	131009: channels.ReasonBadParameter,
	131014: channels.ReasonLinkUnreachable,
	131016: channels.ReasonTemporarilyDown,
	131021: channels.ReasonSameNumber,
	131026: channels.ReasonUndeliverable,
	131030: channels.ReasonNotTestNumber,
	131031: channels.ReasonAccountLocked,
	131042: channels.ReasonPaymentProblem,
	131045: channels.ReasonNotRegistered,
	131047: channels.ReasonWindowClosed,
	131048: channels.ReasonSpamLimited,
	131049: channels.ReasonMarketingHeld,
	131051: channels.ReasonUnsupportedType,
	131052: channels.ReasonClientMediaFailed,
	131053: channels.ReasonMediaUploadFailed,
	131056: channels.ReasonClientRateLimited,
	131062: channels.ReasonPhoneOnly,
	132000: channels.ReasonTemplateParamCount,
	132001: channels.ReasonTemplateMissing,
	132005: channels.ReasonTemplateTooLong,
	132007: channels.ReasonTemplatePolicy,
	132012: channels.ReasonTemplateParamFormat,
	132015: channels.ReasonTemplatePaused,
	132016: channels.ReasonTemplateDisabled,
	133010: channels.ReasonNotRegistered,
}

// Reason maps a WhatsApp error code to a reason code: template codes
// (132000–132999) without their own entry are ReasonTemplateFailed, other
// unknown codes ReasonUnknown (show the provider's message then). WhatsApp
// sends no subcodes.
func (t *Transport) Reason(code, _ int) channels.Reason {
	if r, ok := reasons[code]; ok {
		return r
	}
	if code >= 132000 && code < 133000 {
		return channels.ReasonTemplateFailed
	}
	return channels.ReasonUnknown
}
