package table

import (
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// zstdCodec is the zstd codec of eisweep's Parquet files: arrow-go's, but encoding at zstd's
// fastest level without forcing entropy coding on literals. The measurement columns are doubles
// with few repeats, where entropy-coding the literals took half of a runs file's encoding for a
// tenth of its size: on a file of 20,000 seed runs, 4.10 MB in about 70 ms of one CPU with
// arrow-go's encoder (level 3, literals always entropy-coded), 4.50 MB in about 35 ms with this one
// (TestZstdCodec keeps the size in check). Decoding is arrow-go's.
type zstdCodec struct {
	compress.Codec
	enc *zstd.Encoder
}

func (z zstdCodec) Encode(dst, src []byte) []byte { return z.enc.EncodeAll(src, dst[:0]) }

// EncodeLevel ignores the level: eisweep's files set none.
func (z zstdCodec) EncodeLevel(dst, src []byte, _ int) []byte { return z.enc.EncodeAll(src, dst[:0]) }

func init() {
	arrow, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		panic(err)
	}
	// EncodeAll may be called from several goroutines at once; each call takes one of the
	// encoder's states (GOMAXPROCS of them).
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithAllLitEntropyCompression(false), zstd.WithZeroFrames(true),
		// No frame checksum: a page is checked by the file's hash (store), and the checksum was 2 % of
		// the encoding.
		zstd.WithEncoderCRC(false))
	if err != nil {
		panic(err)
	}
	compress.RegisterCodec(compress.Codecs.Zstd, zstdCodec{arrow, enc})
}
