package graphemu

import (
	"bytes"
	"encoding/binary"
	"net/http"
	"strconv"
	"sync"
)

// voiceSample returns a small valid Ogg Opus file (about 1.5 s of silence):
// the "record voice" fallback of the phone page when there is no microphone.
// It is built in code rather than shipped as a binary.
var voiceSample = sync.OnceValue(func() []byte {
	const serial = 0x53424f58
	var out bytes.Buffer

	head := []byte("OpusHead")
	head = append(head, 1, 1)                          // version, mono
	head = binary.LittleEndian.AppendUint16(head, 312) // pre-skip
	head = binary.LittleEndian.AppendUint32(head, 48000)
	head = binary.LittleEndian.AppendUint16(head, 0) // output gain
	head = append(head, 0)                           // channel mapping family
	out.Write(oggPage(0x02, 0, serial, 0, [][]byte{head}))

	vendor := "switchboard graphemu"
	tags := []byte("OpusTags")
	tags = binary.LittleEndian.AppendUint32(tags, uint32(len(vendor)))
	tags = append(tags, vendor...)
	tags = binary.LittleEndian.AppendUint32(tags, 0)
	out.Write(oggPage(0, 0, serial, 1, [][]byte{tags}))

	// 20 ms CELT-only fullband mono frames of silence.
	const frames = 75
	packets := make([][]byte, frames)
	for i := range packets {
		packets[i] = []byte{0xF8, 0xFF, 0xFE}
	}
	out.Write(oggPage(0x04, 312+frames*960, serial, 2, packets))
	return out.Bytes()
})

// oggPage builds one Ogg page holding whole packets (each < 255 bytes).
func oggPage(flags byte, granule uint64, serial, seq uint32, packets [][]byte) []byte {
	p := []byte("OggS")
	p = append(p, 0, flags)
	p = binary.LittleEndian.AppendUint64(p, granule)
	p = binary.LittleEndian.AppendUint32(p, serial)
	p = binary.LittleEndian.AppendUint32(p, seq)
	p = append(p, 0, 0, 0, 0) // CRC, filled below
	p = append(p, byte(len(packets)))
	for _, pk := range packets {
		p = append(p, byte(len(pk)))
	}
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

// handleVoiceSample serves the bundled voice note.
func (e *Emulator) handleVoiceSample(w http.ResponseWriter, r *http.Request) {
	data := voiceSample()
	w.Header().Set("Content-Type", "audio/ogg")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
