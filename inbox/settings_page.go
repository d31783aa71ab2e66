package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"switchboard/bitrix"
	"switchboard/db"
)

// ErrNotAdmin is a user who may use the app but not configure it: only
// Bitrix24 administrators and the users of setting 7 may.
var ErrNotAdmin = errors.New("inbox: only administrators may change the settings")

// EventSettings tells every open page of a portal that its settings
// changed: each stream reads its viewer's visibility again.
const EventSettings = "settings"

// SettingsPage is what the settings page shows: the settings, the
// channels, and the portal's own directories to choose from.
type SettingsPage struct {
	Settings Settings
	// SeeAll are setting 7's users, as Bitrix24 ids (the page's choices).
	SeeAll   []int64
	Channels []db.Channel
	Portal   Directories
	// NotifyMembers are the notification chat's members (Bitrix24 ids);
	// NotifyOwner is the user through whom the app manages the chat, who
	// cannot be removed.
	NotifyMembers []int64
	NotifyOwner   int64
	// NotifyUnread: Bitrix24 did not tell the chat's members just now; the
	// rest of the page stands.
	NotifyUnread bool
}

// Directories are the portal's lists the settings choose from, read from
// Bitrix24 when the page opens, never typed in.
type Directories = bitrix.Directories

// userName is a directory user's name as the page shows it ("" for none).
func userName(d Directories, id int64) string {
	for _, u := range d.Users {
		if int64(u.ID) == id {
			return fullName(u.Name, u.LastName)
		}
	}
	return ""
}

// admin checks that v may configure the app, with settings read now (a
// viewer of a minute ago may have lost the right).
func (in *Inbox) admin(ctx context.Context, v Viewer) (db.Portal, Settings, error) {
	p, err := in.Store.Portal(ctx, v.PortalID)
	if err != nil {
		return p, Settings{}, err
	}
	u, err := in.Store.User(ctx, v.PortalID, v.UserID)
	if err != nil {
		return p, Settings{}, err
	}
	s, err := settingsOf(p.Settings)
	if err != nil {
		return p, s, err
	}
	if !u.IsAdmin && !slices.Contains(s.SeeAllIDs, u.ID) {
		return p, s, fmt.Errorf("%w: user %d of portal %d", ErrNotAdmin, v.UserID, v.PortalID)
	}
	return p, s, nil
}

// Configure reads the settings page for an administrator (ErrNotAdmin for
// anyone else): the settings, the channels, and the portal's pipelines,
// stages, sources, users and notification chat members from Bitrix24.
func (in *Inbox) Configure(ctx context.Context, v Viewer) (SettingsPage, error) {
	p, s, err := in.admin(ctx, v)
	if err != nil {
		return SettingsPage{}, err
	}
	page := SettingsPage{Settings: s}
	if page.Channels, err = in.Store.PortalChannels(ctx, p.ID); err != nil {
		return page, err
	}
	us, err := in.Store.UsersByID(ctx, p.ID, s.SeeAllIDs)
	if err != nil {
		return page, err
	}
	for _, u := range us {
		page.SeeAll = append(page.SeeAll, u.BitrixUserID)
	}
	if page.Portal, err = in.directories(ctx, p); err != nil {
		return page, err
	}
	page.NotifyMembers, page.NotifyOwner, err = in.notifyMembers(ctx, p)
	if errors.Is(err, errMembersUnread) { // one section of the page, not all of it
		in.Log.Warn("settings page without the notification chat's members", "portal", p.ID, "err", err)
		page.NotifyUnread, err = true, nil
	}
	return page, err
}

// directories reads the portal's lists in one batch.
func (in *Inbox) directories(ctx context.Context, p db.Portal) (Directories, error) {
	d, err := in.Portal.Client.Portal(p.MemberID, p.BaseURL).ReadDirectories(ctx)
	if err != nil {
		return d, fmt.Errorf("inbox: unable to read the portal's pipelines, sources and users: %w", err)
	}
	return d, nil
}

// InvalidError is a setting refused, as data: the field and why (one of the
// Invalid* codes); views put it in words.
type InvalidError struct {
	Field string
	Code  string
}

// Why a setting is refused.
const (
	InvalidChoice    = "choice"   // not one of the offered values
	InvalidPipeline  = "pipeline" // not a pipeline of the portal
	InvalidStage     = "stage"    // not a stage of the chosen pipeline
	InvalidUser      = "user"     // not a user of the portal
	InvalidOneUser   = "one_user" // "always one person" needs exactly one
	InvalidRequired  = "required" // empty
	InvalidTooLong   = "too_long" // longer than we keep
	InvalidSource    = "source"   // not a CRM source of the portal
	InvalidAccount   = "account"  // the provider refused the account's credentials
	InvalidTaken     = "taken"    // the account is connected already
	InvalidLastOwner = "owner"    // the app manages the chat through this user
	InvalidRange     = "range"    // a number out of its bounds
)

func (e *InvalidError) Error() string {
	return fmt.Sprintf("inbox: setting %s refused: %s", e.Field, e.Code)
}

func invalid(field, code string) error { return &InvalidError{Field: field, Code: code} }

// SettingsForm is what the page posts: settings 2–8, with users as
// Bitrix24 ids, as the page offers them.
type SettingsForm struct {
	Visibility   string
	SeeAll       []int64 // setting 7, Bitrix24 ids
	Create       string
	DealCategory int64
	DealStage    string
	SourceLabel  bool
	Timeline     bool
	TimelineOn   []string
	Distribute   string
	DistributeTo []int64
	Notify       *Notify // the notification chat's delay and escalation; nil keeps them
}

// SaveSettings checks a posted form against the portal's directories and
// stores it: every instance applies it on the next request, and open pages
// read their visibility again at once. A refused field is an
// *InvalidError and nothing is stored.
func (in *Inbox) SaveSettings(ctx context.Context, v Viewer, f SettingsForm) error {
	p, s, err := in.admin(ctx, v)
	if err != nil {
		return err
	}
	dir, err := in.directories(ctx, p)
	if err != nil {
		return err
	}
	if err := checkForm(f, dir); err != nil {
		return err
	}
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		seeAll := []int64{}
		for _, id := range f.SeeAll {
			u, err := tx.MeetUser(ctx, p.ID, id, userName(dir, id))
			if err != nil {
				return err
			}
			seeAll = append(seeAll, u.ID)
		}
		s.Visibility, s.SeeAllIDs = f.Visibility, seeAll
		s.CRM.Create, s.CRM.DealCategory, s.CRM.DealStage = f.Create, f.DealCategory, f.DealStage
		s.CRM.SourceLabel, s.CRM.Timeline, s.CRM.TimelineOn = f.SourceLabel, f.Timeline, f.TimelineOn
		s.CRM.Distribute, s.CRM.DistributeTo = f.Distribute, f.DistributeTo
		if f.Notify != nil {
			s.Notify = *f.Notify
		}
		raw, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("inbox: unable to encode settings: %w", err)
		}
		if err := tx.SaveSettings(ctx, p.ID, raw); err != nil {
			return err
		}
		return tx.LogEvents(ctx, in.Now(), Event{Portal: p.ID, Kind: EventSettings})
	})
}

// checkNotify names the notification setting Notify.Validate refuses.
func checkNotify(n Notify) error {
	if n.Validate() == nil {
		return nil
	}
	switch {
	case Notify{DelayMinutes: n.DelayMinutes}.Validate() != nil:
		return invalid("notify_delay", InvalidRange)
	case n.Escalate != EscalateOff && n.Escalate != EscalateMention:
		return invalid("notify_escalate", InvalidChoice)
	}
	return invalid("notify_escalate_after", InvalidRange)
}

// checkForm refuses what the portal does not offer.
func checkForm(f SettingsForm, dir Directories) error {
	if f.Notify != nil {
		if err := checkNotify(*f.Notify); err != nil {
			return err
		}
	}
	if !slices.Contains([]string{SeeAll, SeeOwnUnassigned, SeeOwn, SeeOwnDepartment}, f.Visibility) {
		return invalid("visibility", InvalidChoice)
	}
	if !slices.Contains([]string{CreateContact, CreateLead, CreateContactDeal}, f.Create) {
		return invalid("create", InvalidChoice)
	}
	if f.Create == CreateContactDeal {
		if !slices.ContainsFunc(dir.Pipelines, func(c bitrix.Category) bool { return int64(c.ID) == f.DealCategory }) {
			return invalid("deal_category", InvalidPipeline)
		}
		stages := dir.Stages[f.DealCategory]
		if f.DealStage != "" && !slices.ContainsFunc(stages, func(s bitrix.Status) bool { return s.StatusID == f.DealStage }) {
			return invalid("deal_stage", InvalidStage)
		}
	}
	for _, t := range f.TimelineOn {
		if !slices.Contains([]string{TimelineContact, TimelineLeads, TimelineDeals}, t) {
			return invalid("timeline_on", InvalidChoice)
		}
	}
	if !slices.Contains([]string{DistributeRoundRobin, DistributeOne, DistributeLeastLoaded}, f.Distribute) {
		return invalid("distribute", InvalidChoice)
	}
	if f.Distribute == DistributeOne && len(f.DistributeTo) != 1 {
		return invalid("distribute_to", InvalidOneUser)
	}
	known := func(id int64) bool {
		return slices.ContainsFunc(dir.Users, func(u bitrix.User) bool { return int64(u.ID) == id })
	}
	for _, id := range f.DistributeTo {
		if !known(id) {
			return invalid("distribute_to", InvalidUser)
		}
	}
	for _, id := range f.SeeAll {
		if !known(id) {
			return invalid("see_all", InvalidUser)
		}
	}
	return nil
}
