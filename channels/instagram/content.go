package instagram

import (
	"net/url"
	"path"
	"strconv"
	"strings"

	"switchboard/channels"
)

// messages maps one Instagram message to ours. Instagram puts several
// attachments in one message under one mid; our model holds one attachment
// per message, so each attachment becomes its own message with ProviderID
// mid, mid+"#1", mid+"#2"... in order (stable across retries). The text, if
// any, and the quote go with the first.
func messages(m message) []channels.Message {
	var out []channels.Message
	switch {
	case m.IsUnsupported:
		out = []channels.Message{{Kind: channels.KindUnsupported, Text: "[unsupported: unknown]"}}
	case len(m.Attachments) == 0:
		out = []channels.Message{{Kind: channels.KindText, Text: m.Text}}
	default:
		for _, a := range m.Attachments {
			out = append(out, attachmentMessage(a))
		}
		if m.Text != "" {
			out[0].Text = joinLines(m.Text, out[0].Text)
		}
	}
	if m.ReplyTo != nil && m.ReplyTo.Story != nil {
		// A reply to the business's story: the client's words, then the
		// story's link, so the operator sees what was answered.
		out[0].Kind = channels.KindStory
		out[0].Text = joinLines(out[0].Text, m.ReplyTo.Story.URL)
	}
	for i := range out {
		out[i].ProviderID = m.MID
		if i > 0 {
			out[i].ProviderID = m.MID + "#" + strconv.Itoa(i)
		}
	}
	if m.ReplyTo != nil {
		out[0].ReplyTo = m.ReplyTo.MID
	}
	return out
}

// attachmentMessage maps one attachment. Files keep their CDN link for
// FetchMedia (links expire: fetch promptly). Stories the client mentioned
// us in are kept as a file too, and their link is the text. Shared posts and
// reels are shown as their link. Types Instagram adds later are placeholders.
func attachmentMessage(a attachment) channels.Message {
	link := a.Payload.URL
	file := func(kind channels.Kind) channels.Message {
		return channels.Message{Kind: kind, Media: &channels.MediaRef{URL: link, FileName: fileName(link)}}
	}
	switch a.Type {
	case "image":
		return file(channels.KindImage)
	case "video":
		return file(channels.KindVideo)
	case "audio":
		return file(channels.KindAudio)
	case "file":
		return file(channels.KindDocument)
	case "story_mention", "ig_story":
		m := file(channels.KindStory)
		m.Text = link
		return m
	case "share", "ig_reel", "reel", "ig_post":
		return channels.Message{Kind: channels.KindText, Text: joinLines(a.Payload.Title, link)}
	case "like_heart":
		return channels.Message{Kind: channels.KindText, Text: "❤"}
	}
	typ := a.Type
	if typ == "" {
		typ = "unknown"
	}
	return channels.Message{Kind: channels.KindUnsupported, Text: "[unsupported: " + typ + "]"}
}

// fileName is the last path segment of a CDN link, when it looks like a
// file name ("report.pdf"); CDN links carry no other name.
func fileName(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	name := path.Base(u.Path)
	if name == "." || !strings.Contains(name, ".") {
		return ""
	}
	return name
}

func joinLines(lines ...string) string {
	var kept []string
	for _, l := range lines {
		if l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}
