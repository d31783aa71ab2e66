package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"switchboard/bitrix"
	"switchboard/db"
)

// HandleEvent applies an event Bitrix24 sent. Every event but ONAPPINSTALL
// must carry the portal's application token; ONAPPINSTALL's tokens are
// checked with the portal itself. A failed check is ErrForged and changes
// nothing.
func (in *Inbox) HandleEvent(ctx context.Context, ev *bitrix.Event) error {
	if ev.Name == bitrix.EventAppInstall {
		return in.installFromEvent(ctx, ev)
	}
	p, err := in.Store.PortalByMemberID(ctx, ev.Auth.MemberID)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("%w: event %s for unknown portal %q", ErrForged, ev.Name, ev.Auth.MemberID)
	}
	if err != nil {
		return err
	}
	if p.ApplicationToken == "" || !bitrix.VerifyApplicationToken(ev, p.ApplicationToken) {
		return fmt.Errorf("%w: event %s with a wrong application token for portal %s", ErrForged, ev.Name, p.MemberID)
	}
	switch ev.Name {
	case bitrix.EventAppUninstall:
		return in.uninstall(ctx, p)
	case bitrix.EventBotCommandAdd:
		return in.botCommand(ctx, p, ev)
	default:
		if strings.HasPrefix(ev.Name, "ONCRM") {
			in.Log.Debug("CRM changed", "portal", p.MemberID, "event", ev.Name, "id", ev.EntityID())
			return in.crmEvent(ctx, p, ev)
		}
		return nil
	}
}

// uninstall disables a portal (keeping its data) once the portal confirms
// the app is gone: every employee sees the application token in the pages
// Bitrix24 opens, so the token alone cannot be enough to switch a portal off.
func (in *Inbox) uninstall(ctx context.Context, p db.Portal) error {
	info, err := in.Portal.Client.Portal(p.MemberID, p.BaseURL).AppInfo(ctx)
	switch {
	case err == nil && bool(info.Installed):
		return fmt.Errorf("%w: ONAPPUNINSTALL, but portal %s says the app is installed", ErrForged, p.MemberID)
	case err != nil && !bitrix.IsAuthError(err) && !bitrix.NeedsReinstall(err) && !errors.Is(err, bitrix.ErrAccessDenied):
		return fmt.Errorf("inbox: unable to confirm the uninstall with portal %s: %w", p.MemberID, err)
	}
	in.Log.Info("app uninstalled; the portal's data is kept", "portal", p.MemberID)
	return in.Store.SetPortalEnabled(ctx, p.ID, false)
}

// installFromEvent stores the tokens ONAPPINSTALL carries, once the portal
// has accepted them.
func (in *Inbox) installFromEvent(ctx context.Context, ev *bitrix.Event) error {
	a := ev.Auth
	if a.MemberID == "" || a.AccessToken == "" || a.Domain == "" {
		return fmt.Errorf("%w: ONAPPINSTALL without member_id, domain or tokens", ErrForged)
	}
	base := a.BaseURL()
	known, err := in.Store.PortalByMemberID(ctx, a.MemberID)
	switch {
	case err == nil && known.Domain != a.Domain:
		return fmt.Errorf("%w: portal %s is %s, not %s", ErrForged, a.MemberID, known.Domain, a.Domain)
	case err == nil && known.ApplicationToken != "" && !bitrix.VerifyApplicationToken(ev, known.ApplicationToken):
		return fmt.Errorf("%w: ONAPPINSTALL for installed portal %s with another application token", ErrForged, a.MemberID)
	case err == nil:
		base = known.BaseURL
	case !errors.Is(err, db.ErrNotFound):
		return err
	}
	if err := in.Portal.checkPortalURL(base); err != nil {
		return err
	}
	profile, err := in.Portal.Client.AsUser(a.MemberID, base, a.AccessToken).Profile(ctx)
	if err != nil {
		return fmt.Errorf("%w: the portal refused ONAPPINSTALL's token: %v", ErrForged, err)
	}
	if !bool(profile.Admin) {
		return fmt.Errorf("%w: ONAPPINSTALL's token is not an administrator's", ErrForged)
	}
	t := a.Tokens()
	_, err = in.Store.UpsertPortal(ctx, db.Portal{Domain: a.Domain, MemberID: a.MemberID, BaseURL: base,
		AccessToken: t.Access, RefreshToken: t.Refresh, TokenExpiresAt: &t.Expires, ApplicationToken: a.ApplicationToken})
	return err
}
