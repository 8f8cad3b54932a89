package extract

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// office reads the text of OpenDocument and Office Open XML files: one part
// for text documents and spreadsheets, one per slide for presentations. Reads
// are bounded (MaxText bytes of XML in all), whatever the zip headers claim,
// so a zip bomb costs at most that much.
func office(p, mt string) (Result, error) {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return Result{Reason: ReasonDamaged}, nil
	}
	defer zr.Close()
	var names []string
	switch {
	case strings.HasPrefix(mt, "application/vnd.oasis.opendocument."):
		names = []string{"content.xml"}
	case strings.HasSuffix(mt, "wordprocessingml.document"):
		names = []string{"word/document.xml"}
	case strings.HasSuffix(mt, "spreadsheetml.sheet"):
		names = []string{"xl/sharedStrings.xml"}
	case strings.HasSuffix(mt, "presentationml.presentation"):
		for _, f := range zr.File {
			if strings.HasPrefix(f.Name, "ppt/slides/slide") && strings.HasSuffix(f.Name, ".xml") {
				names = append(names, f.Name)
			}
		}
		sort.Slice(names, func(i, j int) bool { return slideNum(names[i]) < slideNum(names[j]) })
	}
	budget := int64(MaxText)
	var pages []string
	for _, name := range names {
		var f *zip.File
		for _, zf := range zr.File {
			if zf.Name == name {
				f = zf
				break
			}
		}
		if f == nil {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return Result{Reason: ReasonDamaged}, nil
		}
		lr := &io.LimitedReader{R: rc, N: budget}
		text, err := xmlText(lr)
		rc.Close()
		budget = lr.N
		if err != nil && len(text) == 0 {
			return Result{Reason: ReasonDamaged}, nil
		}
		pages = append(pages, text)
		if budget <= 0 {
			break
		}
	}
	if len(pages) == 0 {
		return Result{Reason: ReasonDamaged}, nil
	}
	if blank(pages) {
		return Result{Pages: pages, Reason: ReasonEmpty}, nil
	}
	return Result{Pages: pages, Engine: "zip"}, nil
}

func slideNum(name string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(path.Base(name), "slide"), ".xml"))
	return n
}

// xmlText collects character data, with line breaks at paragraph ends and
// spaces for ODF's <text:s/> and tabs. A truncated document returns the text
// read so far with the error.
func xmlText(r io.Reader) (string, error) {
	dec := xml.NewDecoder(r)
	dec.Strict = false
	var b strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return b.String(), nil
		}
		if err != nil {
			return b.String(), err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			switch t.Name.Local {
			case "s", "tab", "space":
				b.WriteByte(' ')
			case "br", "line-break", "cr":
				b.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "p", "h", "tc", "table-cell", "si", "list-item":
				b.WriteByte('\n')
			}
		}
	}
}

// plain reads a text or CSV file: UTF-8 (a BOM is dropped), or Windows-1252
// when the bytes are not valid UTF-8 (files saved by older spreadsheets).
func plain(p string) (Result, error) {
	f, err := os.Open(p)
	if err != nil {
		return Result{}, errf("open: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxText))
	if err != nil {
		return Result{}, errf("read: %w", err)
	}
	s := strings.TrimPrefix(string(b), "\ufeff")
	if !utf8.ValidString(s) {
		if d, err := charmap.Windows1252.NewDecoder().String(s); err == nil {
			s = d
		} else {
			s = strings.ToValidUTF8(s, " ")
		}
	}
	if blank([]string{s}) {
		return Result{Pages: []string{s}, Reason: ReasonEmpty}, nil
	}
	return Result{Pages: []string{s}, Engine: "text"}, nil
}
