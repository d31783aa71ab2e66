package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"switchboard/bitrix"
	"switchboard/db"
)

// errMembersUnread is Bitrix24 not telling the notification chat's members
// (down, or the chat's bot gone).
var errMembersUnread = errors.New("unable to list the notification chat's members")

// notifyMembers reads the notification chat's members (Bitrix24 ids) and
// the chat's owner, through whom the app manages it: the installing user,
// whose token the app holds.
func (in *Inbox) notifyMembers(ctx context.Context, p db.Portal) (members []int64, owner int64, err error) {
	chat, bot, owner, err := in.membersChat(ctx, p)
	if err != nil || chat == 0 {
		return nil, owner, err
	}
	members, err = in.Portal.Client.Portal(p.MemberID, p.BaseURL).BotChatUsers(ctx, bot, chat)
	if err != nil {
		return nil, owner, fmt.Errorf("inbox: %w: %w", errMembersUnread, err)
	}
	members = slices.DeleteFunc(members, func(id int64) bool { return id == bot }) // the bot posts; people read
	return members, owner, nil
}

// membersChat is the portal's notification chat (0 before the install made
// one), the bot that owns it (the app manages its members as the bot:
// only a chat's owner may remove others), and the installing user's
// Bitrix24 id, who stays a member.
func (in *Inbox) membersChat(ctx context.Context, p db.Portal) (chat, bot, owner int64, err error) {
	st, err := in.Store.PortalInstall(ctx, p.ID)
	if err != nil {
		return 0, 0, 0, err
	}
	if st.InstalledBy != nil {
		u, err := in.Store.User(ctx, p.ID, *st.InstalledBy)
		if err != nil {
			return 0, 0, 0, err
		}
		owner = u.BitrixUserID
	}
	if st.NotifyChatID == nil || st.BotID == nil {
		return 0, 0, owner, nil
	}
	return *st.NotifyChatID, *st.BotID, owner, nil
}

// AddNotifyMember adds a portal user (Bitrix24 id) to the notification
// chat, without its earlier lines: they see and hear what comes next.
func (in *Inbox) AddNotifyMember(ctx context.Context, v Viewer, bitrixUserID int64) error {
	p, _, err := in.admin(ctx, v)
	if err != nil {
		return err
	}
	dir, err := in.directories(ctx, p)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(dir.Users, func(u bitrix.User) bool { return int64(u.ID) == bitrixUserID }) {
		return invalid("notify_member", InvalidUser)
	}
	chat, bot, _, err := in.membersChat(ctx, p)
	if err != nil {
		return err
	}
	if chat == 0 {
		return fmt.Errorf("inbox: portal %d has no notification chat: %w", p.ID, ErrNotFound)
	}
	if err := in.Portal.Client.Portal(p.MemberID, p.BaseURL).AddBotChatUsers(ctx, bot, chat, []int64{bitrixUserID}, true); err != nil {
		return fmt.Errorf("inbox: unable to add user %d to the notification chat: %w", bitrixUserID, err)
	}
	return nil
}

// RemoveNotifyMember takes a user out of the notification chat; the
// chat's owner stays (the app would lose the chat).
func (in *Inbox) RemoveNotifyMember(ctx context.Context, v Viewer, bitrixUserID int64) error {
	p, _, err := in.admin(ctx, v)
	if err != nil {
		return err
	}
	chat, bot, owner, err := in.membersChat(ctx, p)
	if err != nil {
		return err
	}
	if bitrixUserID == owner {
		return invalid("notify_member", InvalidLastOwner)
	}
	members, _, err := in.notifyMembers(ctx, p)
	if err != nil {
		return err
	}
	if chat == 0 || !slices.Contains(members, bitrixUserID) {
		return fmt.Errorf("inbox: user %d is not in the notification chat: %w", bitrixUserID, ErrNotFound)
	}
	if err := in.Portal.Client.Portal(p.MemberID, p.BaseURL).DeleteBotChatUser(ctx, bot, chat, bitrixUserID); err != nil {
		return fmt.Errorf("inbox: unable to remove user %d from the notification chat: %w", bitrixUserID, err)
	}
	return nil
}
