package inbox

import "context"

// SoundOn reports whether the viewer hears a sound on a new inbound
// message (on unless they muted it). Kept per user on the server rather
// than in the browser: it follows the user to each device, and two people
// sharing a computer keep their own.
func (in *Inbox) SoundOn(ctx context.Context, v Viewer) (bool, error) {
	off, err := in.Store.SoundOff(ctx, v.PortalID, v.UserID)
	return !off, err
}

// SetSound turns the viewer's sound on or off, on every device.
func (in *Inbox) SetSound(ctx context.Context, v Viewer, on bool) error {
	return in.Store.SetSoundOff(ctx, v.PortalID, v.UserID, !on)
}
