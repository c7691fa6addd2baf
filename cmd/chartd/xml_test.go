package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
)

func xmlWellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	n := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if n == 0 {
				return errors.New("no elements")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if _, ok := tok.(xml.StartElement); ok {
			n++
		}
	}
}
