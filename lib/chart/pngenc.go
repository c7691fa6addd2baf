package chart

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"sync"
)

// chartd writes its PNGs itself because image/png tries all five row
// filters on every row, which costs more than drawing the chart. Charts are
// mostly long runs of one colour and rows like the one above: rows go
// unfiltered into rowDeflater, which looks for just those matches (see
// deflate.go).

const pngSignature = "\x89PNG\r\n\x1a\n"

func header(b *bytes.Buffer, w, h int, colourType byte) {
	b.WriteString(pngSignature)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, colourType // 8 bits a sample (or an index)
	chunk(b, "IHDR", ihdr[:])
}

// encodePaletted writes t's indices and palette as an 8-bit palette PNG.
// t.pix is already the filtered stream (a filter byte, then the row).
func encodePaletted(b *bytes.Buffer, t *palTarget) {
	header(b, t.w, t.h, 3) // colour type 3: palette indices
	var plte [3 * 256]byte
	for i := 0; i < t.n; i++ {
		copy(plte[3*i:], t.pal[i][:])
	}
	chunk(b, "PLTE", plte[:3*t.n])
	d := deflaters.Get().(*rowDeflater)
	defer deflaters.Put(d)
	stride := t.w + 1
	d.reset(d.w.out[:0], stride, 1)
	for y := 0; y < t.h; y++ {
		d.row(t.pix[y*stride:][:stride])
	}
	chunk(b, "IDAT", d.finish())
	chunk(b, "IEND", nil)
}

// encodePNG writes an opaque RGBA image as an 8-bit RGB PNG.
func encodePNG(b *bytes.Buffer, img *image.RGBA) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	header(b, w, h, 2) // colour type 2: truecolour (RGB)
	d := deflaters.Get().(*rowDeflater)
	defer deflaters.Put(d)
	d.reset(d.w.out[:0], 1+3*w, 3)
	// Two row buffers: the deflater matches against the previous row.
	rows := [2][]byte{make([]byte, 1+3*w), make([]byte, 1+3*w)} // row[0] = 0: filter None
	for y := 0; y < h; y++ {
		row := rows[y%2]
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
}

var deflaters = sync.Pool{New: func() any { return new(rowDeflater) }}

func chunk(b *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	b.Write(n[:])
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.Update(crc32.ChecksumIEEE([]byte(typ)), crc32.IEEETable, data)
	binary.BigEndian.PutUint32(n[:], crc)
	b.Write(n[:])
}
