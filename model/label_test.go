package model

import "testing"

// TestLabelURLPrefixUsesTheBatchBaseURL: the batch's recorded base URL decides its labels'
// URLs, verification and GS1 Digital Link forms alike; only a batch that recorded none
// follows the configured one.
func TestLabelURLPrefixUsesTheBatchBaseURL(t *testing.T) {
	t.Parallel()
	recorded := "https://gi.example.gov.cn/"
	tests := []struct {
		name  string
		batch LabelBatch
		want  string
	}{
		{"recorded", LabelBatch{PublicBaseURL: &recorded}, "HTTPS://GI.EXAMPLE.GOV.CN/V/"},
		{"recorded-gtin-lot", LabelBatch{PublicBaseURL: &recorded, GTIN: "06901234567892", Lot: "A1"}, "HTTPS://GI.EXAMPLE.GOV.CN/01/06901234567892/10/A1/21/"},
		{"unrecorded", LabelBatch{}, "HTTP://CONFIGURED.EXAMPLE/V/"},
		{"unrecorded-gtin", LabelBatch{GTIN: "06901234567892"}, "HTTP://CONFIGURED.EXAMPLE/01/06901234567892/21/"},
	}
	for _, tc := range tests {
		if got := tc.batch.LabelURLPrefix("http://configured.example"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
