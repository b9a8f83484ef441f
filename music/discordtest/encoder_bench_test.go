package discordtest

import (
	"bytes"
	"testing"
)

// BenchmarkEncode measures turning one 1.5 KB dispatch into a websocket
// message for each compression a client can ask for.
func BenchmarkEncode(b *testing.B) {
	payload := []byte(`{"op":0,"s":42,"t":"MESSAGE_CREATE","d":` + string(bytes.Repeat([]byte(`{"content":"Now playing: Never Gonna Give You Up","embeds":[]},`), 20)) + `{}}`)
	for _, mode := range []string{"", "zlib-stream", "zstd-stream"} {
		name := mode
		if name == "" {
			name = "none"
		}
		b.Run(name, func(b *testing.B) {
			enc, err := newEncoder(mode)
			if err != nil {
				b.Fatal(err)
			}
			defer enc.close()
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				if _, _, err := enc.encode(payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
