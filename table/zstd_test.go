package table

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// TestZstdCodec: the zstd codec of eisweep's files is this package's; what it encodes, a plain
// zstd decoder decodes to the input; and it compresses pages like a run's measurements (doubles
// of few repeats, beside constant columns) to within 15 % of arrow-go's own encoder.
func TestZstdCodec(t *testing.T) {
	c, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	ours, ok := c.(zstdCodec)
	if !ok {
		t.Fatalf("zstd codec is %T, not this package's", c)
	}
	arrowEnc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithAllLitEntropyCompression(true), zstd.WithZeroFrames(true))
	if err != nil {
		t.Fatal(err)
	}
	dec, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	var measured, constant []byte
	for i := range 2048 {
		// A rate: spikes in a 1 s window, so few distinct values; a charge: all distinct.
		measured = binary.LittleEndian.AppendUint64(measured, math.Float64bits(float64(20+i*7%13)))
		measured = binary.LittleEndian.AppendUint64(measured, math.Float64bits(28000+1000*math.Sin(float64(i)*0.37)))
		constant = binary.LittleEndian.AppendUint64(constant, math.Float64bits(0.7e-9))
	}
	for _, page := range [][]byte{measured, constant} {
		enc := ours.Encode(nil, page)
		back, err := dec.DecodeAll(enc, nil)
		if err != nil || !bytes.Equal(back, page) {
			t.Fatalf("decoded %d bytes (%v), want the %d encoded", len(back), err, len(page))
		}
		if back := c.Decode(nil, enc); !bytes.Equal(back, page) {
			t.Fatal("the codec's own Decode does not give back the page")
		}
		theirs := arrowEnc.EncodeAll(page, nil)
		if len(enc) > len(theirs)*115/100 || len(enc) >= len(page)/2 {
			t.Errorf("page of %d bytes: %d encoded, arrow-go's encoder %d", len(page), len(enc), len(theirs))
		}
		t.Logf("page of %d bytes: %d encoded, arrow-go's encoder %d", len(page), len(enc), len(theirs))
	}
}
