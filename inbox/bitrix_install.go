package inbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"switchboard/bitrix"
	"switchboard/db"
)

// Portal is how the rules reach Bitrix24: the REST client and the app's
// own handler URLs, which the install registers.
type Portal struct {
	Client   *bitrix.Client
	Handlers AppHandlers
	// AllowLocal lets portals live on plain http and local addresses: the
	// demo's and tests' emulated portals. Off, a portal must be https on a
	// public host name, so a forged install cannot aim our calls anywhere.
	AllowLocal bool
}

// checkPortalURL refuses a portal address we must not call.
func (p *Portal) checkPortalURL(base string) error {
	if p.AllowLocal {
		return nil
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "https" {
		return fmt.Errorf("%w: portal %q is not https", ErrForged, base)
	}
	if !publicHostName(u.Hostname()) {
		return fmt.Errorf("%w: portal host %q is not a public name", ErrForged, u.Hostname())
	}
	return nil
}

// AppHandlers are the app's public URLs the install registers in the
// portal (handlers knows the paths).
type AppHandlers struct {
	Placement string // every placement and the app's page
	Events    string // events, and the bot's
}

// publicHostName reports whether host is a dotted DNS name outside
// localhost. An address literal is refused, and so is a name whose last
// label is a number: no top-level domain is, and resolvers read 127.1 or
// 0x7f.0.0.1 as addresses.
func publicHostName(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || net.ParseIP(host) != nil {
		return false
	}
	i := strings.LastIndexByte(host, '.')
	if i <= 0 {
		return false // a single label
	}
	tld := host[i+1:]
	return tld != "" && strings.Trim(tld, "0123456789") != "" && !strings.HasPrefix(tld, "0x")
}

// ErrForged means a request claiming to come from Bitrix24 did not check out
// with the portal: no session starts and nothing changes.
var ErrForged = errors.New("inbox: the request did not check out with the portal")

// placements the install binds, each opening the placement handler.
var placements = []string{
	"LEFT_MENU",
	"CRM_LEAD_DETAIL_TAB", "CRM_CONTACT_DETAIL_TAB", "CRM_DEAL_DETAIL_TAB",
	"CRM_LEAD_DETAIL_TOOLBAR", "CRM_CONTACT_DETAIL_TOOLBAR", "CRM_DEAL_DETAIL_TOOLBAR",
}

// events the install binds to the events handler.
var events = []string{bitrix.EventAppUninstall,
	"ONCRMLEADADD", "ONCRMLEADUPDATE", "ONCRMLEADDELETE",
	"ONCRMCONTACTADD", "ONCRMCONTACTUPDATE", "ONCRMCONTACTDELETE",
	"ONCRMDEALADD", "ONCRMDEALUPDATE", "ONCRMDEALDELETE"}

// noReplyCommand is the bot command behind the notification line's button.
const noReplyCommand = "noreply"

// Install handles the install page's POST (PLACEMENT=DEFAULT): it checks the
// installing admin's token with the portal, stores the portal and its
// tokens, binds the placements and events, registers the bot and its "No
// reply needed" command, and creates the notification chat with the
// installing user as its only member. A reinstall is idempotent.
func (in *Inbox) Install(ctx context.Context, pl *bitrix.Placement) (Viewer, error) {
	if pl.MemberID == "" || pl.AuthID == "" || pl.Domain == "" {
		return Viewer{}, fmt.Errorf("%w: the install POST lacks member_id, AUTH_ID or DOMAIN", ErrForged)
	}
	base := pl.BaseURL()
	if err := in.Portal.checkPortalURL(base); err != nil {
		return Viewer{}, err
	}
	if known, err := in.Store.PortalByMemberID(ctx, pl.MemberID); err == nil && known.Domain != pl.Domain {
		return Viewer{}, fmt.Errorf("%w: portal %s is %s, not %s", ErrForged, pl.MemberID, known.Domain, pl.Domain)
	} else if err != nil && !errors.Is(err, db.ErrNotFound) {
		return Viewer{}, err
	}
	profile, err := in.Portal.Client.AsUser(pl.MemberID, base, pl.AuthID).Profile(ctx)
	if err != nil {
		return Viewer{}, fmt.Errorf("%w: %v", ErrForged, err)
	}
	if !bool(profile.Admin) {
		return Viewer{}, fmt.Errorf("%w: user %d is not an administrator", ErrForged, int64(profile.ID))
	}
	expires := in.Now().Add(time.Duration(max(pl.AuthExpires, 60)) * time.Second)
	portalID, err := in.Store.UpsertPortal(ctx, db.Portal{
		Domain: pl.Domain, MemberID: pl.MemberID, BaseURL: base, AccessToken: pl.AuthID,
		RefreshToken: pl.RefreshID, TokenExpiresAt: &expires, ApplicationToken: pl.ApplicationToken,
		Lang: langOf(pl.Lang),
	})
	if err != nil {
		return Viewer{}, err
	}
	user, err := in.Store.UpsertUser(ctx, db.User{PortalID: portalID, BitrixUserID: int64(profile.ID),
		Name: fullName(profile.Name, profile.LastName), PhotoURL: string(profile.PersonalPhoto), IsAdmin: true, CanUseApp: true})
	if err != nil {
		return Viewer{}, err
	}
	if err := in.adoptTimeZone(ctx, portalID, profile); err != nil {
		return Viewer{}, err
	}
	if err := in.setUpPortal(ctx, portalID, pl.MemberID, base, pl.Lang, user); err != nil {
		return Viewer{}, err
	}
	in.Log.Info("app installed", "portal", pl.MemberID, "domain", pl.Domain, "by", user.BitrixUserID)
	return Viewer{PortalID: portalID, UserID: user.ID, IsAdmin: true, PortalURL: base, memberID: pl.MemberID}, nil
}

// setUpPortal makes the portal's bindings, bot and notification chat,
// skipping what an earlier install already made.
func (in *Inbox) setUpPortal(ctx context.Context, portalID int64, memberID, base, lang string, installer db.User) error {
	pc := in.Portal.Client.Portal(memberID, base)
	handler := in.Portal.Handlers.Placement
	for _, code := range placements {
		err := pc.BindPlacement(ctx, bitrix.PlacementBinding{Placement: code, Handler: handler, Title: "Switchboard",
			LangAll: map[string]bitrix.PlacementLangTitle{"en": {Title: "Switchboard"}, "ru": {Title: "Switchboard"}}})
		if err != nil {
			return fmt.Errorf("inbox: unable to bind %s: %w", code, err)
		}
	}
	for _, name := range events {
		if err := pc.BindEvent(ctx, bitrix.EventBinding{Event: name, Handler: in.Portal.Handlers.Events}); err != nil {
			return fmt.Errorf("inbox: unable to bind %s: %w", name, err)
		}
	}
	st, err := in.Store.PortalInstall(ctx, portalID)
	if err != nil {
		return err
	}
	if st.BotID == nil {
		id, err := pc.RegisterBot(ctx, bitrix.Bot{Code: "switchboard", Type: "B", EventHandler: in.Portal.Handlers.Events,
			Properties: bitrix.BotProperties{Name: "Switchboard", Color: "AQUA", WorkPosition: in.text(lang, "bot.work_position")}})
		if err != nil {
			return fmt.Errorf("inbox: unable to register the bot: %w", err)
		}
		st.BotID = &id
	}
	if st.BotCommandID == nil {
		id, err := pc.RegisterBotCommand(ctx, bitrix.BotCommand{BotID: *st.BotID, Command: noReplyCommand,
			EventCommandAdd: in.Portal.Handlers.Events, Hidden: true, Lang: []bitrix.BotCommandLang{
				{LanguageID: "en", Title: in.text("en", "bot.command.noreply")},
				{LanguageID: "ru", Title: in.text("ru", "bot.command.noreply")}}})
		if err != nil {
			return fmt.Errorf("inbox: unable to register the bot command: %w", err)
		}
		st.BotCommandID = &id
	}
	if st.NotifyChatID == nil {
		id, err := in.notifyChat(ctx, pc, *st.BotID, lang, installer)
		if err != nil {
			return err
		}
		st.NotifyChatID = &id
	}
	st.InstalledBy = &installer.ID
	return in.Store.SaveInstall(ctx, portalID, st)
}

// The notification chat's binding: a reinstall finds it by these.
const (
	notifyChatEntity   = "SWITCHBOARD"
	notifyChatEntityID = "notifications"
)

// notifyChat finds the notification chat an earlier install made (bound by
// ENTITY_TYPE/ENTITY_ID), or creates it: owned by the bot, which posts the
// lines, with the installing user as its first member, titled in the
// portal's language.
func (in *Inbox) notifyChat(ctx context.Context, pc *bitrix.PortalClient, botID int64, lang string, installer db.User) (int64, error) {
	id, err := pc.BotChatByEntity(ctx, botID, notifyChatEntity, notifyChatEntityID)
	if err != nil {
		return 0, fmt.Errorf("inbox: unable to look for the notification chat: %w", err)
	}
	if id != 0 {
		return id, nil
	}
	id, err = pc.AddBotChat(ctx, botID, bitrix.NewChat{Type: "CHAT", Title: in.text(lang, "chat.notify.title"),
		Description: in.text(lang, "chat.notify.about"), Users: []int64{installer.BitrixUserID},
		EntityType: notifyChatEntity, EntityID: notifyChatEntityID})
	if err != nil {
		return 0, fmt.Errorf("inbox: unable to create the notification chat: %w", err)
	}
	return id, nil
}

func fullName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

// langOf is the language of what the app writes into a portal: Russian
// for a portal in Russian (or a CIS language Bitrix24 serves in Russian),
// English otherwise.
func langOf(lang string) string {
	switch lang {
	case "ru", "ua", "by", "kz":
		return "ru"
	default:
		return "en"
	}
}
