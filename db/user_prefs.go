package db

import (
	"context"
	"fmt"
)

// SoundOff reports whether a user muted the sound of new messages;
// ErrNotFound when the portal has no such user.
func (s *Store) SoundOff(ctx context.Context, portalID, userID int64) (bool, error) {
	var off bool
	err := s.get(ctx, &off, `SELECT sound_off FROM users WHERE portal_id = $1 AND id = $2`, portalID, userID)
	if err != nil {
		return false, fmt.Errorf("db: unable to read the sound setting of user %d: %w", userID, notFound(err))
	}
	return off, nil
}

// SetSoundOff mutes (or unmutes) the sound of new messages for a user.
func (s *Store) SetSoundOff(ctx context.Context, portalID, userID int64, off bool) error {
	_, err := s.exec(ctx, `UPDATE users SET sound_off = $3 WHERE portal_id = $1 AND id = $2`, portalID, userID, off)
	if err != nil {
		return fmt.Errorf("db: unable to set the sound of user %d: %w", userID, err)
	}
	return nil
}
