package filing

import "testing"

func TestCleanFilename(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"营业执照.pdf":                "营业执照.pdf",
		"../../../etc/passwd":     "passwd",
		`..\..\windows\boot.ini`:  "boot.ini",
		"a\x00b\x1fc.pdf":         "abc.pdf",
		"/":                       "",
		"..":                      "",
		"  report.png ":           "report.png",
		"quote\"d.pdf":            "quoted.pdf",
		"dir/sub/\u202eexe.pdf":   "exe.pdf", // no right-to-left override tricks
		string([]byte{0xff, 'a'}): "a",
	}
	for in, want := range tests {
		if got := CleanFilename(in); got != want {
			t.Errorf("CleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}
