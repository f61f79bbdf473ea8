package api_test

import (
	"strings"
	"testing"
	"time"

	"gimark/internal/apitest"
	"gimark/model"
)

// TestInsiderViewsAreNotScans: the label owner's signed-in users (API token, or the console's
// session cookie in a browser) and the bureau's reviewers and admins see the verification
// answer, but their looks are not recorded and never count towards the copied-label warning.
// A user of another enterprise is a consumer like anyone else.
func TestInsiderViewsAreNotScans(t *testing.T) {
	t.Parallel()
	apitest.EachWith(t, apitest.Options{ScanThreshold: 2}, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		code := w.codes(t, w.order(t, 1))[1][1]
		owner2 := e.Login(w.owner.Username, apitest.Password) // another clerk's sign-in of the owner
		admin := e.AdminToken()
		look := func(token string, header map[string]string, path string) *apitest.Response {
			t.Helper()
			r := e.Do(apitest.Request{Method: "GET", Path: path, Token: token, Header: header})
			if r.Code != 200 {
				t.Fatalf("%s: %d %s", path, r.Code, r.Body)
			}
			return r
		}
		for range 5 {
			for _, tok := range []string{w.owner.Token, owner2.AccessToken, w.rev.Token, admin} {
				var v verifyBody
				look(tok, nil, "/api/v1/verify/"+code).JSON(t, &v)
				if v.Result != "genuine" || v.ScanCount != 0 {
					t.Fatalf("insider look: %+v", v)
				}
			}
			// The console's 查询页 in a browser: its session cookie, no bearer token.
			page := look("", map[string]string{"Cookie": "gimark_at=" + w.owner.Token}, "/v/"+code)
			if !strings.Contains(string(page.Body), "正品") {
				t.Fatalf("insider page: %s", page.Body)
			}
			look("", map[string]string{"Cookie": "gimark_at=" + w.rev.Token}, "/V/"+code)
			// Unknown codes looked up by the bureau are not counterfeit traces either.
			look(w.rev.Token, nil, "/api/v1/verify/0000000000000000Z")
		}
		e.Recorder.Sync()
		if n, _ := e.Store.CountScans(t.Context()); n != 0 {
			t.Fatalf("%d insider looks recorded as scans", n)
		}
		var unknown int64
		e.Store.DB().Model(&model.UnknownCode{}).Count(&unknown)
		if unknown != 0 {
			t.Fatalf("%d unknown codes recorded from insider looks", unknown)
		}

		// Consumers: anonymous, a bogus token, another enterprise's user. The third is past the
		// threshold of 2, counted from consumer scans only.
		var v verifyBody
		look("", nil, "/api/v1/verify/"+code).JSON(t, &v)
		if v.Result != "genuine" || v.ScanCount != 1 {
			t.Fatalf("first consumer scan: %+v", v)
		}
		look("not-a-token", nil, "/api/v1/verify/"+code).JSON(t, &v)
		if v.ScanCount != 2 || v.Result != "genuine" {
			t.Fatalf("second consumer scan: %+v", v)
		}
		look(w.other.Token, nil, "/api/v1/verify/"+code).JSON(t, &v)
		if v.ScanCount != 3 || v.Result != "warning" || !v.reason("over_scanned") {
			t.Fatalf("third consumer scan: %+v", v)
		}
		// The owner now sees the warning too, without adding to it.
		look(w.owner.Token, nil, "/api/v1/verify/"+code).JSON(t, &v)
		if v.ScanCount != 3 || !v.reason("over_scanned") {
			t.Fatalf("owner's look after consumers: %+v", v)
		}
		e.Recorder.Sync()
		deadline := time.Now().Add(10 * time.Second)
		for n, _ := e.Store.CountScans(t.Context()); n != 3; n, _ = e.Store.CountScans(t.Context()) {
			if time.Now().After(deadline) {
				t.Fatalf("%d scans recorded, want the 3 consumer scans", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}
