package inbox

import (
	"errors"
	"testing"
)

// TestPortalURLGuard: with BITRIX_ALLOW_LOCAL off, an install or
// ONAPPINSTALL may only aim our calls at https on a public host name.
func TestPortalURLGuard(t *testing.T) {
	for _, tc := range []struct {
		base string
		ok   bool
	}{
		{"https://sales.bitrix24.ru", true},
		{"https://sales.bitrix24.com/", true},
		{"https://crm.example.com:8443", true},
		{"https://Sales.Bitrix24.DE", true},

		{"http://sales.bitrix24.ru", false},
		{"ftp://sales.bitrix24.ru", false},
		{"sales.bitrix24.ru", false},
		{"//sales.bitrix24.ru", false},
		{"https://", false},
		{"https://localhost", false},
		{"https://localhost:8443", false},
		{"https://LOCALHOST", false},
		{"https://localhost.", false},
		{"https://portal.localhost", false},
		{"https://127.0.0.1", false},
		{"https://127.1", false},
		{"https://0x7f.0.0.1", false},
		{"https://10.0.0.5", false},
		{"https://192.168.1.10:443", false},
		{"https://169.254.169.254", false},
		{"https://[::1]", false},
		{"https://[::1]:8443", false},
		{"https://[fd00::1]", false},
		{"https://portal", false},
		{"https://portal.", false},
		{"https://2130706433", false},
		{"https://user@localhost", false},
		{"https://%zz", false},
	} {
		err := (&Portal{}).checkPortalURL(tc.base)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s refused: %v", tc.base, err)
		case !tc.ok && err == nil:
			t.Errorf("%s accepted", tc.base)
		case !tc.ok && !errors.Is(err, ErrForged):
			t.Errorf("%s refused with %v, want ErrForged", tc.base, err)
		}
	}
}

// TestPortalURLGuardAllowLocal: the demo's and tests' emulated portals are
// plain http on this machine.
func TestPortalURLGuardAllowLocal(t *testing.T) {
	for _, base := range []string{"http://localhost:8081", "http://127.0.0.1:8081", "https://portal"} {
		if err := (&Portal{AllowLocal: true}).checkPortalURL(base); err != nil {
			t.Errorf("%s refused with AllowLocal: %v", base, err)
		}
	}
}
