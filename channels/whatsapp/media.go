package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"switchboard/channels"
	graph "switchboard/channels/internal/meta"
)

// mediaMeta is GET /{media_id}: a short-lived download URL and the file's facts.
type mediaMeta struct {
	URL      string        `json:"url"`
	MIMEType string        `json:"mime_type"`
	SHA256   string        `json:"sha256"`
	FileSize graph.FlexInt `json:"file_size"` // a number, or a string in some answers
	ID       string        `json:"id"`
}

// FetchMedia downloads an inbound attachment. With a media id it asks the
// Graph API for a fresh download URL and fetches it with the same bearer
// token, resolving the URL once more if it has already expired (401/404).
// With only a URL it fetches that. The caller closes the body. Failures wrap
// a *channels.SendError (use errors.As) whose Transient marks 5xx and
// network errors.
func (t *Transport) FetchMedia(ctx context.Context, acct channels.Account, ref channels.MediaRef) (io.ReadCloser, channels.MediaInfo, error) {
	info := channels.MediaInfo{MIME: ref.MIME, FileName: ref.FileName}
	if ref.ID == "" {
		if ref.URL == "" {
			return nil, info, errors.New("whatsapp: fetch media: reference has neither id nor url")
		}
		body, err := t.download(ctx, acct, ref.URL, &info)
		if err != nil {
			return nil, info, fmt.Errorf("whatsapp: fetch media: %w", err)
		}
		return body, info, nil
	}
	var body io.ReadCloser
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		var meta mediaMeta
		if meta, err = t.resolveMedia(ctx, acct, ref.ID); err != nil {
			break
		}
		if meta.MIMEType != "" {
			info.MIME = meta.MIMEType
		}
		info.Size = int64(meta.FileSize)
		if body, err = t.download(ctx, acct, meta.URL, &info); err == nil || !expiredURL(err) {
			break
		}
	}
	if err != nil {
		return nil, info, fmt.Errorf("whatsapp: fetch media %s: %w", ref.ID, err)
	}
	return body, info, nil
}

// resolveMedia asks for the media's download URL, checking that it belongs
// to the account's number.
func (t *Transport) resolveMedia(ctx context.Context, acct channels.Account, id string) (mediaMeta, error) {
	var meta mediaMeta
	u := acct.APIBase + "/" + url.PathEscape(id) + "?phone_number_id=" + url.QueryEscape(acct.ExternalID)
	resp, err := t.graph().Do(ctx, acct.AccessToken, http.MethodGet, u, nil, "")
	if err != nil {
		return meta, err
	}
	defer resp.Body.Close()
	if err := graph.DecodeBody(resp, &meta); err != nil {
		return meta, err
	}
	if meta.URL == "" {
		return meta, &channels.SendError{HTTPStatus: resp.StatusCode, Message: "media answer carries no url"}
	}
	return meta, nil
}

// download GETs a media URL with the bearer token, only from a public https
// address (or an allowed host); the size and type the response announces
// fill what info lacks.
func (t *Transport) download(ctx context.Context, acct channels.Account, u string, info *channels.MediaInfo) (io.ReadCloser, error) {
	resp, err := t.graph().Download(ctx, acct.AccessToken, u)
	if err != nil {
		return nil, err
	}
	if info.Size == 0 && resp.ContentLength > 0 {
		info.Size = resp.ContentLength
	}
	if info.MIME == "" {
		info.MIME = resp.Header.Get("Content-Type")
	}
	return resp.Body, nil
}

// expiredURL reports a download URL that no longer works: resolve it again.
func expiredURL(err error) bool {
	var se *channels.SendError
	return errors.As(err, &se) && (se.HTTPStatus == http.StatusUnauthorized || se.HTTPStatus == http.StatusNotFound)
}

// uploadResponse is POST /{phone_number_id}/media's answer.
type uploadResponse struct {
	ID string `json:"id"`
}

// UploadMedia uploads file to {APIBase}/{ExternalID}/media as multipart
// form data and returns the media id to Send with (Meta keeps it 30 days).
// The file is streamed through a pipe, never held in memory whole.
// info.MIME is required: WhatsApp files the media by it.
func (t *Transport) UploadMedia(ctx context.Context, acct channels.Account, file io.Reader, info channels.MediaInfo) (string, error) {
	if info.MIME == "" {
		return "", errors.New("whatsapp: upload media: MIME type required")
	}
	pr, pw := io.Pipe()
	form := multipart.NewWriter(pw)
	go func() { pw.CloseWithError(writeUpload(form, file, info)) }()
	defer pr.Close() // unblocks the writer if the request ends early

	u := acct.APIBase + "/" + url.PathEscape(acct.ExternalID) + "/media"
	resp, err := t.graph().Do(ctx, acct.AccessToken, http.MethodPost, u, pr, form.FormDataContentType())
	if err != nil {
		return "", fmt.Errorf("whatsapp: upload media: %w", err)
	}
	defer resp.Body.Close()
	var out uploadResponse
	if err := graph.DecodeBody(resp, &out); err != nil {
		return "", fmt.Errorf("whatsapp: upload media: %w", err)
	}
	if out.ID == "" {
		return "", fmt.Errorf("whatsapp: upload media: %w",
			&channels.SendError{HTTPStatus: resp.StatusCode, Message: "answer carries no media id"})
	}
	return out.ID, nil
}

// writeUpload writes the form fields, then copies the file into its part.
func writeUpload(form *multipart.Writer, file io.Reader, info channels.MediaInfo) error {
	if err := form.WriteField("messaging_product", "whatsapp"); err != nil {
		return err
	}
	if err := form.WriteField("type", info.MIME); err != nil {
		return err
	}
	name := info.FileName
	if name == "" {
		name = "file"
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, quoteEscaper.Replace(name)))
	h.Set("Content-Type", info.MIME)
	part, err := form.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, file); err != nil {
		return fmt.Errorf("read file: %w", err)
	}
	return form.Close()
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\r", "", "\n", "")
