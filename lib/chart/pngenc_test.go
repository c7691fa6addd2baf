package chart

import (
	"bytes"
	"hash/adler32"
	"image"
	"image/png"
	"math/rand/v2"
	"testing"
)

// Every PNG chartd writes decodes (with the standard library) to exactly
// the bitmap it drew: the hand-rolled deflate must be lossless.
func TestEncodePNGRoundTrip(t *testing.T) {
	var imgs []*image.RGBA
	for _, c := range goldenCases {
		img, err := Layout(mustParse(t, c.query)).Image(2)
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	// Noise (literals only), one colour (long runs), the widest bitmap, and
	// rows that repeat with a shift.
	r := rand.New(rand.NewPCG(5, 6))
	noise := image.NewRGBA(image.Rect(0, 0, 97, 31))
	for i := range noise.Pix {
		noise.Pix[i] = byte(r.Uint32())
		if i%4 == 3 {
			noise.Pix[i] = 0xFF
		}
	}
	flat := image.NewRGBA(image.Rect(0, 0, MaxPixels, 3))
	for i := range flat.Pix {
		flat.Pix[i] = 0xFF
	}
	shift := image.NewRGBA(image.Rect(0, 0, 300, 50))
	for y := 0; y < 50; y++ {
		for x := 0; x < 300; x++ {
			o := shift.PixOffset(x, y)
			shift.Pix[o], shift.Pix[o+1], shift.Pix[o+2], shift.Pix[o+3] = byte((x+y)/7), byte(x/50), 9, 0xFF
		}
	}
	imgs = append(imgs, noise, flat, shift)
	for n, img := range imgs {
		var b bytes.Buffer
		if err := encodePNG(&b, img); err != nil {
			t.Fatal(err)
		}
		got, err := png.Decode(&b)
		if err != nil {
			t.Fatalf("image %d: decode: %v", n, err)
		}
		if got.Bounds() != img.Bounds() {
			t.Fatalf("image %d: bounds %v, want %v", n, got.Bounds(), img.Bounds())
		}
		for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
			for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
				r1, g1, b1, _ := got.At(x, y).RGBA()
				w := img.RGBAAt(x, y)
				if uint8(r1>>8) != w.R || uint8(g1>>8) != w.G || uint8(b1>>8) != w.B {
					t.Fatalf("image %d: pixel (%d,%d) = %v, want %v", n, x, y, got.At(x, y), w)
				}
			}
		}
	}
}

func TestAdler32Update(t *testing.T) {
	p := make([]byte, 20000)
	for i := range p {
		p[i] = byte(i * 7)
	}
	a := adler32Update(1, p[:7000])
	a = adler32Update(a, p[7000:])
	if want := adler32.Checksum(p); a != want {
		t.Errorf("adler32 = %08x, want %08x", a, want)
	}
}
