package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"switchboard/db"
)

// ErrNotFound is a row that does not exist, is another portal's, or is
// hidden from the viewer: every "not yours" looks the same.
var ErrNotFound = db.ErrNotFound

// ErrNoAccess is a user who may not use the app: unknown on the portal,
// not allowed, or on a portal that uninstalled it.
var ErrNoAccess = errors.New("inbox: no access to the app")

// Viewer is a signed-in manager, with what they may see decided once per
// request (Authorize, SignIn).
type Viewer struct {
	PortalID int64
	UserID   int64
	IsAdmin  bool
	// PortalURL is the portal's address: the one site that may frame our
	// pages for this viewer.
	PortalURL string

	// CanConfigure: a Bitrix24 administrator, or one of setting 7's, who
	// may open the settings page.
	CanConfigure bool

	memberID string
	vis      *db.Visibility
}

// Authorize reads who a request's credentials name, with their portal in
// one query: ErrNoAccess unless the user may use the app on an enabled
// portal. The viewer carries settings 6/7 as they apply to them.
func (in *Inbox) Authorize(ctx context.Context, portalID, userID int64) (Viewer, error) {
	a, err := in.Store.Access(ctx, portalID, userID)
	if errors.Is(err, db.ErrNotFound) {
		return Viewer{}, fmt.Errorf("%w: user %d of portal %d is unknown", ErrNoAccess, userID, portalID)
	}
	if err != nil {
		return Viewer{}, err
	}
	if !a.CanUseApp || !a.Enabled {
		return Viewer{}, fmt.Errorf("%w: user %d of portal %d", ErrNoAccess, userID, portalID)
	}
	return viewerOf(portalID, userID, a.IsAdmin, a.MemberID, a.BaseURL, a.Settings, a.Team)
}

// viewerOf builds a viewer and decides what they may see.
func viewerOf(portalID, userID int64, admin bool, memberID, baseURL string, settings json.RawMessage, team []int64) (Viewer, error) {
	v := Viewer{PortalID: portalID, UserID: userID, IsAdmin: admin, PortalURL: baseURL, memberID: memberID}
	s, err := settingsOf(settings)
	if err != nil {
		return Viewer{}, fmt.Errorf("inbox: portal %d: %w", portalID, err)
	}
	v.CanConfigure = admin || slices.Contains(s.SeeAllIDs, userID)
	vis := visibilityOf(s, v, team)
	v.vis = &vis
	return v, nil
}

// visibility is what v may see: decided by Authorize or SignIn, else read
// from the portal's settings now.
func (in *Inbox) visibility(ctx context.Context, v Viewer) (db.Visibility, error) {
	if v.vis != nil {
		return *v.vis, nil
	}
	a, err := in.Store.Access(ctx, v.PortalID, v.UserID)
	if err != nil {
		return db.Visibility{}, err
	}
	full, err := viewerOf(v.PortalID, v.UserID, v.IsAdmin, a.MemberID, a.BaseURL, a.Settings, a.Team)
	if err != nil {
		return db.Visibility{}, err
	}
	return *full.vis, nil
}

// visibilityOf is the one place settings 6 and 7 become what a viewer sees;
// team is who works in the departments they head.
func visibilityOf(s Settings, v Viewer, team []int64) db.Visibility {
	vis := db.Visibility{PortalID: v.PortalID, UserID: v.UserID}
	switch {
	case s.Visibility == SeeAll, slices.Contains(s.SeeAllIDs, v.UserID):
		vis.All = true
	case s.Visibility == SeeOwn:
	case s.Visibility == SeeOwnDepartment:
		vis.Team = slices.DeleteFunc(slices.Clone(team), func(id int64) bool { return id == v.UserID })
		slices.Sort(vis.Team)
	default:
		vis.Unassigned = true
	}
	return vis
}

// conversationOf is a client's row as vis sees it, from all the client's
// dialogs (newest activity first): the newest dialog vis sees, with the
// unread count of all those it sees; nil when it sees none. The same rule
// as db.Store.Conversations, in memory, for live streams.
func conversationOf(vis db.Visibility, dialogs []db.DialogRow) *db.DialogRow {
	var row *db.DialogRow
	unread := 0
	for i := range dialogs {
		if !vis.Sees(dialogs[i].ResponsibleUserID) {
			continue
		}
		if row == nil {
			r := dialogs[i]
			row = &r
		}
		unread += dialogs[i].UnreadCount
	}
	if row != nil {
		row.UnreadCount = unread
	}
	return row
}
