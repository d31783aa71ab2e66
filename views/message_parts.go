package views

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"switchboard/db"
)

// attachmentURL is where the signed-in viewer downloads an attachment.
func attachmentURL(a db.Attachment) string { return "/attachments/" + id(a.ID) }

// attachmentShape says how a file is shown: image, video, audio or file.
func attachmentShape(kind, mimeType string) string {
	switch kind {
	case "image", "sticker":
		return "image"
	case "video":
		return "video"
	case "audio", "voice":
		return "audio"
	case "document":
		return "file"
	}
	for _, shape := range []string{"image", "video", "audio"} {
		if strings.HasPrefix(mimeType, shape+"/") && mimeType != "image/svg+xml" {
			return shape
		}
	}
	return "file"
}

// fileLabel is the name a file is shown and saved under.
func fileLabel(a db.Attachment) string {
	if a.FileName != "" {
		return a.FileName
	}
	return "file-" + id(a.ID)
}

// mapsPrefix starts the Google Maps link the adapters render a location as.
const mapsPrefix = "https://maps.google.com/"

// locationOf splits a location's text (its Maps link, then the place's name
// and address on their own lines) into the link and a label.
func locationOf(body string) (link, label string) {
	lines := strings.Split(body, "\n")
	if !strings.HasPrefix(lines[0], mapsPrefix) {
		return "", ""
	}
	return lines[0], strings.Join(lines[1:], ", ")
}

// storyOf splits a story reply or mention into the client's words and the
// story's link (its last line).
func storyOf(body string) (text, link string) {
	lines := strings.Split(body, "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "https://") {
		return body, ""
	}
	return strings.Join(lines[:len(lines)-1], "\n"), last
}

// unsupportedType is the type an "[unsupported: <type>]" placeholder names.
func unsupportedType(body string) string {
	first, _, _ := strings.Cut(body, "\n")
	if t, ok := strings.CutPrefix(first, "[unsupported: "); ok {
		return strings.TrimSuffix(t, "]")
	}
	return "unknown"
}

// unsupportedDetail is the readable line after the placeholder, if any.
func unsupportedDetail(body string) string {
	_, detail, _ := strings.Cut(body, "\n")
	return detail
}

// quoteLen is how much of a quoted message a reply shows.
const quoteLen = 120

// quoteText is a short rendering of a quoted message.
func quoteText(ctx context.Context, kind, body string) string {
	if body == "" {
		return "[" + kindText(ctx, kind) + "]"
	}
	if utf8.RuneCountInString(body) > quoteLen {
		return string([]rune(body)[:quoteLen-1]) + "…"
	}
	return body
}

// Size is a file size in the context's language, in decimal units as the
// messengers state their limits.
func Size(ctx context.Context, n int64) string {
	switch {
	case n >= 1000*1000:
		return Tf(ctx, "size.mb", float64(n)/1e6)
	case n >= 1000:
		return Tf(ctx, "size.kb", n/1000)
	}
	return Plural(ctx, "count.bytes", n)
}

// maxUploadBytes is our per-file limit, for the composer's own check
// before uploading (the server checks again).
const maxUploadBytes = 50 << 20

func maxUploadAttr() string { return fmt.Sprint(maxUploadBytes) }
