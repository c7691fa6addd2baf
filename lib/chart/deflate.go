package chart

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"sync"
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

// tablesOnce builds the tables on the first PNG, not at every start of a
// binary that may only draw SVG.
var tablesOnce sync.Once

func buildTables() {
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
	a, b = a[:n], b[:n]
	i := 0
	// 32 bytes a step while they agree: most matches are long.
	for ; i+32 <= n; i += 32 {
		x0 := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:])
		x1 := binary.LittleEndian.Uint64(a[i+8:]) ^ binary.LittleEndian.Uint64(b[i+8:])
		x2 := binary.LittleEndian.Uint64(a[i+16:]) ^ binary.LittleEndian.Uint64(b[i+16:])
		x3 := binary.LittleEndian.Uint64(a[i+24:]) ^ binary.LittleEndian.Uint64(b[i+24:])
		if x0|x1|x2|x3 != 0 {
			break
		}
	}
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
	prev      []byte // the previous row, as the caller passed it
	prevSum   uint32 // its Adler-32 from zero: Σb in the low half, Σ(n-i)·b_i in the high
	rowDist   uint32
	rowDCode  int
	pixelSize int
}

func (d *rowDeflater) reset(out []byte, rowLen, pixelSize int) {
	tablesOnce.Do(buildTables)
	d.w = bitWriter{out: append(out, 0x78, 0x01)} // zlib: deflate, 32 KiB window, fastest
	d.w.bits(1, 1)                                // BFINAL
	d.w.bits(1, 2)                                // BTYPE 01: fixed Huffman
	d.adler = 1
	d.prev = nil
	d.rowDist = uint32(rowLen)
	d.rowDCode = distCode(d.rowDist)
	d.pixelSize = pixelSize
}

// row compresses one stream row (filter byte and pixels). Rows must fit the
// 32 KiB window: rowLen <= 32768. The previous row's bytes must stay as
// they were until this call returns (the caller keeps two buffers, or the
// whole image).
func (d *rowDeflater) row(cur []byte) {
	if len(cur) >= 3 && len(d.prev) == len(cur) && bytes.Equal(cur, d.prev) {
		// A row like the one above (background, grid): its checksum is
		// known and it is a few long matches, without scanning it twice.
		d.adler = adler32Combine(d.adler, d.prevSum, len(cur))
		for n := len(cur); n > 0; {
			l := min(n, 258)
			if n-l > 0 && n-l < 3 {
				l = n - 3 // leave a match of at least 3
			}
			d.w.match(l, d.rowDist, d.rowDCode)
			n -= l
		}
		d.prev = cur
		return
	}
	d.prevSum = adler32Update(0, cur)
	d.adler = adler32Combine(d.adler, d.prevSum, len(cur))
	ps := d.pixelSize
	started := d.prev != nil
	for i := 0; i < len(cur); {
		best, dist, dcode := 0, uint32(0), 0
		// The first byte decides most positions, before a call.
		if started && cur[i] == d.prev[i] {
			if l := matchLen(cur[i:], d.prev[i:], 258); l >= 3 {
				best, dist, dcode = l, d.rowDist, d.rowDCode
			}
		}
		if best < 258 && i >= ps && cur[i] == cur[i-ps] {
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
	d.prev = cur
}

// finish ends the block and the zlib stream and returns the bytes.
func (d *rowDeflater) finish() []byte {
	d.w.bits(fixedLit[256].code, fixedLit[256].n) // end of block
	if d.w.nacc > 0 {
		d.w.bits(0, uint8(8-d.w.nacc))
	}
	d.prev = nil
	return binary.BigEndian.AppendUint32(d.w.out, d.adler)
}

// adler32Combine continues checksum a over n bytes whose Adler-32 from zero
// (adler32Update(0, ...)) is sum: appending them adds Σb to s1 and
// n·s1 + Σ(n-i)·b_i to s2.
func adler32Combine(a, sum uint32, n int) uint32 {
	const mod = 65521
	s1, s2 := uint64(a&0xffff), uint64(a>>16)
	s2 = (s2 + uint64(n%mod)*s1 + uint64(sum>>16)) % mod
	s1 = (s1 + uint64(sum&0xffff)) % mod
	return uint32(s2<<16 | s1)
}

// adler32Update continues a zlib Adler-32 checksum over p (hash/adler32
// cannot resume from a value without an allocation per row).
//
// It reads eight bytes at a time into 16-bit lanes: ae and ao add up the
// even and odd bytes of each position (Σb by lane), pe and po add up those
// sums after every block. For M blocks of 8 bytes, s1 gains Σb and s2 gains
// 8M·s1 + Σ_i (8M-i)·b_i = 8M·s1 + 8·Σ(p lanes) - Σ_j j·(lane j of a).
// Lanes are emptied every 16 blocks, before a p lane can pass 65535.
func adler32Update(a uint32, p []byte) uint32 {
	const mod = 65521
	const lo16 = 0x00FF00FF00FF00FF
	s1, s2 := uint64(a&0xffff), uint64(a>>16)
	for len(p) >= 128 {
		var ae, ao, pe, po uint64
		q := p[:128]
		for len(q) >= 8 {
			v := binary.LittleEndian.Uint64(q)
			ae += v & lo16
			ao += (v >> 8) & lo16
			pe += ae
			po += ao
			q = q[8:]
		}
		sumA := lanes16(ae) + lanes16(ao)
		sumP := lanes32(pe) + lanes32(po)
		// Σ j·lane_j: even lanes hold j = 0, 2, 4, 6, odd ones j = 1, 3, 5, 7.
		wA := 2*(ae>>16&0xffff) + 4*(ae>>32&0xffff) + 6*(ae>>48) +
			(ao & 0xffff) + 3*(ao>>16&0xffff) + 5*(ao>>32&0xffff) + 7*(ao>>48)
		s2 = (s2 + 128*s1 + 8*sumP - wA) % mod
		s1 = (s1 + sumA) % mod
		p = p[128:]
	}
	for _, b := range p {
		s1 += uint64(b)
		s2 += s1
	}
	return uint32((s2%mod)<<16 | s1%mod)
}

// lanes16 adds the four 16-bit lanes of x (their sum must fit 16 bits).
func lanes16(x uint64) uint64 { return (x * 0x0001000100010001) >> 48 }

// lanes32 adds the four 16-bit lanes of x.
func lanes32(x uint64) uint64 {
	x = x&0x0000FFFF0000FFFF + x>>16&0x0000FFFF0000FFFF
	return x&0xFFFFFFFF + x>>32
}
