package chart

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"sync"
)

// encodePNG writes an opaque RGBA image as an 8-bit RGB PNG. It exists
// because image/png tries all five row filters on every row, which costs
// more than drawing the chart. Charts are mostly long runs of one colour
// and rows like the one above: rows go unfiltered into rowDeflater, which
// looks for just those matches (see deflate.go).
func encodePNG(b *bytes.Buffer, img *image.RGBA) error {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	b.WriteString("\x89PNG\r\n\x1a\n")
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 2 // 8 bits, truecolour (RGB)
	chunk(b, "IHDR", ihdr[:])

	d := deflaters.Get().(*rowDeflater)
	defer deflaters.Put(d)
	d.reset(d.w.out[:0], 1+3*w, 3)
	row := make([]byte, 1+3*w) // row[0] = 0: filter None
	for y := 0; y < h; y++ {
		src := img.Pix[y*img.Stride : y*img.Stride+4*w]
		dst := row[1:]
		for len(src) >= 4 && len(dst) >= 3 { // shaped for bounds-check elimination
			dst[0], dst[1], dst[2] = src[0], src[1], src[2]
			src, dst = src[4:], dst[3:]
		}
		d.row(row)
	}
	chunk(b, "IDAT", d.finish())
	chunk(b, "IEND", nil)
	return nil
}

var deflaters = sync.Pool{New: func() any { return new(rowDeflater) }}

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
