package channels

// Reason is why a provider refused a message, in neutral terms: transports
// map their error codes to it and the views put it in words, so no
// sentence is written in an adapter or in the rules.
type Reason string

// Reasons a transport maps its error codes to. The words (and whether the
// message "will be retried") are the views' business.
const (
	ReasonUnknown              Reason = ""                      // no reason known: show the provider's text
	ReasonAuthFailed           Reason = "auth_failed"           // authentication failed; reconnect the channel
	ReasonTokenExpired         Reason = "token_expired"         // access token expired or revoked; reconnect
	ReasonNoPermission         Reason = "no_permission"         // the app lacks a permission
	ReasonTemporarilyDown      Reason = "temporarily_down"      // the provider is unavailable or overloaded; retried
	ReasonProviderError        Reason = "provider_error"        // an error on the provider's side; retried
	ReasonAppRateLimited       Reason = "app_rate_limited"      // too many requests from the app; retried
	ReasonAccountRateLimited   Reason = "account_rate_limited"  // the account's or number's request limit; retried
	ReasonClientRateLimited    Reason = "client_rate_limited"   // too many messages to this client; retried
	ReasonBadParameter         Reason = "bad_parameter"         // a parameter was rejected or invalid
	ReasonMissingParameter     Reason = "missing_parameter"     // a required parameter is missing
	ReasonPolicyBlocked        Reason = "policy_blocked"        // the account is blocked for policy violations
	ReasonAccountLocked        Reason = "account_locked"        // the business account is locked or restricted
	ReasonPaymentProblem       Reason = "payment_problem"       // a payment problem with the business account
	ReasonNotRegistered        Reason = "not_registered"        // the channel's number is not registered
	ReasonExperiment           Reason = "experiment"            // the client is part of a provider experiment
	ReasonLinkUnreachable      Reason = "link_unreachable"      // the provider could not download our file link
	ReasonSameNumber           Reason = "same_number"           // sender and recipient are the same
	ReasonUndeliverable        Reason = "undeliverable"         // the client's number or app cannot receive it
	ReasonNotTestNumber        Reason = "not_test_number"       // the recipient is not an allowed test number
	ReasonWindowClosed         Reason = "window_closed"         // the reply window has closed
	ReasonSpamLimited          Reason = "spam_limited"          // sending limited after spam reports
	ReasonMarketingHeld        Reason = "marketing_held"        // a marketing message held back by the provider
	ReasonUnsupportedType      Reason = "unsupported_type"      // the message type is not supported
	ReasonClientMediaFailed    Reason = "client_media_failed"   // the client's file could not be downloaded
	ReasonMediaUploadFailed    Reason = "media_upload_failed"   // our file could not be uploaded
	ReasonPhoneOnly            Reason = "phone_only"            // the client is reachable by phone number only
	ReasonNoSuchUser           Reason = "no_such_user"          // no such user for this account
	ReasonRecipientBlocked     Reason = "recipient_blocked"     // the client cannot receive from this account
	ReasonRecipientUnavailable Reason = "recipient_unavailable" // the client is not available right now
	ReasonTemplateParamCount   Reason = "template_param_count"  // template parameter count mismatch
	ReasonTemplateMissing      Reason = "template_missing"      // no such template in the language, or not approved
	ReasonTemplateTooLong      Reason = "template_too_long"     // the filled-in template is too long
	ReasonTemplatePolicy       Reason = "template_policy"       // the template breaks formatting policy
	ReasonTemplateParamFormat  Reason = "template_param_format" // template parameters in the wrong format
	ReasonTemplatePaused       Reason = "template_paused"       // the template is paused for low quality
	ReasonTemplateDisabled     Reason = "template_disabled"     // the template is disabled
	ReasonTemplateFailed       Reason = "template_failed"       // any other template error
)

// Reasons lists every reason code but ReasonUnknown, for the views' test
// that each has words in every language.
var Reasons = []Reason{
	ReasonAuthFailed, ReasonTokenExpired, ReasonNoPermission, ReasonTemporarilyDown, ReasonProviderError,
	ReasonAppRateLimited, ReasonAccountRateLimited, ReasonClientRateLimited, ReasonBadParameter,
	ReasonMissingParameter, ReasonPolicyBlocked, ReasonAccountLocked, ReasonPaymentProblem, ReasonNotRegistered,
	ReasonExperiment, ReasonLinkUnreachable, ReasonSameNumber, ReasonUndeliverable, ReasonNotTestNumber,
	ReasonWindowClosed, ReasonSpamLimited, ReasonMarketingHeld, ReasonUnsupportedType, ReasonClientMediaFailed,
	ReasonMediaUploadFailed, ReasonPhoneOnly, ReasonNoSuchUser, ReasonRecipientBlocked, ReasonRecipientUnavailable,
	ReasonTemplateParamCount, ReasonTemplateMissing, ReasonTemplateTooLong, ReasonTemplatePolicy,
	ReasonTemplateParamFormat, ReasonTemplatePaused, ReasonTemplateDisabled, ReasonTemplateFailed,
}

// Failure is why a message was not delivered, for the views to put in
// words: the transport's title, the neutral reason, and the provider's own
// text for when the reason is unknown.
type Failure struct {
	Transport string // Capabilities.Title: "WhatsApp"
	Reason    Reason
	Text      string // the provider's own words, possibly empty
}
