package epcis

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"gimark/internal/standards"
)

// TestHashVectors reproduces every eventID of the shared CBV 2.0 event-hash vectors, and on
// a mismatch shows the pre-hash string next to the reference one.
func TestHashVectors(t *testing.T) {
	t.Parallel()
	stems := []string{"epcisDocWithSingleEvent", "ReferenceEventHashAlgorithm", "ReferenceEventHashAlgorithm2",
		"ReferenceEventHashAlgorithm3", "CertificationInfoAndSensorReportWithCRS", "TimeStampRoundOff",
		"epcisDocWithVariousEventTypes", "epclist_normalisation"}
	n := 0
	for _, stem := range stems {
		t.Run(stem, func(t *testing.T) {
			dec := json.NewDecoder(bytes.NewReader(standards.File(t, "epcis-hash/"+stem+".jsonld")))
			dec.UseNumber()
			var doc map[string]any
			if err := dec.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			hashes := strings.Fields(string(standards.File(t, "epcis-hash/"+stem+".hashes")))
			pre := strings.Split(strings.TrimRight(string(standards.File(t, "epcis-hash/"+stem+".prehashes")), "\n"), "\n")
			events := doc["epcisBody"].(map[string]any)["eventList"].([]any)
			if len(events) != len(hashes) {
				t.Fatalf("%d events, %d hashes", len(events), len(hashes))
			}
			p := Prefixes(doc["@context"])
			for i, e := range events {
				ev := e.(map[string]any)
				if got := EventID(ev, p); got != hashes[i] {
					t.Errorf("event %d: %s, want %s\n got pre-hash %s\nwant pre-hash %s", i+1, got, hashes[i], PreHash(ev, p), pre[i])
				}
				n++
			}
		})
	}
	if n < 20 {
		t.Fatalf("only %d events checked", n)
	}
}
