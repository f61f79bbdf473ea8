package api_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gimark/internal/apitest"
)

// TestFilingStateMachine walks DESIGN.md "The filing's life" through the real router: every
// state × every action, each on a filing of its own, by the role the action belongs to. An
// allowed action answers 200 with the new state; any other answers 409 invalid_transition and
// leaves the filing as it was. The expected table is written out here, not derived from
// model.Transitions, so a change to the machine has to change this test too.
func TestFilingStateMachine(t *testing.T) {
	t.Parallel()
	states := []string{"draft", "submitted", "returned", "approved", "rejected", "suspended", "revoked", "cancelled", "withdrawn"}
	actions := []string{"submit", "withdraw", "approve", "reject", "return", "suspend", "reinstate", "revoke", "cancel"}
	byEnterprise := map[string]bool{"submit": true, "withdraw": true, "cancel": true}
	// allowed[state][action] is the state the action leads to; an absent pair is refused.
	allowed := map[string]map[string]string{
		"draft":     {"submit": "submitted", "withdraw": "withdrawn"},
		"submitted": {"withdraw": "withdrawn", "approve": "approved", "reject": "rejected", "return": "returned"},
		"returned":  {"submit": "submitted", "withdraw": "withdrawn"},
		"approved":  {"suspend": "suspended", "revoke": "revoked", "cancel": "cancelled"},
		"suspended": {"reinstate": "approved", "revoke": "revoked"},
		"rejected":  {},
		"revoked":   {},
		"cancelled": {},
		"withdrawn": {},
	}
	// path is how a draft reaches each state.
	path := map[string][]string{
		"draft":     nil,
		"submitted": {"submit"},
		"returned":  {"submit", "return"},
		"approved":  {"submit", "approve"},
		"rejected":  {"submit", "reject"},
		"suspended": {"submit", "approve", "suspend"},
		"revoked":   {"submit", "approve", "revoke"},
		"cancelled": {"submit", "approve", "cancel"},
		"withdrawn": {"withdraw"},
	}
	reason := map[string]any{"reason": "材料不全"} // accepted by every action, required by some

	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		rev := e.Reviewer("rev")
		// One product per action and one enterprise per state: no two filings compete for the
		// one live filing an enterprise may hold per product.
		products := map[string]int64{}
		for _, a := range actions {
			products[a] = e.Product("产品-" + a)
		}
		want, got := map[string]string{}, map[string]string{}
		for _, s := range states {
			owner := e.Enterprise("ent-" + s)
			tokenFor := func(action string) string {
				if byEnterprise[action] {
					return owner.Token
				}
				return rev.Token
			}
			for _, a := range actions {
				key := s + " × " + a
				want[key] = "409 invalid_transition"
				if to, ok := allowed[s][a]; ok {
					want[key] = "200 " + to
				}

				id := e.Draft(owner, products[a])
				for _, step := range path[s] {
					e.Act(tokenFor(step), id, step, reason, 200)
				}
				if f := getFiling(t, e, owner.Token, id); f.Status != s {
					t.Fatalf("%s: the path left the filing %s", key, f.Status)
				}
				r := e.Post(fmt.Sprintf("/api/v1/filings/%d/%s", id, a), tokenFor(a), reason)
				after := getFiling(t, e, owner.Token, id).Status
				switch r.Code {
				case 200:
					var f filingBody
					r.JSON(t, &f)
					got[key] = "200 " + f.Status
					if after != f.Status {
						t.Errorf("%s: answered %s, stored %s", key, f.Status, after)
					}
				default:
					got[key] = fmt.Sprintf("%d %s", r.Code, r.Problem(t, r.Code).Code)
					if after != s {
						t.Errorf("%s: refused, yet the filing moved to %s", key, after)
					}
				}
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("state × action (-want +got):\n%s", diff)
		}
	})
}
