package instagram

import (
	"context"
	"fmt"
	"net/url"

	"switchboard/channels"
)

// senderAction is a body that acts on the conversation without a message.
type senderAction struct {
	Recipient    recipient `json:"recipient"`
	SenderAction string    `json:"sender_action"`
}

// MarkRead marks the conversation seen by the business (sender_action
// mark_seen): the client sees their messages read. Instagram marks the
// whole conversation, so providerID is not sent.
func (t *Transport) MarkRead(ctx context.Context, acct channels.Account, peerID, _ string) error {
	var out struct {
		RecipientID string `json:"recipient_id"`
	}
	endpoint := acct.APIBase + "/" + url.PathEscape(acct.ExternalID) + "/messages"
	body := senderAction{Recipient: recipient{ID: peerID}, SenderAction: "mark_seen"}
	if err := t.graph().PostJSON(ctx, acct.AccessToken, endpoint, body, &out); err != nil {
		return fmt.Errorf("instagram: mark seen: %w", err)
	}
	return nil
}

// Profile reads a client's name, username and picture with the Instagram
// user profile API (GET /{igsid}?fields=name,username,profile_pic); the
// webhooks carry only their IGSID. Any of the three may be empty: a user
// may have no name, and the picture link expires after a few days.
func (t *Transport) Profile(ctx context.Context, acct channels.Account, peerID string) (channels.Profile, error) {
	var out struct {
		Name       string `json:"name"`
		Username   string `json:"username"`
		ProfilePic string `json:"profile_pic"`
	}
	endpoint := acct.APIBase + "/" + url.PathEscape(peerID) + "?" + url.Values{"fields": {"name,username,profile_pic"}}.Encode()
	if err := t.graph().GetJSON(ctx, acct.AccessToken, endpoint, &out); err != nil {
		return channels.Profile{}, fmt.Errorf("instagram: profile of %s: %w", peerID, err)
	}
	return channels.Profile{Name: out.Name, Username: out.Username, PictureURL: out.ProfilePic}, nil
}

// Templates is unsupported: Instagram has no message templates.
func (t *Transport) Templates(context.Context, channels.Account) ([]channels.Template, error) {
	return nil, channels.ErrUnsupported
}
