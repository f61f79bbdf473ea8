package demo

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSamplePDF: the generated document is a PDF that poppler reads, with its text.
func TestSamplePDF(t *testing.T) {
	t.Parallel()
	b := samplePDF("Business licence (demo)", `USCC 91620421MA00000000 \ test`)
	if !bytes.HasPrefix(b, []byte("%PDF-1.4")) {
		t.Fatalf("not a PDF: %.20q", b)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI needs poppler-utils (pdftotext)")
		}
		t.Skip("pdftotext not installed")
	}
	path := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, path, "-").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Business licence (demo)") || !strings.Contains(string(out), `\ test`) {
		t.Fatalf("pdftotext: %v %s", err, out)
	}
	if strings.Contains(string(out), "Syntax Error") {
		t.Fatalf("poppler reports errors: %s", out)
	}
}
