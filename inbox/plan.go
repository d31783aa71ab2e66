package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	// The portal's time zone decides where its hours and months begin: the
	// zone database goes with the binary, whatever the host has installed.
	_ "time/tzdata"

	"switchboard/db"
)

// The periods a channel counts its dialogs in, and a plan limits.
const (
	PeriodHour  = "hour"
	PeriodMonth = "month"
)

// JobRelease is the outbox job due when a channel's next window begins: it
// sends what waited for it, in order, as far as the limit lets.
const JobRelease = "limit_release"

// ReleasePayload is a JobRelease job's payload.
type ReleasePayload struct {
	ChannelID int64 `json:"channel_id"`
}

// MaxPlanLimit is the largest limit an administrator may set.
const MaxPlanLimit = 1_000_000

// ErrBadLimit is a plan limit that is not a whole number from 0 to
// MaxPlanLimit, or a period that is neither an hour nor a month.
var ErrBadLimit = errors.New("inbox: a plan limit is a number of dialogs per hour or per month")

// plan is a channel's limit as the rules apply it.
type plan struct {
	limit  int // 0: none
	period string
	zone   string
	loc    *time.Location
}

// planOf reads the limit of a channel and the portal's time zone.
func planOf(ctx context.Context, tx *db.Store, portalID, channelID int64) (plan, error) {
	r, err := tx.ChannelPlan(ctx, portalID, channelID)
	if err != nil {
		return plan{}, err
	}
	p := plan{period: PeriodHour, limit: r.HourlyLimit, zone: r.TimeZone, loc: location(r.TimeZone)}
	if r.MonthlyLimit > 0 {
		p.period, p.limit = PeriodMonth, r.MonthlyLimit
	}
	return p, nil
}

// location is the time zone of an IANA name; UTC for "" or a name the zone
// database does not know (names are checked before they are stored).
func location(zone string) *time.Location {
	if loc, err := time.LoadLocation(zone); err == nil && zone != "" {
		return loc
	}
	return time.UTC
}

// windowStart is the start of the clock hour or calendar month that holds
// t, in loc. The hour is found by going back the minutes past it, so a zone
// half an hour off UTC has its own hours.
func windowStart(period string, t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	if period == PeriodMonth {
		return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	}
	return l.Add(-time.Duration(l.Minute())*time.Minute - time.Duration(l.Second())*time.Second - time.Duration(l.Nanosecond()))
}

// windowAfter is the start of the window after the one that starts at start.
func windowAfter(period string, start time.Time, loc *time.Location) time.Time {
	if period == PeriodMonth {
		l := start.In(loc)
		return time.Date(l.Year(), l.Month()+1, 1, 0, 0, 0, 0, loc)
	}
	return start.Add(time.Hour)
}

// windows are the hour and the month that hold now: every answered dialog
// counts in both.
func (p plan) windows(now time.Time) []db.Window {
	return []db.Window{
		{Period: PeriodHour, StartsAt: windowStart(PeriodHour, now, p.loc)},
		{Period: PeriodMonth, StartsAt: windowStart(PeriodMonth, now, p.loc)},
	}
}

// window is the window of the limited period that holds now.
func (p plan) window(now time.Time) db.Window {
	return db.Window{Period: p.period, StartsAt: windowStart(p.period, now, p.loc)}
}

// pause is what a message that waits from now on says.
func (p plan) pause(now time.Time) db.Pause {
	until := windowAfter(p.period, windowStart(p.period, now, p.loc), p.loc)
	return db.Pause{Until: until, Limit: p.limit, Period: p.period, TimeZone: p.zone}
}

// admit decides, in the send's transaction, whether a dialog's new
// messages go out now (nil) or wait (the pause they wait with). A dialog
// the window counted already always goes; a new one takes a free slot of
// the limit, behind the dialogs waiting longer; with no slot, it waits.
// The dialog is counted when it goes.
func (in *Inbox) admit(ctx context.Context, tx *db.Store, d db.DialogRow, now time.Time) (*db.Pause, error) {
	p, err := planOf(ctx, tx, d.PortalID, d.ChannelID)
	if err != nil {
		return nil, err
	}
	st, err := tx.Standing(ctx, d.PortalID, d.ChannelID, p.window(now), d.ID)
	if err != nil {
		return nil, err
	}
	if !st.Paused && (p.limit == 0 || st.Counted) {
		return nil, tx.CountDialogs(ctx, d.PortalID, d.ChannelID, p.windows(now), []int64{d.ID}, now)
	}
	// The slow way, under the window's lock: what waited longer goes first.
	free, err := in.release(ctx, tx, d.PortalID, d.ChannelID, p, now)
	if err != nil {
		return nil, err
	}
	if st, err = tx.Standing(ctx, d.PortalID, d.ChannelID, p.window(now), d.ID); err != nil {
		return nil, err
	}
	if !st.Counted && free <= 0 {
		pause := p.pause(now)
		return &pause, tx.EnqueueOnce(ctx, d.PortalID, JobRelease, ReleasePayload{ChannelID: d.ChannelID}, pause.Until)
	}
	return nil, tx.CountDialogs(ctx, d.PortalID, d.ChannelID, p.windows(now), []int64{d.ID}, now)
}

// release sends what waits on a channel as far as its limit lets, in the
// caller's transaction, with the channel's current windows locked: each
// waiting dialog in turn, the one waiting longest first; a dialog the
// window counted already takes no slot. What still waits is told the next
// window, and a JobRelease is due then. It returns the slots left.
func (in *Inbox) release(ctx context.Context, tx *db.Store, portalID, channelID int64, p plan, now time.Time) (int, error) {
	counts, err := tx.LockWindows(ctx, portalID, channelID, p.windows(now))
	if err != nil {
		return 0, err
	}
	free := math.MaxInt
	if p.limit > 0 {
		free = p.limit - counts[p.period]
	}
	waiting, err := tx.WaitingDialogs(ctx, portalID, channelID, p.window(now))
	if err != nil {
		return 0, err
	}
	left := false
	for _, w := range waiting {
		if !w.Counted && free <= 0 {
			left = true
			continue
		}
		if !w.Counted {
			free--
		}
		if err := in.releaseDialog(ctx, tx, portalID, channelID, w.DialogID, p, now); err != nil {
			return 0, err
		}
	}
	if !left {
		return free, nil
	}
	pause := p.pause(now)
	moved, err := tx.Repause(ctx, portalID, channelID, pause)
	if err != nil {
		return 0, err
	}
	events := make([]Event, 0, len(moved))
	for _, m := range moved {
		events = append(events, Event{Portal: portalID, Dialog: m.DialogID, Message: m.ID, Kind: EventStatus})
	}
	if err := tx.LogEvents(ctx, now, events...); err != nil {
		return 0, err
	}
	return free, tx.EnqueueOnce(ctx, portalID, JobRelease, ReleasePayload{ChannelID: channelID}, pause.Until)
}

// releaseDialog counts a waiting dialog and queues its paused messages'
// sends, in the order they were written, and their timeline comments (a
// message that waits is not in the CRM's queue: a month's pause of many
// dialogs would hold up every timeline of the portal).
func (in *Inbox) releaseDialog(ctx context.Context, tx *db.Store, portalID, channelID, dialogID int64, p plan, now time.Time) error {
	if err := tx.CountDialogs(ctx, portalID, channelID, p.windows(now), []int64{dialogID}, now); err != nil {
		return err
	}
	ids, err := tx.ReleaseDialog(ctx, portalID, dialogID)
	if err != nil {
		return err
	}
	events := make([]Event, 0, len(ids))
	for _, id := range ids {
		if err := tx.Enqueue(ctx, portalID, JobSend, SendPayload{MessageID: id}, now); err != nil {
			return err
		}
		events = append(events, Event{Portal: portalID, Dialog: dialogID, Message: id, Kind: EventStatus})
	}
	if err := in.queueTimeline(ctx, tx, portalID, ids); err != nil {
		return err
	}
	return tx.LogEvents(ctx, now, events...)
}

// runRelease is a JobRelease: the window it waited for has begun.
func (in *Inbox) runRelease(ctx context.Context, j db.Job) error {
	var rp ReleasePayload
	if err := json.Unmarshal(j.Payload, &rp); err != nil {
		return errPermanent{fmt.Errorf("inbox: bad %s payload: %w", j.Kind, err)}
	}
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		now := in.Now()
		p, err := planOf(ctx, tx, j.PortalID, rp.ChannelID)
		if err != nil {
			return err
		}
		_, err = in.release(ctx, tx, j.PortalID, rp.ChannelID, p, now)
		return err
	})
}

// countEchoes counts the dialogs of the messages a channel's own phone sent
// (mirrored in by a webhook): the company answered them, whatever the
// limit, which only holds back what the app sends. A dialog counted so
// gets out what it had waiting.
func (in *Inbox) countEchoes(ctx context.Context, tx *db.Store, ch db.Channel, dialogIDs []int64, now time.Time) error {
	if len(dialogIDs) == 0 {
		return nil
	}
	p, err := planOf(ctx, tx, ch.PortalID, ch.ID)
	if err != nil {
		return err
	}
	if err := tx.CountDialogs(ctx, ch.PortalID, ch.ID, p.windows(now), dialogIDs, now); err != nil || p.limit == 0 {
		return err
	}
	_, err = in.release(ctx, tx, ch.PortalID, ch.ID, p, now)
	return err
}
