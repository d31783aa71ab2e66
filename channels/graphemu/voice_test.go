package graphemu

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
)

// The Ogg checksum's check value ("123456789") is 0x89A1897F.
func TestOggCRC(t *testing.T) {
	if got := oggCRC([]byte("123456789")); got != 0x89A1897F {
		t.Fatalf("crc %#x", got)
	}
}

// oggPackets parses an Ogg stream, checking every page's checksum, and
// returns its packets and the last granule position.
func oggPackets(t *testing.T, b []byte) ([][]byte, uint64) {
	t.Helper()
	var packets [][]byte
	var granule uint64
	var cur []byte
	for len(b) > 0 {
		if len(b) < 27 || string(b[:4]) != "OggS" {
			t.Fatalf("bad page header")
		}
		nseg := int(b[26])
		lacing := b[27 : 27+nseg]
		size := 27 + nseg
		for _, l := range lacing {
			size += int(l)
		}
		page := append([]byte(nil), b[:size]...)
		want := binary.LittleEndian.Uint32(page[22:])
		copy(page[22:26], []byte{0, 0, 0, 0})
		if oggCRC(page) != want {
			t.Fatalf("page checksum mismatch")
		}
		granule = binary.LittleEndian.Uint64(b[6:])
		data := b[27+nseg : size]
		for _, l := range lacing {
			cur = append(cur, data[:l]...)
			data = data[l:]
			if l < 255 {
				packets = append(packets, cur)
				cur = nil
			}
		}
		b = b[size:]
	}
	return packets, granule
}

func TestVoiceSampleIsOggOpus(t *testing.T) {
	packets, granule := oggPackets(t, voiceSample())
	if !bytes.HasPrefix(packets[0], []byte("OpusHead")) || !bytes.HasPrefix(packets[1], []byte("OpusTags")) {
		t.Fatal("missing Opus headers")
	}
	if len(packets) != 77 || granule != 312+75*960 {
		t.Fatalf("%d packets, granule %d", len(packets), granule)
	}
}

// ebml encodes one element with an 8-byte size (or unknown size).
func ebml(id []byte, body []byte, unknown bool) []byte {
	out := append([]byte(nil), id...)
	size := make([]byte, 8)
	binary.BigEndian.PutUint64(size, uint64(len(body)))
	size[0] = 0x01
	if unknown {
		size = []byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
	}
	return append(append(out, size...), body...)
}

// A MediaRecorder-style WebM (unknown-size segment and clusters) becomes Ogg
// Opus with the same packets.
func TestWebMToOgg(t *testing.T) {
	head := opusHead(1, 3840)
	entry := slices.Concat(
		ebml([]byte{0xD7}, []byte{1}, false),
		ebml([]byte{0x86}, []byte("A_OPUS"), false),
		ebml([]byte{0x63, 0xA2}, head, false),
	)
	tracks := ebml([]byte{0x16, 0x54, 0xAE, 0x6B}, ebml([]byte{0xAE}, entry, false), false)
	var pkts [][]byte
	var cluster []byte
	cluster = append(cluster, ebml([]byte{0xE7}, []byte{0}, false)...)
	for i := range 60 {
		p := append([]byte{0xFC}, bytes.Repeat([]byte{byte(i)}, 40+i*5)...) // 20 ms CELT stereo frames, some over 255 bytes
		pkts = append(pkts, p)
		cluster = append(cluster, ebml([]byte{0xA3}, append([]byte{0x81, 0, byte(i), 0x80}, p...), false)...)
	}
	webm := slices.Concat(
		ebml([]byte{0x1A, 0x45, 0xDF, 0xA3}, ebml([]byte{0x42, 0x82}, []byte("webm"), false), false),
		ebml([]byte{0x18, 0x53, 0x80, 0x67}, slices.Concat(tracks, ebml([]byte{0x1F, 0x43, 0xB6, 0x75}, cluster, true)), true),
	)
	ogg, err := webmToOgg(webm)
	if err != nil {
		t.Fatal(err)
	}
	got, granule := oggPackets(t, ogg)
	if !bytes.Equal(got[0], head) {
		t.Errorf("OpusHead not carried over")
	}
	if len(got) != 62 || !bytes.Equal(got[2], pkts[0]) || !bytes.Equal(got[61], pkts[59]) {
		t.Fatalf("%d packets", len(got))
	}
	if granule != 3840+60*960 {
		t.Errorf("granule %d", granule)
	}
	if _, err := webmToOgg([]byte("not webm at all")); err == nil {
		t.Error("garbage accepted")
	}

	// Sent as a voice note, the recording arrives as Ogg Opus.
	f := newFixture(t)
	if _, err := f.emu.SendFile(testNumber, Client{ID: testClient}, KindVoice, File{Name: "voice.webm", MIME: "audio/webm", Data: webm}, ""); err != nil {
		t.Fatal(err)
	}
	conv := f.emu.Conversation(testNumber, testClient)
	data, mime, err := f.emu.Media(conv[0].Media.ID)
	if err != nil || mime != voiceMIME || !bytes.HasPrefix(data, []byte("OggS")) || conv[0].Media.FileName != "voice.ogg" {
		t.Errorf("stored voice: %v %q %q", err, mime, conv[0].Media.FileName)
	}
}
