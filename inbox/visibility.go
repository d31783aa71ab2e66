package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"switchboard/db"
)

// Who-sees-what values of setting 6.
const (
	SeeAll           = "all"
	SeeOwnUnassigned = "own_and_unassigned" // the default
	SeeOwn           = "own"
)

// Settings are a portal's admin settings (the part the rules read).
type Settings struct {
	Visibility string  `json:"visibility"` // setting 6
	SeeAllIDs  []int64 `json:"see_all"`    // setting 7: user ids (ours) who see every dialog
}

// Viewer is a signed-in manager.
type Viewer struct {
	PortalID int64
	UserID   int64
	IsAdmin  bool
}

// Visibility applies settings 6 and 7 to a viewer.
func (in *Inbox) Visibility(ctx context.Context, v Viewer) (db.Visibility, error) {
	p, err := in.Store.Portal(ctx, v.PortalID)
	if err != nil {
		return db.Visibility{}, err
	}
	var s Settings
	if len(p.Settings) > 0 {
		if err := json.Unmarshal(p.Settings, &s); err != nil {
			return db.Visibility{}, fmt.Errorf("inbox: portal %d has unreadable settings: %w", v.PortalID, err)
		}
	}
	return visibilityOf(s, v), nil
}

func visibilityOf(s Settings, v Viewer) db.Visibility {
	vis := db.Visibility{PortalID: v.PortalID, UserID: v.UserID}
	switch {
	case s.Visibility == SeeAll, slices.Contains(s.SeeAllIDs, v.UserID):
		vis.All = true
	case s.Visibility == SeeOwn:
	default:
		vis.Unassigned = true
	}
	return vis
}
