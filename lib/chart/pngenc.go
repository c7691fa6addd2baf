package chart

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"sync"
)

// encodePNG writes an opaque RGBA image as an 8-bit RGB PNG. It exists
// because image/png tries all five row filters on every row, which costs
// more than drawing the chart. Charts are mostly long runs of one colour,
// which fast deflate finds without any filter: measured on the Temperature
// chart at 2x, no filter was both faster and 40% smaller than "Up".
func encodePNG(b *bytes.Buffer, img *image.RGBA) error {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	b.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits, truecolour (RGB)
	chunk(b, "IHDR", ihdr[:])

	z := zlibWriters.Get().(*zlibBuf)
	defer zlibWriters.Put(z)
	z.out.Reset()
	z.zw.Reset(&z.out)
	row := make([]byte, 1+3*w) // row[0] = 0: filter None
	for y := 0; y < h; y++ {
		pix := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x, o := 0, 1; x < w; x, o = x+1, o+3 {
			row[o], row[o+1], row[o+2] = pix[4*x], pix[4*x+1], pix[4*x+2]
		}
		if _, err := z.zw.Write(row); err != nil {
			return err
		}
	}
	if err := z.zw.Close(); err != nil {
		return err
	}
	chunk(b, "IDAT", z.out.Bytes())
	chunk(b, "IEND", nil)
	return nil
}

type zlibBuf struct {
	out bytes.Buffer
	zw  *zlib.Writer
}

var zlibWriters = sync.Pool{New: func() any {
	z := &zlibBuf{}
	z.zw, _ = zlib.NewWriterLevel(&z.out, zlib.BestSpeed) // the level is valid
	return z
}}

func chunk(b *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	b.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	b.WriteString(typ)
	b.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	b.Write(n[:])
}
