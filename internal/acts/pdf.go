package acts

import (
	"bytes"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// RenderPDF lays out a plain PDF: a heading, then paragraphs (a paragraph
// starting with "## " is a sub-heading). The demo seeds its acts with it,
// and tests build their files with it; the text layer is real, so the
// extraction finds and the search engine indexes every word. The dates
// inside the file are at, so the same text always gives the same bytes.
func RenderPDF(heading string, paragraphs []string, at time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetLang("fr-FR")
	pdf.SetTitle(heading, true)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	tr := pdf.UnicodeTranslatorFromDescriptor("cp1252")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 15)
	pdf.MultiCell(0, 7, tr(heading), "", "L", false)
	pdf.Ln(4)
	for _, p := range paragraphs {
		if len(p) > 3 && p[:3] == "## " {
			pdf.Ln(2)
			pdf.SetFont("Helvetica", "B", 12)
			pdf.MultiCell(0, 6, tr(p[3:]), "", "L", false)
			pdf.Ln(1)
			continue
		}
		pdf.SetFont("Helvetica", "", 11)
		pdf.MultiCell(0, 5.5, tr(p), "", "J", false)
		pdf.Ln(2)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
