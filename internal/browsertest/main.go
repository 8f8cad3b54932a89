package browsertest

import (
	"os"
	"testing"

	"portique/internal/extract"
)

// Main is the TestMain of a package whose tests start the site: the server
// runs document text extraction in child processes of its own executable
// (`portique extract-worker …`), which in a test is the test binary. Main
// makes the test binary act as the program when it is started that way, and
// runs the tests otherwise:
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
func Main(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == extract.Subcommand {
		// What `portique extract-worker` runs, keeping its exit status
		// (the parent reads it).
		os.Exit(extract.RunChild(os.Args[2:]))
	}
	os.Exit(m.Run())
}
