package resolver

import "testing"

func TestNormalizeLinkType(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"gs1:pip": PIP, "https://ref.gs1.org/voc/pip": PIP, "https://www.gs1.org/voc/pip": PIP, "http://gs1.org/voc/pip": PIP,
		"https://gs1.org/voc/pip": PIP, "https://example.com/x": "https://example.com/x", "linkset": "linkset",
	} {
		if got := NormalizeLinkType(in); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

func TestChoose(t *testing.T) {
	t.Parallel()
	links := []Link{{Href: "json", Media: "application/json"}, {Href: "html", Media: "text/html"}}
	for accept, want := range map[string]string{"": "json", "*/*": "json", "text/html": "html",
		"text/html;q=0.9, application/json": "html", "undefined": "json", "image/png, text/*": "json"} {
		if got := Choose(links, accept).Href; got != want {
			t.Errorf("Accept %q → %s, want %s", accept, got, want)
		}
	}
}
