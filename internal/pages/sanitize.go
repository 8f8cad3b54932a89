package pages

import (
	"bytes"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// policy is the allow-list for rich text coming from the editor: structure
// and emphasis, links (http, https, mailto, tel and site-relative only),
// quotes and simple tables. No style, no class beyond alignment, no script,
// no event handler, no iframe. Images only from the site's own picture
// URLs (RichImageSrc: /medias/{id}/{width}, a picture uploaded into the
// page), with their alternative text and intrinsic size.
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s",
		"ul", "ol", "li", "blockquote", "hr", "sub", "sup", "code", "pre",
		"table", "thead", "tbody", "tfoot", "tr", "caption")
	p.AllowAttrs("colspan", "rowspan").Matching(regexp.MustCompile(`^[1-9][0-9]?$`)).OnElements("td", "th")
	p.AllowAttrs("scope").Matching(regexp.MustCompile(`^(row|col|rowgroup|colgroup)$`)).OnElements("th")
	p.AllowElements("td", "th")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto", "tel")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnFullyQualifiedLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?$`)).Globally()
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("src").Matching(richImageSrc).OnElements("img")
	p.AllowAttrs("alt").OnElements("img")
	p.AllowAttrs("width", "height").Matching(regexp.MustCompile(`^[1-9][0-9]{0,4}$`)).OnElements("img")
	return p
})

// headingFix maps h1 (reserved for the page title) and h5/h6 to allowed levels
// before sanitising, so a pasted document keeps its structure.
var headingFix = strings.NewReplacer("<h1", "<h2", "</h1", "</h2", "<H1", "<H2", "</H1", "</H2",
	"<h5", "<h4", "</h5", "</h4", "<h6", "<h4", "</h6", "</h4")

// SanitizeHTML returns the allowed subset of rich text from the editor.
func SanitizeHTML(in string) string {
	out := policy().Sanitize(headingFix.Replace(in))
	return strings.TrimSpace(dropBareImages(out))
}

// blockTags end a line when HTML is turned into text.
var blockTags = map[string]bool{
	"p": true, "br": true, "h2": true, "h3": true, "h4": true, "li": true,
	"blockquote": true, "tr": true, "hr": true, "pre": true, "caption": true,
}

// PlainText extracts the readable text of (sanitised) HTML, one line per
// paragraph, heading, list item, table row or picture (its alternative
// text); for the search index and diffs.
func PlainText(in string) string {
	z := html.NewTokenizer(strings.NewReader(in))
	var b strings.Builder
	newline := func() {
		s := b.String()
		if s != "" && !strings.HasSuffix(s, "\n") {
			b.WriteByte('\n')
		}
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(collapseSpaces(b.String()))
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) == "img" {
				// A picture reads as its alternative text, on its own line
				// (search finds it, a diff shows it); a decorative one as nothing.
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "alt" && len(bytes.TrimSpace(v)) > 0 {
						newline()
						b.Write(v)
						b.WriteByte('\n')
					}
				}
				continue
			}
			if blockTags[string(name)] {
				newline()
			} else if string(name) == "td" || string(name) == "th" {
				b.WriteByte(' ')
			}
		}
	}
}

func collapseSpaces(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// snippetPolicy keeps only <mark> (search highlights).
var snippetPolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("mark")
	return p
})

// SanitizeSnippet returns a search snippet with nothing but text and <mark>.
// The search engines already escape; this is defence in depth, so a bug in
// one engine cannot inject markup into the results page.
func SanitizeSnippet(in string) string { return snippetPolicy().Sanitize(in) }
