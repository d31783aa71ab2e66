package inbox

import "context"

// SoundOn reports whether the viewer hears a sound on a new inbound
// message (on unless they muted it). Kept per user on the server: the app
// lives in the portal's iframe, where the browser may refuse it storage.
func (in *Inbox) SoundOn(ctx context.Context, v Viewer) (bool, error) {
	off, err := in.Store.SoundOff(ctx, v.PortalID, v.UserID)
	return !off, err
}

// SetSound turns the viewer's sound on or off, on every device.
func (in *Inbox) SetSound(ctx context.Context, v Viewer, on bool) error {
	return in.Store.SetSoundOff(ctx, v.PortalID, v.UserID, !on)
}
