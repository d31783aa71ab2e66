package db

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/lib/pq"
)

// Window is one counting window of a channel: a clock hour or a calendar
// month, named by its start (in the portal's time zone, stored as an
// instant).
type Window struct {
	Period   string // "hour" or "month"
	StartsAt time.Time
}

// PlanRule is what limits a channel: at most one of the limits is set (a
// CHECK says so), 0 is none; TimeZone is the portal's, where its windows
// begin ("" is UTC).
type PlanRule struct {
	HourlyLimit  int    `db:"hourly_limit"`
	MonthlyLimit int    `db:"monthly_limit"`
	TimeZone     string `db:"time_zone"`
}

// ChannelPlan reads a portal's channel's limits and the portal's time zone;
// ErrNotFound when the channel is not the portal's.
func (s *Store) ChannelPlan(ctx context.Context, portalID, channelID int64) (PlanRule, error) {
	var r PlanRule
	err := s.get(ctx, &r, `SELECT c.hourly_limit, c.monthly_limit, p.time_zone
		FROM channels c JOIN portals p ON p.id = c.portal_id WHERE c.portal_id = $1 AND c.id = $2`, portalID, channelID)
	if err != nil {
		return r, fmt.Errorf("db: unable to read the plan of channel %d: %w", channelID, notFound(err))
	}
	return r, nil
}

// SetChannelLimits sets a portal's channel's limits (one of them, or none);
// ErrNotFound when the channel is not the portal's.
func (s *Store) SetChannelLimits(ctx context.Context, portalID, channelID int64, hourly, monthly int) error {
	res, err := s.exec(ctx, `UPDATE channels SET hourly_limit = $3, monthly_limit = $4 WHERE portal_id = $1 AND id = $2`,
		portalID, channelID, hourly, monthly)
	if err != nil {
		return fmt.Errorf("db: unable to set the limits of channel %d: %w", channelID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("db: unable to set the limits of channel %d: %w", channelID, ErrNotFound)
	}
	return nil
}

// SetPortalTimeZone records the portal's time zone (an IANA name the caller
// checked) when it changed.
func (s *Store) SetPortalTimeZone(ctx context.Context, portalID int64, zone string) error {
	_, err := s.exec(ctx, `UPDATE portals SET time_zone = $2 WHERE id = $1 AND time_zone <> $2`, portalID, zone)
	if err != nil {
		return fmt.Errorf("db: unable to set the time zone of portal %d: %w", portalID, err)
	}
	return nil
}

// CountDialogs counts each dialog once in each window: a dialog a window
// already counted is left as it is. The windows are locked first
// (LockWindows), so every counting transaction takes its locks in one
// order: windows, then the dialogs' rows.
func (s *Store) CountDialogs(ctx context.Context, portalID, channelID int64, windows []Window, dialogIDs []int64, at time.Time) error {
	if len(dialogIDs) == 0 {
		return nil
	}
	if _, err := s.LockWindows(ctx, portalID, channelID, windows); err != nil {
		return err
	}
	var periods []string
	var starts []time.Time
	var dialogs []int64
	for _, w := range sortedWindows(windows) {
		for _, d := range dialogIDs {
			periods, starts, dialogs = append(periods, w.Period), append(starts, w.StartsAt), append(dialogs, d)
		}
	}
	_, err := s.exec(ctx, `
		WITH fresh AS (
			INSERT INTO counted_dialogs (portal_id, channel_id, period, starts_at, dialog_id, counted_at)
			SELECT $1, $2, p, t, d, $6 FROM unnest($3::text[], $4::timestamptz[], $5::bigint[]) AS v(p, t, d)
			ON CONFLICT DO NOTHING
			RETURNING period, starts_at)
		INSERT INTO dialog_windows (portal_id, channel_id, period, starts_at, dialogs)
		SELECT $1, $2, period, starts_at, count(*) FROM fresh GROUP BY period, starts_at ORDER BY period, starts_at
		ON CONFLICT (channel_id, period, starts_at) DO UPDATE SET dialogs = dialog_windows.dialogs + EXCLUDED.dialogs`,
		portalID, channelID, pq.Array(periods), pq.Array(starts), pq.Array(dialogs), at)
	if err != nil {
		return fmt.Errorf("db: unable to count %d dialogs of channel %d: %w", len(dialogIDs), channelID, err)
	}
	return nil
}

// LockWindows takes the channel's windows for the rest of the transaction
// (created at zero when new) and returns how many dialogs each counted, by
// period. Windows are always locked hour before month, the order
// CountDialogs writes them in, so two transactions never deadlock.
func (s *Store) LockWindows(ctx context.Context, portalID, channelID int64, windows []Window) (map[string]int, error) {
	ws := sortedWindows(windows)
	periods, starts := make([]string, len(ws)), make([]time.Time, len(ws))
	for i, w := range ws {
		periods[i], starts[i] = w.Period, w.StartsAt
	}
	_, err := s.exec(ctx, `INSERT INTO dialog_windows (portal_id, channel_id, period, starts_at)
		SELECT $1, $2, p, t FROM unnest($3::text[], $4::timestamptz[]) AS v(p, t) ORDER BY p, t
		ON CONFLICT DO NOTHING`, portalID, channelID, pq.Array(periods), pq.Array(starts))
	if err != nil {
		return nil, fmt.Errorf("db: unable to open the windows of channel %d: %w", channelID, err)
	}
	var rows []struct {
		Period  string `db:"period"`
		Dialogs int    `db:"dialogs"`
	}
	err = s.all(ctx, &rows, `SELECT w.period, w.dialogs FROM dialog_windows w
		JOIN unnest($2::text[], $3::timestamptz[]) AS v(p, t) ON w.period = v.p AND w.starts_at = v.t
		WHERE w.portal_id = $4 AND w.channel_id = $1 ORDER BY w.period, w.starts_at FOR UPDATE OF w`,
		channelID, pq.Array(periods), pq.Array(starts), portalID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to lock the windows of channel %d: %w", channelID, err)
	}
	counts := make(map[string]int, len(rows))
	for _, r := range rows {
		counts[r.Period] = r.Dialogs
	}
	return counts, nil
}

// sortedWindows is windows hour first, then month, each by start.
func sortedWindows(windows []Window) []Window {
	ws := append([]Window(nil), windows...)
	sort.Slice(ws, func(i, j int) bool {
		if ws[i].Period != ws[j].Period {
			return ws[i].Period < ws[j].Period
		}
		return ws[i].StartsAt.Before(ws[j].StartsAt)
	})
	return ws
}

// DialogStanding is where a dialog stands with its channel's limit.
type DialogStanding struct {
	Counted bool `db:"counted"` // the window counted it already
	Paused  bool `db:"paused"`  // it has messages waiting
}

// Standing tells whether window w counted the dialog and whether it has
// messages waiting.
func (s *Store) Standing(ctx context.Context, portalID, channelID int64, w Window, dialogID int64) (DialogStanding, error) {
	var st DialogStanding
	err := s.get(ctx, &st, `SELECT
		EXISTS (SELECT 1 FROM counted_dialogs WHERE portal_id = $5 AND channel_id = $1 AND period = $2 AND starts_at = $3 AND dialog_id = $4) AS counted,
		EXISTS (SELECT 1 FROM paused_messages WHERE portal_id = $5 AND dialog_id = $4) AS paused`, channelID, w.Period, w.StartsAt, dialogID, portalID)
	if err != nil {
		return st, fmt.Errorf("db: unable to read the standing of dialog %d: %w", dialogID, err)
	}
	return st, nil
}

// WaitingDialog is a dialog with paused messages.
type WaitingDialog struct {
	DialogID int64 `db:"dialog_id"`
	Counted  bool  `db:"counted"` // window w (WaitingDialogs) counted it already
}

// WaitingDialogs lists the channel's dialogs with paused messages, the one
// waiting longest first, and whether window w counted each.
func (s *Store) WaitingDialogs(ctx context.Context, portalID, channelID int64, w Window) ([]WaitingDialog, error) {
	var ds []WaitingDialog
	err := s.all(ctx, &ds, `SELECT pm.dialog_id, EXISTS (SELECT 1 FROM counted_dialogs c
			WHERE c.portal_id = $1 AND c.channel_id = $2 AND c.period = $3 AND c.starts_at = $4 AND c.dialog_id = pm.dialog_id) AS counted
		FROM paused_messages pm WHERE pm.portal_id = $1 AND pm.channel_id = $2
		GROUP BY pm.dialog_id ORDER BY min(pm.message_id)`, portalID, channelID, w.Period, w.StartsAt)
	if err != nil {
		return nil, fmt.Errorf("db: unable to list the waiting dialogs of channel %d: %w", channelID, err)
	}
	return ds, nil
}

// Pause is why an outgoing message waits: until when, and the limit of
// which period, with the time zone that reads the time.
type Pause struct {
	Until    time.Time `db:"until"`
	Limit    int       `db:"plan_limit"`
	Period   string    `db:"period"`
	TimeZone string    `db:"time_zone"`
}

// PauseMessage records why a message stored "paused" waits.
func (s *Store) PauseMessage(ctx context.Context, portalID, channelID, dialogID, msgID int64, p Pause, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO paused_messages (portal_id, message_id, channel_id, dialog_id, until, plan_limit, period, time_zone, paused_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, portalID, msgID, channelID, dialogID, p.Until, p.Limit, p.Period, p.TimeZone, at)
	if err != nil {
		return fmt.Errorf("db: unable to pause message %d: %w", msgID, err)
	}
	return nil
}

// ReleaseDialog moves a dialog's paused messages back to "queued" and
// returns their ids in sending order.
func (s *Store) ReleaseDialog(ctx context.Context, portalID, dialogID int64) ([]int64, error) {
	var ids []int64
	err := s.all(ctx, &ids, `WITH gone AS (
			DELETE FROM paused_messages WHERE portal_id = $1 AND dialog_id = $2 RETURNING message_id)
		UPDATE messages SET status = 'queued', updated_at = now()
		WHERE id IN (SELECT message_id FROM gone) AND `+byID("messages", "$1")+` AND status = 'paused' RETURNING id`, portalID, dialogID)
	if err != nil {
		return nil, fmt.Errorf("db: unable to release dialog %d: %w", dialogID, err)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// Repause moves what still waits on a channel to a new pause (the next
// window, or a changed limit) and returns the messages it moved.
func (s *Store) Repause(ctx context.Context, portalID, channelID int64, p Pause) ([]MessageRef, error) {
	var refs []MessageRef
	err := s.all(ctx, &refs, `UPDATE paused_messages SET until = $3, plan_limit = $4, period = $5, time_zone = $6
		WHERE portal_id = $1 AND channel_id = $2 AND (until, plan_limit, period, time_zone) <> ($3, $4, $5, $6)
		RETURNING message_id AS id, dialog_id`, portalID, channelID, p.Until, p.Limit, p.Period, p.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("db: unable to move the pause of channel %d: %w", channelID, err)
	}
	return refs, nil
}

// EnqueueOnce adds a job due at runAt unless the same job (kind, payload,
// due time) already waits: the caller serialises its callers (a lock) so
// the check cannot race.
func (s *Store) EnqueueOnce(ctx context.Context, portalID int64, kind string, payload any, runAt time.Time) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("db: unable to encode %s job: %w", kind, err)
	}
	_, err = s.exec(ctx, `INSERT INTO outbox (portal_id, kind, payload, run_at)
		SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM outbox
			WHERE run_at = $4 AND done_at IS NULL AND portal_id = $1 AND kind = $2 AND payload = $3::jsonb)`,
		portalID, kind, string(body), runAt)
	if err != nil {
		return fmt.Errorf("db: unable to enqueue %s job: %w", kind, err)
	}
	return nil
}

// WindowCount is how many dialogs one window counted.
type WindowCount struct {
	StartsAt time.Time `db:"starts_at"`
	Dialogs  int       `db:"dialogs"`
}

// ChannelUsage is a channel's counter as its settings show it.
type ChannelUsage struct {
	ChannelID   int64
	ChannelName string
	Rule        PlanRule
	// Location reads the times; ThisHour and ThisMonth are the current
	// windows' counts; Hours the last 24 clock hours, oldest first, the
	// current one last.
	Location  *time.Location
	ThisHour  int
	ThisMonth int
	Hours     []WindowCount
	// What waits for the next window: dialogs, their messages, and since
	// when the oldest waits.
	Waiting         int
	WaitingMessages int
	WaitingSince    *time.Time
}

// WindowCounts reads the counts of a channel's windows of period that start
// in [from, to].
func (s *Store) WindowCounts(ctx context.Context, portalID, channelID int64, period string, from, to time.Time) ([]WindowCount, error) {
	var ws []WindowCount
	err := s.all(ctx, &ws, `SELECT starts_at, dialogs FROM dialog_windows
		WHERE portal_id = $1 AND channel_id = $2 AND period = $3 AND starts_at BETWEEN $4 AND $5 ORDER BY starts_at`,
		portalID, channelID, period, from, to)
	if err != nil {
		return nil, fmt.Errorf("db: unable to read the counter of channel %d: %w", channelID, err)
	}
	return ws, nil
}

// Waiting fills u's waiting dialogs and messages and since when.
func (s *Store) Waiting(ctx context.Context, portalID int64, u *ChannelUsage) error {
	var w struct {
		Dialogs  int        `db:"dialogs"`
		Messages int        `db:"messages"`
		Since    *time.Time `db:"since"`
	}
	err := s.get(ctx, &w, `SELECT count(DISTINCT dialog_id) AS dialogs, count(*) AS messages, min(paused_at) AS since
		FROM paused_messages WHERE portal_id = $1 AND channel_id = $2`, portalID, u.ChannelID)
	if err != nil {
		return fmt.Errorf("db: unable to read what waits on channel %d: %w", u.ChannelID, err)
	}
	u.Waiting, u.WaitingMessages, u.WaitingSince = w.Dialogs, w.Messages, w.Since
	return nil
}
