package views

import (
	"context"
	"strconv"
	"time"

	"switchboard/db"
)

// PlanData is a channel's dialog counter in its settings, with the limit's
// form: what the administrator typed back after a refusal, and the outcome.
type PlanData struct {
	Usage   db.ChannelUsage
	Period  string // "hour" or "month"
	Limit   string
	Saved   bool
	Refused bool
}

// NewPlanData is the counter with its form showing the stored limit.
func NewPlanData(u db.ChannelUsage) PlanData {
	d := PlanData{Usage: u, Period: "hour", Limit: strconv.Itoa(u.Rule.HourlyLimit)}
	if u.Rule.MonthlyLimit > 0 {
		d.Period, d.Limit = "month", strconv.Itoa(u.Rule.MonthlyLimit)
	}
	return d
}

func planURL(channelID int64) string { return "/settings/channels/" + id(channelID) }

// zoneOf is the location of a stored time zone name ("" is UTC).
func zoneOf(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

// untilText is when a pause ends, in the portal's time zone (the page shows
// it in the viewer's own, as every time): the time for an hour's pause, the
// day and time for a month's.
func untilText(ctx context.Context, m db.Message) string {
	t := m.PausedUntil.In(zoneOf(m.PauseZone))
	if m.PausePeriod != "month" {
		return t.Format("15:04")
	}
	if langOf(ctx) == "ru" {
		return t.Format("02.01.2006 15:04")
	}
	return t.Format("Jan 2, 2006 15:04")
}

// limitOfText is the limit a pause waits for: "— plan limit of 20 dialogs
// per hour."
func limitOfText(ctx context.Context, m db.Message) string {
	return Tf(ctx, "plan.limit_of."+periodKey(m.PausePeriod), Plural(ctx, "count.dialogs", int64(m.PauseLimit)))
}

func periodKey(period string) string {
	if period == "month" {
		return "month"
	}
	return "hour"
}

// firstPaused is the first of ms that waits for the plan limit, or nil.
func firstPaused(ms []db.Message) *db.Message {
	for i := range ms {
		if ms[i].PausedUntil != nil {
			return &ms[i]
		}
	}
	return nil
}

// pausedOrNil is m when it waits for the plan limit.
func pausedOrNil(m *db.Message) *db.Message {
	if m.PausedUntil == nil {
		return nil
	}
	return m
}

// dialogOf is the dialog of the messages just sent (0 for none).
func dialogOf(ms []db.Message) int64 {
	if len(ms) == 0 {
		return 0
	}
	return ms[0].DialogID
}

// limitText is the channel's limit in words.
func limitText(ctx context.Context, r db.PlanRule) string {
	switch {
	case r.HourlyLimit > 0:
		return Tf(ctx, "plan.limit.hour", Plural(ctx, "count.dialogs", int64(r.HourlyLimit)))
	case r.MonthlyLimit > 0:
		return Tf(ctx, "plan.limit.month", Plural(ctx, "count.dialogs", int64(r.MonthlyLimit)))
	}
	return T(ctx, "plan.no_limit")
}

// waitingText says what waits for the next window, and since when.
func waitingText(ctx context.Context, u db.ChannelUsage) string {
	if u.Waiting == 0 || u.WaitingSince == nil {
		return T(ctx, "plan.waiting.none")
	}
	since, today := u.WaitingSince.In(u.Location), u.Hours[len(u.Hours)-1].StartsAt.In(u.Location)
	format := "15:04"
	if since.YearDay() != today.YearDay() || since.Year() != today.Year() {
		format = "02.01.2006 15:04"
	}
	return Tf(ctx, "plan.waiting", Plural(ctx, "count.dialogs", int64(u.Waiting)),
		Plural(ctx, "count.messages", int64(u.WaitingMessages)), since.Format(format))
}

// The chart's geometry, in SVG user units.
const (
	chartBarWidth = 16
	chartGap      = 4
	chartHeight   = 80
	chartTop      = 12 // room for the counts above the bars
	chartLabels   = 14 // room for the hours below them
)

// chartBar is one hour of the chart.
type chartBar struct {
	X, Y, Height int
	Hour         string // "15", under every sixth bar and the current one
	Count        int
	Title        string // "15:00 — 20 dialogs"
}

// chartBars lays out the last 24 hours, scaled to the busiest hour or the
// hourly limit, whichever is higher.
func chartBars(ctx context.Context, u db.ChannelUsage) []chartBar {
	top := max(u.Rule.HourlyLimit, 1)
	for _, h := range u.Hours {
		top = max(top, h.Dialogs)
	}
	bars := make([]chartBar, len(u.Hours))
	for i, h := range u.Hours {
		height := h.Dialogs * chartHeight / top
		if h.Dialogs > 0 {
			height = max(height, 2)
		}
		start := h.StartsAt.In(u.Location)
		b := chartBar{X: i * (chartBarWidth + chartGap), Y: chartTop + chartHeight - height, Height: height, Count: h.Dialogs,
			Title: start.Format("15:04") + " — " + Plural(ctx, "count.dialogs", int64(h.Dialogs))}
		if i%6 == 5 || i == len(u.Hours)-1 {
			b.Hour = start.Format("15")
		}
		bars[i] = b
	}
	return bars
}

// limitLineY is where the hourly limit's line crosses the chart (0: none).
func limitLineY(u db.ChannelUsage) int {
	if u.Rule.HourlyLimit == 0 {
		return 0
	}
	top := u.Rule.HourlyLimit
	for _, h := range u.Hours {
		top = max(top, h.Dialogs)
	}
	return chartTop + chartHeight - u.Rule.HourlyLimit*chartHeight/top
}

func chartWidth(n int) int { return n*(chartBarWidth+chartGap) - chartGap }

func itoa(n int) string { return strconv.Itoa(n) }
