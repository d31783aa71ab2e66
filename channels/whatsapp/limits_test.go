package whatsapp_test

import (
	"errors"
	"strings"
	"testing"

	"switchboard/channels"
	"switchboard/channels/whatsapp"
)

func media(kind channels.Kind, mime, caption string) channels.Outgoing {
	return channels.Outgoing{To: "1", Kind: kind, Text: caption, Media: &channels.OutMedia{ID: "m", MIME: mime}}
}

func TestCheckOutgoing(t *testing.T) {
	const mb = 1000 * 1000
	tests := []struct {
		name string
		msg  channels.Outgoing
		size int64
		what string // LimitError.What; "" for no LimitError
		ok   bool
	}{
		{"text at the limit (runes, not bytes)", textTo(strings.Repeat("ж", 4096)), 0, "", true},
		{"text over the limit", textTo(strings.Repeat("a", 4097)), 0, channels.LimitText, false},
		{"caption at the limit", media(channels.KindImage, "image/png", strings.Repeat("a", 1024)), 1, "", true},
		{"caption over the limit", media(channels.KindVideo, "video/mp4", strings.Repeat("a", 1025)), 1, channels.LimitCaption, false},
		{"audio takes no caption", media(channels.KindAudio, "audio/mpeg", "hi"), 1, channels.LimitCaption, false},
		{"sticker takes no caption", media(channels.KindSticker, "image/webp", "hi"), 1, channels.LimitCaption, false},
		{"image jpeg 5 MB", media(channels.KindImage, "image/jpeg", ""), 5 * mb, "", true},
		{"image over 5 MB", media(channels.KindImage, "image/jpeg", ""), 5*mb + 1, channels.LimitSize, false},
		{"image gif", media(channels.KindImage, "image/gif", ""), 1, channels.LimitType, false},
		{"image type with case and params", media(channels.KindImage, "Image/PNG; charset=x", ""), 1, "", true},
		{"audio ogg opus", media(channels.KindAudio, "audio/ogg; codecs=opus", ""), 16 * mb, "", true},
		{"audio aac amr mpeg mp4", media(channels.KindAudio, "audio/amr", ""), 1, "", true},
		{"audio over 16 MB", media(channels.KindAudio, "audio/aac", ""), 16*mb + 1, channels.LimitSize, false},
		{"audio wav", media(channels.KindAudio, "audio/wav", ""), 1, channels.LimitType, false},
		{"voice ogg", media(channels.KindVoice, "audio/ogg", ""), 1, "", true},
		{"video 3gpp", media(channels.KindVideo, "video/3gpp", ""), 16 * mb, "", true},
		{"video quicktime", media(channels.KindVideo, "video/quicktime", ""), 1, channels.LimitType, false},
		{"video over 16 MB", media(channels.KindVideo, "video/mp4", ""), 17 * mb, channels.LimitSize, false},
		{"document pdf 100 MB", media(channels.KindDocument, "application/pdf", "doc"), 100 * mb, "", true},
		{"document xlsx", media(channels.KindDocument, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ""), 1, "", true},
		{"document over 100 MB", media(channels.KindDocument, "text/plain", ""), 100*mb + 1, channels.LimitSize, false},
		{"document zip", media(channels.KindDocument, "application/zip", ""), 1, channels.LimitType, false},
		{"sticker webp 100 KB", media(channels.KindSticker, "image/webp", ""), 100 * 1000, "", true},
		{"sticker over 100 KB", media(channels.KindSticker, "image/webp", ""), 100*1000 + 1, channels.LimitSize, false},
		{"unknown size is not checked", media(channels.KindImage, "image/png", ""), 0, "", true},
		{"unknown MIME is not checked", media(channels.KindImage, "", ""), 1, "", true},
		{"media kind without media", channels.Outgoing{To: "1", Kind: channels.KindImage}, 0, "", false},
		{"template without name", channels.Outgoing{To: "1", Kind: channels.KindTemplate}, 0, "", false},
		{"template", channels.Outgoing{To: "1", Kind: channels.KindTemplate,
			Template: &channels.OutTemplate{Name: "t", Language: "en"}}, 0, "", true},
		{"location cannot be sent", channels.Outgoing{To: "1", Kind: channels.KindLocation}, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := whatsapp.CheckOutgoing(tt.msg, tt.size)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			var le *channels.LimitError
			isLimit := errors.As(err, &le)
			if tt.what == "" {
				if isLimit {
					t.Fatalf("unexpected LimitError %+v", le)
				}
				return
			}
			if !isLimit || le.What != tt.what || le.Kind != tt.msg.Kind || le.Message == "" {
				t.Fatalf("err = %#v, want a %s LimitError", err, tt.what)
			}
			if tt.what == channels.LimitSize && (le.Got != tt.size || le.Limit >= tt.size) {
				t.Errorf("size error Limit=%d Got=%d", le.Limit, le.Got)
			}
		})
	}
}

func TestLimitErrorMessages(t *testing.T) {
	err := whatsapp.CheckOutgoing(media(channels.KindImage, "image/jpeg", ""), 7_200_000)
	if got, want := err.Error(), "channels: image is too large for WhatsApp: 7.2 MB, the limit is 5.0 MB"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	err = whatsapp.CheckOutgoing(textTo(strings.Repeat("a", 5000)), 0)
	if got, want := err.Error(), "channels: text is too long for WhatsApp: 5000 characters, the limit is 4096"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

func TestKindForMIME(t *testing.T) {
	tests := []struct {
		mime string
		size int64
		kind channels.Kind // KindForMIME
		file channels.Kind // KindForFile with size
	}{
		{"image/jpeg", 1000, channels.KindImage, channels.KindImage},
		{"image/png", 6 * 1000 * 1000, channels.KindImage, channels.KindDocument},
		{"image/gif", 1, channels.KindDocument, channels.KindDocument},
		{"image/webp", 1, channels.KindDocument, channels.KindDocument},
		{"application/pdf", 1, channels.KindDocument, channels.KindDocument},
		{"audio/ogg; codecs=opus", 1, channels.KindAudio, channels.KindAudio},
		{"audio/mpeg", 20 * 1000 * 1000, channels.KindAudio, channels.KindDocument},
		{"video/mp4", 1, channels.KindVideo, channels.KindVideo},
		{"VIDEO/3GPP", 1, channels.KindVideo, channels.KindVideo},
		{"application/x-whatever", 1, channels.KindDocument, channels.KindDocument},
		{"", 1, channels.KindDocument, channels.KindDocument},
	}
	for _, tt := range tests {
		if got := whatsapp.KindForMIME(tt.mime); got != tt.kind {
			t.Errorf("KindForMIME(%q) = %s, want %s", tt.mime, got, tt.kind)
		}
		if got := whatsapp.KindForFile(tt.mime, tt.size); got != tt.file {
			t.Errorf("KindForFile(%q, %d) = %s, want %s", tt.mime, tt.size, got, tt.file)
		}
	}
}
