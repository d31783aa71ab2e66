package graphemu

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Voice notes on WhatsApp are Ogg Opus. The phone page records with the
// browser's MediaRecorder, which (in Chromium) writes WebM, so recordings are
// remuxed here into Ogg without re-encoding; with no microphone the page
// sends a bundled sample built in code.

// voiceSample returns a small valid Ogg Opus file: 1.5 s of silence.
var voiceSample = sync.OnceValue(func() []byte {
	packets := make([][]byte, 75)
	for i := range packets {
		packets[i] = []byte{0xF8, 0xFF, 0xFE} // 20 ms CELT-only fullband mono frame of silence
	}
	return oggOpus(opusHead(1, 312), packets)
})

// opusHead builds an OpusHead identification header.
func opusHead(channels byte, preSkip uint16) []byte {
	head := []byte("OpusHead")
	head = append(head, 1, channels)
	head = binary.LittleEndian.AppendUint16(head, preSkip)
	head = binary.LittleEndian.AppendUint32(head, 48000)
	head = binary.LittleEndian.AppendUint16(head, 0) // output gain
	return append(head, 0)                           // channel mapping family
}

// oggOpus writes an Ogg Opus stream: the OpusHead page, an OpusTags page,
// then the audio packets with granule positions counted in 48 kHz samples.
func oggOpus(head []byte, packets [][]byte) []byte {
	const serial = 0x53424f58
	preSkip := uint64(0)
	if len(head) >= 12 {
		preSkip = uint64(binary.LittleEndian.Uint16(head[10:]))
	}
	var out bytes.Buffer
	out.Write(oggPage(0x02, 0, serial, 0, [][]byte{head}))
	vendor := "switchboard graphemu"
	tags := []byte("OpusTags")
	tags = binary.LittleEndian.AppendUint32(tags, uint32(len(vendor)))
	tags = append(tags, vendor...)
	tags = binary.LittleEndian.AppendUint32(tags, 0)
	out.Write(oggPage(0, 0, serial, 1, [][]byte{tags}))

	seq := uint32(2)
	granule := preSkip
	var page [][]byte
	segments := 0
	flush := func(last bool) {
		flags := byte(0)
		if last {
			flags = 0x04
		}
		out.Write(oggPage(flags, granule, serial, seq, page))
		seq++
		page, segments = nil, 0
	}
	for _, p := range packets {
		n := len(p)/255 + 1
		if segments+n > 255 {
			flush(false)
		}
		page = append(page, p)
		segments += n
		granule += uint64(opusSamples(p))
	}
	flush(true)
	return out.Bytes()
}

// oggPage builds one Ogg page holding whole packets.
func oggPage(flags byte, granule uint64, serial, seq uint32, packets [][]byte) []byte {
	var lacing []byte
	for _, pk := range packets {
		n := len(pk)
		for n >= 255 {
			lacing = append(lacing, 255)
			n -= 255
		}
		lacing = append(lacing, byte(n))
	}
	p := []byte("OggS")
	p = append(p, 0, flags)
	p = binary.LittleEndian.AppendUint64(p, granule)
	p = binary.LittleEndian.AppendUint32(p, serial)
	p = binary.LittleEndian.AppendUint32(p, seq)
	p = append(p, 0, 0, 0, 0) // CRC, filled below
	p = append(p, byte(len(lacing)))
	p = append(p, lacing...)
	for _, pk := range packets {
		p = append(p, pk...)
	}
	binary.LittleEndian.PutUint32(p[22:], oggCRC(p))
	return p
}

// oggCRC is the Ogg checksum: CRC-32, polynomial 0x04c11db7, unreflected.
func oggCRC(b []byte) uint32 {
	var crc uint32
	for _, c := range b {
		crc ^= uint32(c) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// opusSamples is the duration of an Opus packet in 48 kHz samples (RFC 6716 3.1).
func opusSamples(p []byte) int {
	if len(p) == 0 {
		return 0
	}
	config := int(p[0] >> 3)
	var tenths int // frame duration in tenths of a millisecond
	switch {
	case config < 12:
		tenths = []int{100, 200, 400, 600}[config%4]
	case config < 16:
		tenths = []int{100, 200}[config%2]
	default:
		tenths = []int{25, 50, 100, 200}[config%4]
	}
	frames := 1
	switch p[0] & 3 {
	case 1, 2:
		frames = 2
	case 3:
		if len(p) < 2 {
			return 0
		}
		frames = int(p[1] & 0x3F)
	}
	return frames * tenths * 48 / 10
}

// errNotOpusWebM is returned for recordings that are not WebM with Opus audio.
var errNotOpusWebM = errors.New("graphemu: recording is not WebM with Opus audio")

// webmToOgg remuxes a WebM/Matroska Opus recording into Ogg Opus.
func webmToOgg(data []byte) ([]byte, error) {
	head, packets, err := webmOpus(data)
	if err != nil {
		return nil, err
	}
	if head == nil {
		channels := byte(1)
		if packets[0][0]&0x04 != 0 {
			channels = 2
		}
		head = opusHead(channels, 312)
	}
	return oggOpus(head, packets), nil
}

// EBML ids read by webmOpus.
const (
	ebmlSegment      = 0x18538067
	ebmlCluster      = 0x1F43B675
	ebmlTracks       = 0x1654AE6B
	ebmlTrackEntry   = 0xAE
	ebmlTrackNumber  = 0xD7
	ebmlCodecID      = 0x86
	ebmlCodecPrivate = 0x63A2
	ebmlBlockGroup   = 0xA0
	ebmlBlock        = 0xA1
	ebmlSimpleBlock  = 0xA3
)

// webmOpus walks the EBML elements of a recording and returns the Opus
// track's OpusHead (CodecPrivate, nil if absent) and its packets in order.
// Masters are entered rather than skipped, so unknown-size segments and
// clusters (as MediaRecorder writes them) need no special case.
func webmOpus(data []byte) ([]byte, [][]byte, error) {
	masters := map[uint64]bool{ebmlSegment: true, ebmlCluster: true, ebmlTracks: true, ebmlTrackEntry: true, ebmlBlockGroup: true}
	var head []byte
	var packets [][]byte
	var track, opusTrack uint64
	for pos := 0; pos < len(data); {
		id, n := ebmlVint(data[pos:], false)
		if n == 0 {
			break
		}
		pos += n
		size, m := ebmlVint(data[pos:], true)
		if m == 0 {
			break
		}
		pos += m
		if masters[id] {
			continue
		}
		end := pos + int(size)
		if size == unknownSize || end > len(data) || end < pos {
			end = len(data)
		}
		body := data[pos:end]
		pos = end
		switch id {
		case ebmlTrackNumber:
			track = ebmlUint(body)
		case ebmlCodecID:
			if strings.TrimRight(string(body), "\x00") == "A_OPUS" {
				opusTrack = track
			}
		case ebmlCodecPrivate:
			if bytes.HasPrefix(body, []byte("OpusHead")) {
				head = append([]byte(nil), body...)
			}
		case ebmlSimpleBlock, ebmlBlock:
			num, k := ebmlVint(body, true)
			if k == 0 || len(body) < k+3 {
				continue
			}
			if opusTrack != 0 && num != opusTrack {
				continue
			}
			if body[k+2]&0x06 != 0 {
				return nil, nil, errors.New("graphemu: laced WebM blocks are not supported")
			}
			packets = append(packets, append([]byte(nil), body[k+3:]...))
		}
	}
	if opusTrack == 0 || len(packets) == 0 {
		return nil, nil, errNotOpusWebM
	}
	return head, packets, nil
}

// unknownSize marks an EBML element whose size is not given.
const unknownSize = 1<<56 - 1

// ebmlVint reads a variable-length integer; stripMarker drops the length
// marker bit (sizes and track numbers), else it is kept (element ids). An
// all-ones size is returned as unknownSize. n is 0 on malformed input.
func ebmlVint(b []byte, stripMarker bool) (v uint64, n int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	n = 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if n > 8 || len(b) < n {
		return 0, 0
	}
	first := uint64(b[0])
	if stripMarker {
		first &= uint64(0xFF >> n)
	}
	v = first
	allOnes := first == uint64(0xFF>>n)
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
		allOnes = allOnes && c == 0xFF
	}
	if stripMarker && allOnes {
		return unknownSize, n
	}
	return v, n
}

// ebmlUint reads a big-endian unsigned integer element body.
func ebmlUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// handleVoiceSample serves the bundled voice note.
func (e *Emulator) handleVoiceSample(w http.ResponseWriter, r *http.Request) {
	data := voiceSample()
	w.Header().Set("Content-Type", "audio/ogg")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
