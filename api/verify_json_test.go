package api

import (
	"encoding/json"
	"testing"
	"time"

	"gimark/internal/verify"
	"gimark/model"
)

// verifyResponse is the documented verification answer, as encoding/json would write it: the
// reference appendVerifyJSON is held to.
type reasonResponse struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type verifyResponse struct {
	Result              string            `json:"result"`
	Reasons             []reasonResponse  `json:"reasons"`
	Code                string            `json:"code,omitempty"`
	Serial              int               `json:"serial,omitempty"`
	ScanCount           int64             `json:"scan_count"`
	FirstScannedAt      *time.Time        `json:"first_scanned_at"`
	Product             *verifyProduct    `json:"product"`
	Enterprise          *verifyEnterprise `json:"enterprise"`
	AuthorizationNumber string            `json:"authorization_number,omitempty"`
	Batch               *verifyBatch      `json:"batch"`
}

type verifyProduct struct {
	ID                 int64  `json:"id"`
	Name               string `json:"name"`
	Kind               string `json:"kind"`
	ReferenceNumber    string `json:"reference_number"`
	RegistrationNumber string `json:"registration_number,omitempty"`
	Standard           string `json:"standard,omitempty"`
}

type verifyEnterprise struct {
	Name string `json:"name"`
	USCC string `json:"uscc"`
}

type verifyBatch struct {
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

func toVerifyResponse(r *verify.Result) verifyResponse {
	out := verifyResponse{Result: r.Result, Reasons: make([]reasonResponse, len(r.Reasons)), Code: r.Code, Serial: r.Serial,
		ScanCount: r.ScanCount, FirstScannedAt: r.FirstScannedAt}
	for i, x := range r.Reasons {
		out.Reasons[i] = reasonResponse{x.Code, x.Message}
	}
	if f := r.Facts; f != nil {
		out.Product = &verifyProduct{ID: f.ProductID, Name: f.ProductName, Kind: string(f.ProductKind), ReferenceNumber: f.ReferenceNumber,
			RegistrationNumber: f.RegistrationNumber, Standard: f.Standard}
		out.Enterprise = &verifyEnterprise{Name: f.EnterpriseName, USCC: f.EnterpriseUSCC}
		out.AuthorizationNumber = f.AuthorizationNumber
	}
	if b := r.Batch; b != nil {
		out.Batch = &verifyBatch{ID: b.ID, CreatedAt: b.CreatedAt}
	}
	return out
}

// TestVerifyJSONMatchesEncodingJSON: the hand-written verification answer is byte for byte
// what encoding/json writes for the documented response type, for every shape of answer.
func TestVerifyJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	first := time.Date(2026, 5, 1, 8, 30, 0, 123456789, time.UTC)
	facts := &model.LabelFacts{FilingID: 7, FilingStatus: model.StatusApproved, AuthorizationNumber: "GI-620421-2026-0007",
		ProductID: 3, ProductName: `靖远枸杞 "特级" <b>&</b>`, ProductKind: model.ProtectedProduct, ReferenceNumber: "2009年第81号",
		EnterpriseName: "白银市\\示例\u2028企业", EnterpriseUSCC: "914403001922038216"}
	bare := &model.LabelFacts{ProductID: 4, ProductName: "n", ProductKind: model.CertificationMark, ReferenceNumber: "r",
		RegistrationNumber: "第23307869号", Standard: "GB/T 19742", EnterpriseName: "e", EnterpriseUSCC: "u"}
	batch := &model.BatchFacts{ID: 9, CreatedAt: time.Date(2026, 4, 30, 23, 59, 59, 0, time.UTC)}
	cases := map[string]*verify.Result{
		"genuine": {Result: model.ResultGenuine, Reasons: []verify.Reason{}, Code: "0123456789ABCDEFG", Serial: 42, ScanCount: 1,
			FirstScannedAt: &first, Facts: facts, Batch: batch},
		"warning": {Result: model.ResultWarning, Reasons: []verify.Reason{{Code: "label_voided", Message: "该标签已被作废（印刷错误\x01）。"},
			{Code: "over_scanned", Message: "可能被复制。"}}, Code: "X", Serial: 1, ScanCount: 21, FirstScannedAt: &first, Facts: bare, Batch: batch},
		"not found": {Result: model.ResultNotFound, Reasons: []verify.Reason{{Code: "not_registered", Message: "查无此标签"}}, Code: "0123456789ABCDEFG"},
		"invalid":   {Result: model.ResultInvalid, Reasons: []verify.Reason{{Code: "malformed", Message: "编码格式不正确"}}},
		"no facts":  {Result: model.ResultGenuine, Serial: 0, ScanCount: 0, Batch: batch},
	}
	for name, r := range cases {
		want, err := json.Marshal(toVerifyResponse(r))
		if err != nil {
			t.Fatal(err)
		}
		if got := appendVerifyJSON(nil, r); string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}
