package inbox

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"switchboard/bitrix"
	"switchboard/channels"
	"switchboard/db"
)

// ErrChannelOff is a send through a channel the admin turned off or removed.
var ErrChannelOff = errors.New("inbox: the channel is turned off")

// Channel modes (setting 1): the app's own chat, or a Bitrix24 Open Line.
const (
	ModeWZ       = "wz"
	ModeOpenLine = "ol"
)

// maxChannelName bounds a channel's name (it is shown in every row and
// written to the CRM as the source).
const maxChannelName = 100

// DefaultGraphAPI is Meta's Graph API, which channels are added against
// unless Inbox.GraphAPI says otherwise (the demo's and tests' emulator).
const DefaultGraphAPI = "https://graph.facebook.com/v23.0"

// NewChannel is what the admin types to connect an account. The secrets are
// stored and never shown again.
type NewChannel struct {
	Transport   string // channels.WhatsApp or channels.Instagram
	ExternalID  string // the phone number id, or the Instagram account id
	Name        string // "" takes the provider's name for the account
	AccessToken string
	AppSecret   string
	Mode        string // ModeWZ (default) or ModeOpenLine
	// BusinessID is a WhatsApp number's Business Account, where its
	// approved message templates are ("": none offered).
	BusinessID string
}

// AddChannel connects an account for an administrator: the credentials are
// checked with the provider first (a refusal is an *InvalidError naming
// the token), then the channel is stored with a generated verify token and
// waits for the provider's subscription handshake. An account connected
// already is refused; one this portal removed comes back with its history.
func (in *Inbox) AddChannel(ctx context.Context, v Viewer, nc NewChannel) (db.Channel, error) {
	p, _, err := in.admin(ctx, v)
	if err != nil {
		return db.Channel{}, err
	}
	nc.ExternalID, nc.Name = strings.TrimSpace(nc.ExternalID), strings.TrimSpace(nc.Name)
	nc.AccessToken, nc.AppSecret = strings.TrimSpace(nc.AccessToken), strings.TrimSpace(nc.AppSecret)
	if nc.Mode == "" {
		nc.Mode = ModeWZ
	}
	t, ok := in.Transports[nc.Transport]
	checker, canCheck := t.(channels.AccountChecker)
	switch {
	case !ok || !canCheck:
		return db.Channel{}, invalid("transport", InvalidChoice)
	case nc.ExternalID == "" || strings.ContainsAny(nc.ExternalID, "/?#% "):
		return db.Channel{}, invalid("external_id", InvalidRequired)
	case nc.AccessToken == "":
		return db.Channel{}, invalid("access_token", InvalidRequired)
	case nc.AppSecret == "":
		return db.Channel{}, invalid("app_secret", InvalidRequired)
	case utf8.RuneCountInString(nc.Name) > maxChannelName:
		return db.Channel{}, invalid("name", InvalidTooLong)
	case nc.Mode != ModeWZ && nc.Mode != ModeOpenLine:
		return db.Channel{}, invalid("mode", InvalidChoice)
	}
	acct := channels.Account{Transport: nc.Transport, ExternalID: nc.ExternalID, AccessToken: nc.AccessToken,
		AppSecret: nc.AppSecret, APIBase: in.graphAPI()}
	info, err := checker.CheckAccount(ctx, acct)
	var se *channels.SendError
	if errors.As(err, &se) && !se.Transient {
		in.Log.Info("channel refused by the provider", "portal", p.ID, "transport", nc.Transport,
			"external_id", nc.ExternalID, "status", se.HTTPStatus, "code", se.Code)
		return db.Channel{}, invalid("access_token", InvalidAccount)
	}
	if err != nil {
		return db.Channel{}, fmt.Errorf("inbox: unable to check the %s account %s: %w", nc.Transport, nc.ExternalID, err)
	}
	if nc.Name == "" {
		nc.Name = cmp.Or(info.Name, nc.ExternalID)
	}
	ch, err := in.Store.AddChannel(ctx, db.Channel{PortalID: p.ID, Transport: nc.Transport, ExternalID: nc.ExternalID,
		Name: nc.Name, Mode: nc.Mode, AccessToken: nc.AccessToken, AppSecret: nc.AppSecret,
		VerifyToken: verifyToken(), APIBase: acct.APIBase, BusinessID: strings.TrimSpace(nc.BusinessID)})
	if errors.Is(err, db.ErrChannelTaken) {
		return db.Channel{}, invalid("external_id", InvalidTaken)
	}
	if err != nil {
		return db.Channel{}, err
	}
	in.Log.Info("channel added", "portal", p.ID, "channel", ch.ID, "transport", ch.Transport,
		"external_id", ch.ExternalID, "shared_with_app", info.SharedWithApp)
	return ch, nil
}

func (in *Inbox) graphAPI() string { return cmp.Or(in.GraphAPI, DefaultGraphAPI) }

// verifyToken is a fresh secret for the subscription handshake.
func verifyToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ChannelEdit is a change of a channel from the settings page; nil fields
// stay.
type ChannelEdit struct {
	Name    *string
	Mode    *string
	Enabled *bool
	// Source is the CRM source written for the channel's clients: a
	// SOURCE of the portal's crm.status.list, or "" for none.
	Source *string
}

// ChangeChannel applies an administrator's change to a channel of their
// portal; ErrNotFound for anyone else's or a removed one.
func (in *Inbox) ChangeChannel(ctx context.Context, v Viewer, id int64, e ChannelEdit) error {
	p, _, err := in.admin(ctx, v)
	if err != nil {
		return err
	}
	if e.Name != nil {
		name := strings.TrimSpace(*e.Name)
		switch {
		case name == "":
			return invalid("name", InvalidRequired)
		case utf8.RuneCountInString(name) > maxChannelName:
			return invalid("name", InvalidTooLong)
		}
		e.Name = &name
	}
	if e.Mode != nil && *e.Mode != ModeWZ && *e.Mode != ModeOpenLine {
		return invalid("mode", InvalidChoice)
	}
	if e.Source != nil && *e.Source != "" {
		sources, err := in.Portal.Client.Portal(p.MemberID, p.BaseURL).Statuses(ctx, bitrix.DirectorySource)
		if err != nil {
			return fmt.Errorf("inbox: unable to read the CRM sources: %w", err)
		}
		if !slices.ContainsFunc(sources, func(s bitrix.Status) bool { return s.StatusID == *e.Source }) {
			return invalid("source", InvalidSource)
		}
	}
	defer in.channels.forget(id)
	return in.Store.InTx(ctx, func(tx *db.Store) error {
		if err := tx.ChangeChannel(ctx, p.ID, id, db.ChannelChange{Name: e.Name, Mode: e.Mode, Enabled: e.Enabled}); err != nil {
			return err
		}
		if e.Source != nil {
			return tx.SetChannelSource(ctx, p.ID, id, *e.Source)
		}
		return nil
	})
}

// RemoveChannel removes a channel of the administrator's portal: its
// dialogs and history stay, its credentials are erased, its webhooks are
// refused from now on.
func (in *Inbox) RemoveChannel(ctx context.Context, v Viewer, id int64) error {
	p, _, err := in.admin(ctx, v)
	if err != nil {
		return err
	}
	if err := in.Store.RemoveChannel(ctx, p.ID, id, in.Now()); err != nil {
		return err
	}
	in.channels.forget(id)
	in.Log.Info("channel removed", "portal", p.ID, "channel", id)
	return nil
}

// ConfiguredChannel is one channel of the administrator's portal, for the
// page that waits for its handshake; ErrNotFound for another's.
func (in *Inbox) ConfiguredChannel(ctx context.Context, v Viewer, id int64) (db.Channel, error) {
	p, _, err := in.admin(ctx, v)
	if err != nil {
		return db.Channel{}, err
	}
	ch, err := in.Store.Channel(ctx, p.ID, id)
	if err == nil && ch.RemovedAt != nil {
		return db.Channel{}, fmt.Errorf("inbox: channel %d is removed: %w", id, ErrNotFound)
	}
	return ch, err
}
