package epcis

import (
	"bytes"
	"encoding/json"
	"testing"

	"gimark/internal/standards"
)

const schemaPath = "epcis/gs1-epcis-draft-2022-01-18/EPCIS-JSON-Schema.json"

// TestSchemaFixtures: the validator as wired accepts GS1's and openepcis' valid documents
// and refuses the invalid action; the certificationInfo check (absent from the draft schema)
// refuses an array of objects and accepts the vectors' URIs.
func TestSchemaFixtures(t *testing.T) {
	t.Parallel()
	sch := standards.Schema(t, schemaPath, false, false)
	for _, ok := range []string{"epcis/gs1-epcis-draft-2022-01-18/Example_9.6.1-ObjectEvent.jsonld",
		"epcis/gs1-epcis-draft-2022-01-18/Example_9.6.1-ObjectEventWithDigitalLink.jsonld",
		"epcis/openepcis-test-resources/ObjectEvent_with_userExtensions.json",
		"epcis-hash/CertificationInfoAndSensorReportWithCRS.jsonld", "epcis-hash/TimeStampRoundOff.jsonld"} {
		if err := standards.Validate(sch, standards.File(t, ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if err := standards.Validate(sch, standards.File(t, "epcis/openepcis-test-resources/invalid/ObjectEvent_with_invalid_action.json")); err == nil {
		t.Error("the invalid action passed the schema")
	}
	certs := map[string]int{
		"epcis/openepcis-test-resources/invalid/ObjectEvent_with_invalid_certificationInfo.json": 0,
		"epcis-hash/CertificationInfoAndSensorReportWithCRS.jsonld":                              -1,
		"epcis-hash/TimeStampRoundOff.jsonld":                                                    -1,
	}
	for f, want := range certs {
		var doc map[string]any
		if err := json.NewDecoder(bytes.NewReader(standards.File(t, f))).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if got := CheckCertificationInfo(doc); got != want {
			t.Errorf("%s: certificationInfo check says %d, want %d", f, got, want)
		}
	}
	for _, c := range []struct {
		v  any
		ok bool
	}{{"https://x.example/a", true}, {[]any{"https://x.example/a", "urn:x:y"}, true}, {[]any{}, false},
		{"not a uri", false}, {[]any{map[string]any{"id": "https://x"}}, false}, {42.0, false}} {
		if validCertificationInfo(c.v) != c.ok {
			t.Errorf("certificationInfo %v: want ok=%v", c.v, c.ok)
		}
	}
}
