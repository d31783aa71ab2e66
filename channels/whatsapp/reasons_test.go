package whatsapp_test

import (
	"testing"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
)

func TestReason(t *testing.T) {
	tr := &whatsapp.Transport{}
	tests := []struct {
		code int
		want channels.Reason
	}{
		{131047, channels.ReasonWindowClosed},
		{131026, channels.ReasonUndeliverable},
		{130429, channels.ReasonAccountRateLimited},
		{131056, channels.ReasonClientRateLimited},
		{190, channels.ReasonTokenExpired},
		{0, channels.ReasonAuthFailed},
		{132001, channels.ReasonTemplateMissing},
		{132999, channels.ReasonTemplateFailed}, // any template code
		{133010, channels.ReasonNotRegistered},
		{-1, channels.ReasonUnknown},
		{1234567, channels.ReasonUnknown},
		{133000, channels.ReasonUnknown},
	}
	for _, tt := range tests {
		if got := tr.Reason(tt.code, 0); got != tt.want {
			t.Errorf("Reason(%d) = %q, want %q", tt.code, got, tt.want)
		}
	}
	// Every code an operator can meet has a reason.
	for _, code := range []int{0, 2, 4, 10, 100, 190, 368, 80007, 130429, 130472, 131000, 131014,
		131026, 131047, 131048, 131051, 131052, 131053, 131056, 132000, 132001, 132015, 132016, 132999} {
		if tr.Reason(code, 0) == channels.ReasonUnknown {
			t.Errorf("code %d has no reason", code)
		}
	}
}
