package instagram_test

import (
	"errors"
	"strings"
	"testing"

	"switchboard/channels"
	"switchboard/channels/instagram"
)

func link(kind channels.Kind, mime string) channels.Outgoing {
	return channels.Outgoing{To: clientID, Kind: kind, Media: &channels.OutMedia{Link: "https://f/x", MIME: mime}}
}

func TestCheckOutgoing(t *testing.T) {
	const mb = 1000 * 1000
	withText := link(channels.KindImage, "image/png")
	withText.Text = "caption"
	tests := []struct {
		name string
		msg  channels.Outgoing
		size int64
		what string // LimitError.What; "" when no LimitError
		ok   bool
	}{
		{"text 1000 bytes", channels.Outgoing{Kind: channels.KindText, Text: strings.Repeat("a", 1000)}, 0, "", true},
		{"text 1001 bytes", channels.Outgoing{Kind: channels.KindText, Text: strings.Repeat("a", 1001)}, 0, channels.LimitText, false},
		{"500 Cyrillic letters fit", channels.Outgoing{Kind: channels.KindText, Text: strings.Repeat("ж", 500)}, 0, "", true},
		{"501 Cyrillic letters do not", channels.Outgoing{Kind: channels.KindText, Text: strings.Repeat("ж", 501)}, 0, channels.LimitText, false},
		{"image png 8 MB", link(channels.KindImage, "image/png"), 8 * mb, "", true},
		{"image jpeg over 8 MB", link(channels.KindImage, "image/jpeg"), 8*mb + 1, channels.LimitSize, false},
		{"image gif", link(channels.KindImage, "image/gif"), 1, "", true},
		{"image webp", link(channels.KindImage, "image/webp"), 1, channels.LimitType, false},
		{"image with caption", withText, 1, channels.LimitCaption, false},
		{"video mov 25 MB", link(channels.KindVideo, "video/quicktime"), 25 * mb, "", true},
		{"video over 25 MB", link(channels.KindVideo, "video/mp4"), 25*mb + 1, channels.LimitSize, false},
		{"audio m4a", link(channels.KindAudio, "audio/x-m4a"), 1, "", true},
		{"audio wav", link(channels.KindVoice, "audio/wav"), 1, "", true},
		{"audio ogg", link(channels.KindAudio, "audio/ogg"), 1, channels.LimitType, false},
		{"file pdf", link(channels.KindDocument, "application/pdf"), 25 * mb, "", true},
		{"file docx", link(channels.KindDocument, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), 1, channels.LimitType, false},
		{"media by id only", channels.Outgoing{Kind: channels.KindImage, Media: &channels.OutMedia{ID: "m"}}, 0, "", false},
		{"sticker", link(channels.KindSticker, "image/webp"), 0, "", false},
		{"template", channels.Outgoing{Kind: channels.KindTemplate}, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := instagram.CheckOutgoing(tt.msg, tt.size)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			var le *channels.LimitError
			if isLimit := errors.As(err, &le); isLimit != (tt.what != "") || (isLimit && le.What != tt.what) {
				t.Fatalf("err = %#v, want LimitError %q", err, tt.what)
			}
		})
	}
}

func TestKindForMIME(t *testing.T) {
	for mime, want := range map[string]channels.Kind{
		"image/jpeg": channels.KindImage, "image/gif": channels.KindImage, "video/webm": channels.KindVideo,
		"audio/wav": channels.KindAudio, "application/pdf": channels.KindDocument, "image/webp": channels.KindDocument,
		"application/zip": channels.KindDocument,
	} {
		if got := instagram.KindForMIME(mime); got != want {
			t.Errorf("KindForMIME(%q) = %s, want %s", mime, got, want)
		}
	}
}
