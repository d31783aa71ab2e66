package instagram

import (
	"context"
	"errors"
	"fmt"
	"io"

	"switchboard/channels"
)

// FetchMedia downloads an attachment from its CDN link (ref.URL). The link
// comes in a webhook, so it could name any address: only a public https one
// (or an allowed host) is fetched, anything else is a permanent error. The
// links are signed and public, so no token is sent with them; they expire,
// so fetch soon after the webhook. The caller closes the body. Failures wrap a
// *channels.SendError (use errors.As) whose Transient marks 5xx and
// network errors.
func (t *Transport) FetchMedia(ctx context.Context, acct channels.Account, ref channels.MediaRef) (io.ReadCloser, channels.MediaInfo, error) {
	info := channels.MediaInfo{MIME: ref.MIME, FileName: ref.FileName}
	if ref.URL == "" {
		return nil, info, errors.New("instagram: fetch media: reference has no url")
	}
	resp, err := t.graph().Download(ctx, "", ref.URL)
	if err != nil {
		return nil, info, fmt.Errorf("instagram: fetch media: %w", err)
	}
	if info.MIME == "" {
		info.MIME = resp.Header.Get("Content-Type")
	}
	if resp.ContentLength > 0 {
		info.Size = resp.ContentLength
	}
	return resp.Body, info, nil
}

// UploadMedia returns channels.ErrUploadUnsupported: Instagram sends media
// by public link (OutMedia.Link), so files must be served from our storage.
func (t *Transport) UploadMedia(ctx context.Context, acct channels.Account, file io.Reader, info channels.MediaInfo) (string, error) {
	return "", channels.ErrUploadUnsupported
}
