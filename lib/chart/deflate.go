package chart

import (
	"encoding/binary"
	"math/bits"
)

// A zlib stream writer specialised for chart bitmaps, used by encodePNG.
// compress/flate at its fastest level spends most of a PNG render hashing
// and building Huffman tables, yet a chart's rows are mostly the row above
// (background, horizontal grid) or runs of one colour. This writer looks for
// exactly those two matches, the same bytes one row up and the same pixel
// to the left, and writes one fixed-Huffman deflate block (RFC 1951 §3.2.6).
// Tests decode every output with image/png and compare every pixel.

// fixedLit holds the bit-reversed fixed Huffman code and its length for
// literal/length symbols 0..287.
var fixedLit [288]struct {
	code uint32
	n    uint8
}

// Length symbols: for a match length 3..258, its symbol, extra bits and base.
var lenSym [259]struct {
	sym   uint16
	extra uint8
	base  uint16
}

// Distance codes: base distance and extra bits of codes 0..29.
var distBase = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
	1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}

func distExtra(code int) uint8 {
	if code < 4 {
		return 0
	}
	return uint8(code/2 - 1)
}

func init() {
	for s := 0; s < 288; s++ {
		var code uint32
		var n uint8
		switch {
		case s < 144:
			code, n = 0x30+uint32(s), 8
		case s < 256:
			code, n = 0x190+uint32(s-144), 9
		case s < 280:
			code, n = uint32(s-256), 7
		default:
			code, n = 0xC0+uint32(s-280), 8
		}
		fixedLit[s].code = bits.Reverse32(code) >> (32 - n)
		fixedLit[s].n = n
	}
	bases := [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	extras := [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	for i := 28; i >= 0; i-- {
		for l := int(bases[i]); l <= 258 && lenSym[l].sym == 0; l++ {
			lenSym[l].sym, lenSym[l].extra, lenSym[l].base = uint16(257+i), extras[i], bases[i]
		}
	}
}

type bitWriter struct {
	out  []byte
	acc  uint64
	nacc uint
}

func (w *bitWriter) bits(v uint32, n uint8) {
	w.acc |= uint64(v) << w.nacc
	w.nacc += uint(n)
	for w.nacc >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

func (w *bitWriter) literal(b byte) { w.bits(fixedLit[b].code, fixedLit[b].n) }

// match writes a (length, distance) pair; dcode is the distance's code.
func (w *bitWriter) match(length int, dist uint32, dcode int) {
	ls := lenSym[length]
	w.bits(fixedLit[ls.sym].code, fixedLit[ls.sym].n)
	if ls.extra > 0 {
		w.bits(uint32(length)-uint32(ls.base), ls.extra)
	}
	w.bits(bits.Reverse32(uint32(dcode))>>27, 5)
	if e := distExtra(dcode); e > 0 {
		w.bits(dist-distBase[dcode], e)
	}
}

func distCode(d uint32) int {
	c := 0
	for c+1 < len(distBase) && distBase[c+1] <= d {
		c++
	}
	return c
}

// matchLen is how many bytes of a equal b, at most max (a and b at least
// max long, or the shorter length).
func matchLen(a, b []byte, max int) int {
	n := min(len(a), len(b), max)
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for ; i < n && a[i] == b[i]; i++ {
	}
	return i
}

// rowDeflater compresses a PNG image stream row by row.
type rowDeflater struct {
	w         bitWriter
	adler     uint32
	prev      []byte
	started   bool
	rowDist   uint32
	rowDCode  int
	pixelSize int
}

func (d *rowDeflater) reset(out []byte, rowLen, pixelSize int) {
	d.w = bitWriter{out: append(out, 0x78, 0x01)} // zlib: deflate, 32 KiB window, fastest
	d.w.bits(1, 1)                                // BFINAL
	d.w.bits(1, 2)                                // BTYPE 01: fixed Huffman
	d.adler = 1
	d.prev = d.prev[:0]
	d.started = false
	d.rowDist = uint32(rowLen)
	d.rowDCode = distCode(d.rowDist)
	d.pixelSize = pixelSize
}

// row compresses one stream row (filter byte and pixels). Rows must fit the
// 32 KiB window: rowLen <= 32768.
func (d *rowDeflater) row(cur []byte) {
	d.adler = adler32Update(d.adler, cur)
	ps := d.pixelSize
	for i := 0; i < len(cur); {
		best, dist, dcode := 0, uint32(0), 0
		if d.started {
			if l := matchLen(cur[i:], d.prev[i:], 258); l >= 3 {
				best, dist, dcode = l, d.rowDist, d.rowDCode
			}
		}
		if best < 258 && i >= ps {
			if l := matchLen(cur[i:], cur[i-ps:], 258); l >= 3 && l > best {
				best, dist, dcode = l, uint32(ps), ps-1 // distances 1..4 are codes 0..3
			}
		}
		if best >= 3 {
			d.w.match(best, dist, dcode)
			i += best
			continue
		}
		d.w.literal(cur[i])
		i++
	}
	d.prev = append(d.prev[:0], cur...)
	d.started = true
}

// finish ends the block and the zlib stream and returns the bytes.
func (d *rowDeflater) finish() []byte {
	d.w.bits(fixedLit[256].code, fixedLit[256].n) // end of block
	if d.w.nacc > 0 {
		d.w.bits(0, uint8(8-d.w.nacc))
	}
	return binary.BigEndian.AppendUint32(d.w.out, d.adler)
}

// adler32Update continues a zlib Adler-32 checksum over p (hash/adler32
// cannot resume from a value without an allocation per row).
func adler32Update(a uint32, p []byte) uint32 {
	const mod = 65521
	s1, s2 := a&0xffff, a>>16
	for len(p) > 0 {
		n := min(len(p), 5552) // the most bytes before s2 can overflow
		q := p[:n]
		// Eight bytes at a time: s2 gains 8·s1 plus the bytes weighted 8..1,
		// which avoids a dependency between consecutive additions.
		for len(q) >= 8 {
			b0, b1, b2, b3 := uint32(q[0]), uint32(q[1]), uint32(q[2]), uint32(q[3])
			b4, b5, b6, b7 := uint32(q[4]), uint32(q[5]), uint32(q[6]), uint32(q[7])
			s2 += 8*s1 + 8*b0 + 7*b1 + 6*b2 + 5*b3 + 4*b4 + 3*b5 + 2*b6 + b7
			s1 += b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7
			q = q[8:]
		}
		for _, b := range q {
			s1 += uint32(b)
			s2 += s1
		}
		s1 %= mod
		s2 %= mod
		p = p[n:]
	}
	return s2<<16 | s1
}
