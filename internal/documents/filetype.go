package documents

import (
	"archive/zip"
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"
	"golang.org/x/text/unicode/norm"

	"portique/internal/valid"
)

// MaxFilenameBytes bounds a stored file name (most file systems allow 255).
const MaxFilenameBytes = 180

// SanitizeFilename turns a name sent by a browser into a safe display and
// download name: the last path element only, valid NFC UTF-8, no control,
// bidi-override or reserved characters, no leading dot, at most
// MaxFilenameBytes bytes with the extension kept. It never returns "".
// The name is never used as a path: bytes are stored under their hash.
func SanitizeFilename(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = name[strings.LastIndex(name, "/")+1:]
	name = norm.NFC.String(strings.ToValidUTF8(name, ""))
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case r == '\u00a0' || unicode.IsSpace(r):
			if !space {
				b.WriteRune(' ')
			}
			space = true
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == utf8.RuneError:
			continue // NUL, bidi overrides, zero-width characters
		case strings.ContainsRune(`<>:"|?*/\`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
		space = false
	}
	name = strings.Trim(b.String(), " .")
	if len(name) > MaxFilenameBytes {
		ext := path.Ext(name)
		if len(ext) > 12 || !utf8.ValidString(ext) {
			ext = ""
		}
		base := name[:len(name)-len(ext)]
		cut := MaxFilenameBytes - len(ext)
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		name = strings.TrimRight(base[:cut], " .") + ext
		name = norm.NFC.String(name)
		name = strings.Trim(name, " .")
	}
	if name == "" || strings.Trim(name, "_") == "" && len(name) < 2 {
		return "document"
	}
	return name
}

// fileType is an accepted kind of file.
type fileType struct {
	mime string   // media type stored and served
	exts []string // accepted extensions, the first is canonical
	key  string   // catalogue key of its name ("document Word"…)
}

// format is the type's language-neutral short name (its canonical
// extension: "PDF", "DOCX"), for messages.
func (t fileType) format() string { return strings.ToUpper(t.exts[0][1:]) }

var fileTypes = []fileType{
	{"application/pdf", []string{".pdf"}, "documents.type.pdf"},
	{"application/vnd.oasis.opendocument.text", []string{".odt"}, "documents.type.odt"},
	{"application/vnd.oasis.opendocument.spreadsheet", []string{".ods"}, "documents.type.ods"},
	{"application/vnd.oasis.opendocument.presentation", []string{".odp"}, "documents.type.odp"},
	{"application/vnd.oasis.opendocument.graphics", []string{".odg"}, "documents.type.odg"},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", []string{".docx"}, "documents.type.docx"},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{".xlsx"}, "documents.type.xlsx"},
	{"application/vnd.openxmlformats-officedocument.presentationml.presentation", []string{".pptx"}, "documents.type.pptx"},
	{"image/png", []string{".png"}, "documents.type.png"},
	{"image/jpeg", []string{".jpg", ".jpeg"}, "documents.type.jpeg"},
	{"image/gif", []string{".gif"}, "documents.type.gif"},
	{"image/webp", []string{".webp"}, "documents.type.webp"},
	{"text/csv", []string{".csv"}, "documents.type.csv"},
	{"text/plain", []string{".txt", ".text", ".csv", ".md"}, "documents.type.txt"},
}

// knownExt reports whether ext belongs to some accepted type.
func knownExt(ext string) bool {
	for _, t := range fileTypes {
		for _, e := range t.exts {
			if e == ext {
				return true
			}
		}
	}
	return false
}

// Zip limits for OpenDocument and Office files: a document that declares
// more than this is refused as a probable zip bomb. (Extraction also bounds
// what it reads, whatever the headers say.)
const (
	maxZipEntries      = 5000
	maxZipUncompressed = 512 << 20
	maxZipRatio        = 200
)

// CheckFile detects the type of the staged file at p from its content and
// reconciles it with the name the user gave. It returns the media type and
// the name to store (with the right extension appended when the name had
// none or an unknown one). A type outside the accepted list, a name whose
// extension announces another accepted type, or a zip bomb is refused with
// valid.Errors on "file".
func CheckFile(p string, size int64, name string) (mediaType, cleanName string, err error) {
	name = SanitizeFilename(name)
	m, err := mimetype.DetectFile(p)
	if err != nil {
		return "", "", fmt.Errorf("documents: detect type: %w", err)
	}
	detected := m.String()
	if i := strings.IndexByte(detected, ';'); i >= 0 {
		detected = detected[:i]
	}
	isZip := false
	for x := m; x != nil; x = x.Parent() {
		if x.Is("application/zip") {
			isZip = true
		}
	}
	if isZip {
		if key := checkZip(p, size); key != "" {
			return "", "", valid.One("file", key)
		}
		if detected == "application/zip" {
			detected = zipKind(p) // mimetype only reads the first bytes
		}
	}
	var ft *fileType
	for i := range fileTypes {
		if fileTypes[i].mime == detected {
			ft = &fileTypes[i]
		}
	}
	if ft == nil {
		return "", "", valid.One("file", "documents.error.type_refused", name)
	}
	ext := strings.ToLower(path.Ext(name))
	switch {
	case ext == "":
		name += ft.exts[0]
	case contains(ft.exts, ext):
	case knownExt(ext):
		return "", "", valid.One("file", "documents.error.type_mismatch", name, ft.format(), ext)
	default:
		name = SanitizeFilename(name + ft.exts[0])
	}
	if detected == "text/plain" && ext == ".csv" {
		detected = "text/csv"
	}
	return detected, name, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkZip returns the catalogue key of the refusal when the archive is
// unreadable or declares too much, "" when it passes.
func checkZip(p string, size int64) string {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return "documents.error.zip_damaged"
	}
	defer zr.Close()
	if len(zr.File) > maxZipEntries {
		return "documents.error.zip_entries"
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > maxZipUncompressed || (total > 16<<20 && total/uint64(max(size, 1)) > maxZipRatio) {
			return "documents.error.zip_bomb"
		}
	}
	return ""
}

// zipKind recognises OpenDocument and Office files from the archive's
// directory when their marker is not among the first bytes.
func zipKind(p string) string {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return "application/zip"
	}
	defer zr.Close()
	has := map[string]bool{}
	for _, f := range zr.File {
		has[f.Name] = true
		if f.Name == "mimetype" && f.UncompressedSize64 < 100 {
			if rc, err := f.Open(); err == nil {
				buf := make([]byte, 100)
				n, _ := rc.Read(buf)
				rc.Close()
				if s := strings.TrimSpace(string(buf[:n])); strings.HasPrefix(s, "application/vnd.oasis.opendocument.") {
					return s
				}
			}
		}
	}
	if has["[Content_Types].xml"] {
		switch {
		case has["word/document.xml"]:
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		case has["xl/workbook.xml"]:
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case has["ppt/presentation.xml"]:
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
		}
	}
	return "application/zip"
}

// TypeKey is the catalogue key naming a stored media type ("PDF",
// "document Word"…); documents.type.other for a type no longer accepted.
func TypeKey(mediaType string) string {
	for _, t := range fileTypes {
		if t.mime == mediaType {
			return t.key
		}
	}
	return "documents.type.other"
}

// ContentDisposition builds the Content-Disposition header value for a
// download (RFC 6266): an ASCII fallback name for old clients, and the real
// UTF-8 name percent-encoded per RFC 8187 (filename*). inline asks the
// browser to show the file (PDFs) rather than save it.
func ContentDisposition(name string, inline bool) string {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	var ascii strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// accents dropped: "é" → "e"
		case r == 'œ':
			ascii.WriteString("oe")
		case r == 'Œ':
			ascii.WriteString("OE")
		case r == 'æ':
			ascii.WriteString("ae")
		case r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '%' || r == ';':
			ascii.WriteByte('_')
		case r < 0x80:
			ascii.WriteRune(r)
		default:
			ascii.WriteByte('_')
		}
	}
	var enc strings.Builder
	for _, c := range []byte(name) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			enc.WriteByte(c)
		} else {
			fmt.Fprintf(&enc, "%%%02X", c)
		}
	}
	return kind + `; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}
