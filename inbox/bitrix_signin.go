package inbox

import (
	"context"
	"errors"
	"fmt"

	"switchboard/bitrix"
	"switchboard/db"
)

// SignIn checks a placement or app page POST with its portal: the portal
// must be a known, enabled one whose member_id and DOMAIN match, the POST
// must carry its application token, and the portal itself must accept the
// AUTH_ID (profile). The Bitrix24 user is then upserted (name, photo, admin
// flag) with the team of the departments they head; an administrator's
// time zone becomes the portal's. Anything else is ErrForged. The viewer
// carries settings 6/7 as
// they apply to them.
func (in *Inbox) SignIn(ctx context.Context, pl *bitrix.Placement) (Viewer, error) {
	p, err := in.Store.PortalByMemberID(ctx, pl.MemberID)
	if errors.Is(err, db.ErrNotFound) {
		return Viewer{}, fmt.Errorf("%w: unknown portal %q", ErrForged, pl.MemberID)
	}
	if err != nil {
		return Viewer{}, err
	}
	switch {
	case !p.Enabled:
		return Viewer{}, fmt.Errorf("%w: portal %s uninstalled the app", ErrForged, p.MemberID)
	case pl.Domain != p.Domain:
		return Viewer{}, fmt.Errorf("%w: portal %s is %s, not %s", ErrForged, p.MemberID, p.Domain, pl.Domain)
	case !pl.VerifyApplicationToken(p.ApplicationToken):
		return Viewer{}, fmt.Errorf("%w: wrong application token for portal %s", ErrForged, p.MemberID)
	}
	pc := in.Portal.Client.AsUser(p.MemberID, p.BaseURL, pl.AuthID)
	profile, err := pc.Profile(ctx)
	if err != nil {
		return Viewer{}, fmt.Errorf("%w: %v", ErrForged, err)
	}
	if profile.ID == 0 {
		return Viewer{}, fmt.Errorf("%w: inactive user", ErrForged)
	}
	u, err := in.Store.UpsertUser(ctx, db.User{PortalID: p.ID, BitrixUserID: int64(profile.ID),
		Name: fullName(profile.Name, profile.LastName), PhotoURL: string(profile.PersonalPhoto),
		IsAdmin: bool(profile.Admin), CanUseApp: true})
	if err != nil {
		return Viewer{}, err
	}
	team := in.refreshTeam(ctx, pc, p.ID, u)
	if err := in.adoptTimeZone(ctx, p.ID, profile); err != nil {
		return Viewer{}, err
	}
	return viewerOf(p.ID, u.ID, u.IsAdmin, p.MemberID, p.BaseURL, p.Settings, team)
}
