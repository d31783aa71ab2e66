package whatsapp_test

import (
	"testing"

	"switchboard/channels/whatsapp"
)

func TestReason(t *testing.T) {
	const window = "More than 24 hours have passed since the client last wrote; only a template message can be sent."
	if got := whatsapp.Reason(131047); got != window {
		t.Errorf("Reason(131047) = %q", got)
	}
	if got := whatsapp.ReasonRU(131047); got != "С последнего сообщения клиента прошло больше 24 часов; можно отправить только шаблон." {
		t.Errorf("ReasonRU(131047) = %q", got)
	}
	// Every code an operator can meet has both languages, and they differ.
	for _, code := range []int{0, 2, 4, 10, 100, 190, 368, 80007, 130429, 130472, 131000, 131014,
		131026, 131047, 131048, 131051, 131052, 131053, 131056, 132000, 132001, 132015, 132016, 132999} {
		en, ru := whatsapp.Reason(code), whatsapp.ReasonRU(code)
		if en == "" || ru == "" || en == ru {
			t.Errorf("code %d: en %q, ru %q", code, en, ru)
		}
	}
	for _, code := range []int{-1, 1234567, 133000} {
		if whatsapp.Reason(code) != "" || whatsapp.ReasonRU(code) != "" {
			t.Errorf("code %d should be unknown", code)
		}
	}
}
