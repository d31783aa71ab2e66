package inbox

import (
	"context"
	"time"

	"switchboard/bitrix"
	"switchboard/db"
)

// chartHours is how many clock hours the counter's chart shows.
const chartHours = 24

// Usage is a channel's dialog counter for an administrator: this hour,
// this month, the last 24 hours (every hour, empty ones at zero), the
// limit, and what waits. ErrNotFound for anyone else, and for a channel
// that is not the portal's.
func (in *Inbox) Usage(ctx context.Context, v Viewer, channelID int64) (db.ChannelUsage, error) {
	if !v.IsAdmin {
		return db.ChannelUsage{}, ErrNotFound
	}
	ch, err := in.Store.Channel(ctx, v.PortalID, channelID)
	if err != nil {
		return db.ChannelUsage{}, err
	}
	rule, err := in.Store.ChannelPlan(ctx, v.PortalID, channelID)
	if err != nil {
		return db.ChannelUsage{}, err
	}
	loc, now := location(rule.TimeZone), in.Now()
	u := db.ChannelUsage{ChannelID: ch.ID, ChannelName: ch.Name, Rule: rule, Location: loc}
	hour := windowStart(PeriodHour, now, loc)
	from := hour.Add(-(chartHours - 1) * time.Hour)
	counts, err := in.Store.WindowCounts(ctx, v.PortalID, ch.ID, PeriodHour, from, hour)
	if err != nil {
		return db.ChannelUsage{}, err
	}
	byStart := make(map[int64]int, len(counts))
	for _, c := range counts {
		byStart[c.StartsAt.Unix()] = c.Dialogs
	}
	for i := range chartHours {
		at := from.Add(time.Duration(i) * time.Hour).In(loc)
		u.Hours = append(u.Hours, db.WindowCount{StartsAt: at, Dialogs: byStart[at.Unix()]})
	}
	u.ThisHour = u.Hours[chartHours-1].Dialogs
	month := windowStart(PeriodMonth, now, loc)
	months, err := in.Store.WindowCounts(ctx, v.PortalID, ch.ID, PeriodMonth, month, month)
	if err != nil {
		return db.ChannelUsage{}, err
	}
	if len(months) == 1 {
		u.ThisMonth = months[0].Dialogs
	}
	return u, in.Store.Waiting(ctx, v.PortalID, &u)
}

// SetLimit sets a channel's plan limit, for an administrator: limit
// dialogs per period (PeriodHour or PeriodMonth), 0 for none; ErrBadLimit
// for anything else, ErrNotFound for anyone but an administrator and for a
// channel that is not the portal's. What now fits is released at once.
func (in *Inbox) SetLimit(ctx context.Context, v Viewer, channelID int64, period string, limit int) error {
	if !v.IsAdmin {
		return ErrNotFound
	}
	if limit < 0 || limit > MaxPlanLimit || (period != PeriodHour && period != PeriodMonth) {
		return ErrBadLimit
	}
	hourly, monthly := limit, 0
	if period == PeriodMonth {
		hourly, monthly = 0, limit
	}
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		if err := tx.SetChannelLimits(ctx, v.PortalID, channelID, hourly, monthly); err != nil {
			return err
		}
		p, err := planOf(ctx, tx, v.PortalID, channelID)
		if err != nil {
			return err
		}
		_, err = in.release(ctx, tx, v.PortalID, channelID, p, in.Now())
		return err
	})
}

// adoptTimeZone makes an administrator's time zone (profile TIME_ZONE) the
// portal's, where its plan's hours and months begin. Bitrix24's REST gives
// no portal-wide zone (server.time has only an offset, no daylight saving),
// and an administrator is who set the portal up; a profile without a zone
// of its own (it follows the portal's default) changes nothing.
func (in *Inbox) adoptTimeZone(ctx context.Context, portalID int64, p *bitrix.Profile) error {
	zone := string(p.TimeZone)
	if !bool(p.Admin) || zone == "" {
		return nil
	}
	if _, err := time.LoadLocation(zone); err != nil {
		in.Log.Warn("a profile's time zone is unknown; the portal's stays", "portal", portalID, "zone", zone)
		return nil
	}
	return in.Store.SetPortalTimeZone(ctx, portalID, zone)
}
