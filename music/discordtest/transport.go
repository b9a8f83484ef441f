package discordtest

import (
	"bytes"
	"compress/zlib"
	"fmt"

	"github.com/gorilla/websocket"
	"github.com/klauspost/compress/zstd"
)

// encoder turns one gateway payload into one websocket message. The stream
// encoders keep one compression context for the life of the connection and
// flush after every payload, as Discord does for the compress=zlib-stream
// and compress=zstd-stream query parameters.
type encoder interface {
	encode(payload []byte) (messageType int, data []byte, err error)
	close()
}

// newEncoder returns the encoder for a compress query value.
func newEncoder(compress string) (encoder, error) {
	switch compress {
	case "":
		return plainEncoder{}, nil
	case "zlib-stream":
		e := &zlibEncoder{}
		e.w = zlib.NewWriter(&e.buf)
		return e, nil
	case "zstd-stream":
		e := &zstdEncoder{}
		w, err := zstd.NewWriter(&e.buf, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithLowerEncoderMem(true), zstd.WithWindowSize(1<<20))
		if err != nil {
			return nil, err
		}
		e.w = w
		return e, nil
	default:
		return nil, fmt.Errorf("discordtest: unsupported compression %q", compress)
	}
}

type plainEncoder struct{}

func (plainEncoder) encode(p []byte) (int, []byte, error) { return websocket.TextMessage, p, nil }
func (plainEncoder) close()                               {}

type zlibEncoder struct {
	buf bytes.Buffer
	w   *zlib.Writer
}

// encode writes p and a sync flush, so every message ends in 00 00 ff ff.
func (e *zlibEncoder) encode(p []byte) (int, []byte, error) {
	e.buf.Reset()
	if _, err := e.w.Write(p); err != nil {
		return 0, nil, err
	}
	if err := e.w.Flush(); err != nil {
		return 0, nil, err
	}
	return websocket.BinaryMessage, bytes.Clone(e.buf.Bytes()), nil
}

func (e *zlibEncoder) close() { _ = e.w.Close() }

type zstdEncoder struct {
	buf bytes.Buffer
	w   *zstd.Encoder
}

// encode writes p and flushes a block, continuing one zstd frame.
func (e *zstdEncoder) encode(p []byte) (int, []byte, error) {
	e.buf.Reset()
	if _, err := e.w.Write(p); err != nil {
		return 0, nil, err
	}
	if err := e.w.Flush(); err != nil {
		return 0, nil, err
	}
	return websocket.BinaryMessage, bytes.Clone(e.buf.Bytes()), nil
}

func (e *zstdEncoder) close() { _ = e.w.Close() }
