package inbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"switchboard/db"
)

// mediaLinkTTL is how long a public link to an outgoing file works: long
// enough for the provider to fetch it (Instagram does at send time), short
// enough that a leaked link soon stops working.
const mediaLinkTTL = time.Hour

// ErrBadLink is a media link that is forged, mangled or expired.
var ErrBadLink = errors.New("inbox: invalid or expired media link")

// MediaLink is a public, unguessable, expiring link to an attachment's
// file, for providers that fetch files by link (Instagram): PublicURL +
// /media/{token}/{file name}. The token signs the portal, the attachment and
// the expiry with LinkSecret.
func (in *Inbox) MediaLink(a db.Attachment) string { return in.linkFor(a, mediaLinkTTL) }

// linkFor is a signed link to a file that works for ttl.
func (in *Inbox) linkFor(a db.Attachment, ttl time.Duration) string {
	exp := in.Now().Add(ttl).Unix()
	payload := fmt.Sprintf("%d.%d.%d", a.PortalID, a.ID, exp)
	link := in.PublicURL + "/media/" + payload + "." + in.linkMAC(payload)
	if a.FileName != "" {
		link += "/" + url.PathEscape(a.FileName)
	}
	return link
}

func (in *Inbox) linkMAC(payload string) string {
	mac := hmac.New(sha256.New, in.LinkSecret)
	mac.Write([]byte("media-link:" + payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// AttachmentByLink checks a MediaLink token and loads its attachment;
// ErrBadLink when the token is not one we signed or has expired.
func (in *Inbox) AttachmentByLink(ctx context.Context, token string) (db.Attachment, error) {
	parts := strings.Split(token, ".")
	if len(in.LinkSecret) == 0 || len(parts) != 4 {
		return db.Attachment{}, ErrBadLink
	}
	payload := strings.Join(parts[:3], ".")
	if !hmac.Equal([]byte(parts[3]), []byte(in.linkMAC(payload))) {
		return db.Attachment{}, ErrBadLink
	}
	var n [3]int64
	for i := range n {
		v, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil {
			return db.Attachment{}, ErrBadLink
		}
		n[i] = v
	}
	if in.Now().Unix() > n[2] {
		return db.Attachment{}, ErrBadLink
	}
	return in.Store.Attachment(ctx, n[0], n[1])
}
