package api_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	stdjpeg "image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gimark/internal/apitest"
	"gimark/internal/labelcode"
	"gimark/model"
)

// raise raises a signal on a label of w's owner through the store, as a rule does.
func raise(t *testing.T, e *apitest.Env, w *labelWorld, rule, code string) int64 {
	t.Helper()
	ent, filing, product := w.owner.EnterpriseID, w.filing, w.product
	now := e.Clock.Now()
	key := rule + ":" + code
	if err := e.Store.RaiseSignals(context.Background(), []model.SignalRaise{{Rule: rule, Key: key, Code: code,
		EnterpriseID: &ent, FilingID: &filing, ProductID: &product, Count: 1, First: now, Last: now}}); err != nil {
		t.Fatal(err)
	}
	var s model.SignalCase
	if err := e.Store.DB().Where("open_key = ?", key).Take(&s).Error; err != nil {
		t.Fatal(err)
	}
	return s.ID
}

type signalDetail struct {
	ID         int64  `json:"id"`
	Rule       string `json:"rule"`
	State      string `json:"state"`
	Resolution string `json:"resolution"`
	Count      int64  `json:"count"`
	Events     []struct {
		Action, Note, Actor, ToState string
	} `json:"events"`
	Reports []struct {
		Problem, Phone, WhereBought string
		HasPhoto                    bool `json:"has_photo"`
	} `json:"reports"`
}

func TestSignalWorkflow(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		code := w.codes(t, w.order(t, 2))[1][1]
		id := raise(t, e, w, model.RuleSpread, code)
		path := fmt.Sprintf("/api/v1/signals/%d", id)
		e.Post("/api/v1/webhooks", e.AdminToken(), map[string]any{"url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef"}).ID(t)
		ev := path + "/events"

		// Evidence with the same key updates the open signal: one signal, count 2.
		raise(t, e, w, model.RuleSpread, code)
		var d signalDetail
		e.Get(path, w.rev.Token).JSON(t, &d)
		if d.State != "open" || d.Count != 2 || len(d.Events) != 1 || d.Events[0].Action != "raise" {
			t.Fatalf("raised: %+v", d)
		}
		// The enterprise sees its own signal read-only and may add a note; a stranger sees nothing.
		e.Get(path, w.other.Token).Problem(t, 404)
		e.Post(ev, w.other.Token, map[string]string{"note": "x"}).Problem(t, 404)
		e.Post(ev, w.owner.Token, map[string]string{"to": "acknowledged", "note": "我们来处理"}).Problem(t, 403)
		if r := e.Post(ev, w.owner.Token, map[string]string{"note": "该批次已发往兰州经销商"}); r.Code != 200 {
			t.Fatalf("owner note: %d %s", r.Code, r.Body)
		}
		// Bad requests change nothing.
		e.Post(ev, w.rev.Token, map[string]string{"to": "acknowledged"}).Problem(t, 422)
		e.Post(ev, w.rev.Token, map[string]string{"to": "resolved", "note": "x"}).Problem(t, 422)
		e.Post(ev, w.rev.Token, map[string]string{"to": "closed", "note": "x"}).Problem(t, 422)
		e.Post(ev, w.rev.Token, map[string]string{"to": "acknowledged", "resolution": "false_alarm", "note": "x"}).Problem(t, 422)
		e.Post("/api/v1/signals/999999/events", w.rev.Token, map[string]string{"note": "x"}).Problem(t, 404)

		if r := e.Post(ev, w.rev.Token, map[string]string{"to": "acknowledged", "note": "已联系企业"}); r.Code != 200 {
			t.Fatalf("acknowledge: %d %s", r.Code, r.Body)
		}
		if p := e.Post(ev, w.rev.Token, map[string]string{"to": "acknowledged", "note": "again"}).Problem(t, 409); p.Code != "invalid_transition" {
			t.Fatalf("second acknowledge: %+v", p)
		}
		r := e.Post(ev, w.rev.Token, map[string]string{"to": "resolved", "resolution": "confirmed_counterfeit", "note": "现场查获假冒标签"})
		r.JSON(t, &d)
		if r.Code != 200 || d.State != "resolved" || d.Resolution != "confirmed_counterfeit" {
			t.Fatalf("resolve: %d %s", r.Code, r.Body)
		}
		e.Post(ev, w.rev.Token, map[string]string{"to": "resolved", "resolution": "false_alarm", "note": "x"}).Problem(t, 409)
		e.Post(ev, w.rev.Token, map[string]string{"to": "acknowledged", "note": "x"}).Problem(t, 409)

		// Each state change (not the notes, not the count updates) went to the outbox for the
		// bureau's endpoint, registered before the changes.
		evs, err := e.Store.WebhookEventsOf(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		var types []string
		for _, x := range evs {
			types = append(types, x.Type)
		}
		if got := strings.Join(types, " "); got != "signal.acknowledged signal.resolved" {
			t.Fatalf("outbox for the signal: %q", got)
		}

		// The trail: raise, the owner's note, acknowledge, resolve, each with its actor.
		e.Get(path, w.owner.Token).JSON(t, &d)
		var trail []string
		for _, x := range d.Events {
			trail = append(trail, x.Action+"/"+x.Actor)
		}
		if got := strings.Join(trail, " "); got != "raise/ note/owner acknowledge/rev resolve/rev" {
			t.Fatalf("trail %q", got)
		}

		// Resolved, the key is free: new evidence raises a new signal.
		if id2 := raise(t, e, w, model.RuleSpread, code); id2 == id {
			t.Fatal("evidence after resolution updated the resolved signal")
		}
		var counts map[string]int64
		e.Get("/api/v1/signals/counts", w.rev.Token).JSON(t, &counts)
		if counts["open"] != 1 || counts["resolved"] != 1 || counts["acknowledged"] != 0 {
			t.Fatalf("counts %v", counts)
		}
		e.Get("/api/v1/signals/counts", w.other.Token).JSON(t, &counts)
		if counts["open"]+counts["resolved"] != 0 {
			t.Fatalf("a stranger counts %v", counts)
		}
		// Filters.
		var list struct {
			Total int64
			Items []struct {
				ID    int64
				State string
				Kind  string
				Rule  string
			}
		}
		e.Get("/api/v1/signals?state=resolved&rule=spread", w.rev.Token).JSON(t, &list)
		if list.Total != 1 || list.Items[0].ID != id || list.Items[0].Kind != "spread" {
			t.Fatalf("filtered list %+v", list)
		}
		e.Get(fmt.Sprintf("/api/v1/signals?product_id=%d&enterprise_id=%d", w.product, w.owner.EnterpriseID), w.rev.Token).JSON(t, &list)
		if list.Total != 2 {
			t.Fatalf("product and enterprise filter: %+v", list)
		}
		e.Get("/api/v1/signals", w.other.Token).JSON(t, &list)
		if list.Total != 0 {
			t.Fatalf("a stranger lists %+v", list)
		}
		e.Get(fmt.Sprintf("/api/v1/signals?enterprise_id=%d", w.owner.EnterpriseID), w.other.Token).JSON(t, &list)
		if list.Total != 0 {
			t.Fatalf("a stranger lists another's by filter: %+v", list)
		}
		tomorrow := e.Clock.Now().Add(48 * time.Hour).Format("2006-01-02") // a date is a China-time day
		e.Get("/api/v1/signals?from="+tomorrow, w.rev.Token).JSON(t, &list)
		if list.Total != 0 {
			t.Fatalf("from tomorrow: %+v", list)
		}
		e.Get("/api/v1/signals?state=closed", w.rev.Token).Problem(t, 422)
		e.Get("/api/v1/signals?from=yesterday", w.rev.Token).Problem(t, 422)
	})
}

// receiver is a webhook endpoint that fails its first fail calls.
type receiver struct {
	mu   sync.Mutex
	fail int
	got  []*http.Request
	body [][]byte
	ok   int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, r)
	rc.body = append(rc.body, b)
	if len(rc.got) <= rc.fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	rc.ok++
	w.WriteHeader(http.StatusNoContent)
}

func validSignature(r *http.Request, body []byte, secret string) bool {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(r.Header.Get("X-Gimark-Timestamp") + "." + string(body)))
	return hmac.Equal([]byte(r.Header.Get("X-Gimark-Signature")), []byte("sha256="+hex.EncodeToString(m.Sum(nil))))
}

func TestWebhookRetriesThenDeliversOnce(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		code := w.codes(t, w.order(t, 2))[1][1]
		rc := &receiver{fail: 3}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		const secret = "s3cret-s3cret-s3cret"
		admin := e.AdminToken()
		hook := e.Post("/api/v1/webhooks", admin, map[string]any{"url": srv.URL + "/gimark", "secret": secret}).ID(t)
		// The owner's endpoint wants another rule only: it gets nothing.
		e.Post("/api/v1/webhooks", w.owner.Token, map[string]any{"url": srv.URL + "/owner", "secret": secret, "kinds": []string{"dead_label"}}).ID(t)
		id := raise(t, e, w, model.RuleSpread, code)

		for i := 1; i <= 3; i++ {
			if n, err := e.Deliver.RunOnce(t.Context()); n != 1 || err != nil {
				t.Fatalf("attempt %d: %d attempted, %v", i, n, err)
			}
			// Nothing is due before the backoff has passed.
			if n, _ := e.Deliver.RunOnce(t.Context()); n != 0 {
				t.Fatalf("retried before the backoff after attempt %d", i)
			}
			e.Clock.Advance(e.Deliver.Backoff(i))
		}
		if n, err := e.Deliver.RunOnce(t.Context()); n != 1 || err != nil {
			t.Fatalf("fourth attempt: %d, %v", n, err)
		}
		e.Clock.Advance(48 * time.Hour)
		if n, _ := e.Deliver.RunOnce(t.Context()); n != 0 {
			t.Fatal("a delivered event was sent again")
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if len(rc.got) != 4 || rc.ok != 1 {
			t.Fatalf("%d calls, %d accepted; want 4 and 1", len(rc.got), rc.ok)
		}
		last := rc.got[3]
		ids := map[string]bool{}
		for _, r := range rc.got {
			ids[r.Header.Get("X-Gimark-Event-Id")] = true
			if r.URL.Path != "/gimark" {
				t.Fatalf("delivered to %s", r.URL.Path)
			}
		}
		if len(ids) != 1 || !validSignature(last, rc.body[3], secret) || validSignature(last, rc.body[3], "another-secret-123") {
			t.Fatalf("event ids %v, signature %q", ids, last.Header.Get("X-Gimark-Signature"))
		}
		if !strings.Contains(string(rc.body[3]), fmt.Sprintf(`"id":%d`, id)) || !strings.Contains(string(rc.body[3]), `"type":"signal.raised"`) {
			t.Fatalf("payload %s", rc.body[3])
		}
		var log struct {
			Total int64
			Items []struct {
				Attempt    int    `json:"attempt"`
				StatusCode int    `json:"status_code"`
				EventID    string `json:"event_id"`
			}
		}
		e.Get(fmt.Sprintf("/api/v1/webhooks/%d/deliveries", hook), e.AdminToken()).JSON(t, &log) // the clock moved past the old token
		if log.Total != 4 || log.Items[0].StatusCode != 204 || log.Items[0].Attempt != 4 || log.Items[3].StatusCode != 500 || !ids[log.Items[0].EventID] {
			t.Fatalf("delivery log %+v", log)
		}
	})
}

func TestWebhookDisabledAfterADay(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		code := w.codes(t, w.order(t, 2))[1][1]
		rc := &receiver{fail: 1 << 30}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		e.Post("/api/v1/webhooks", w.owner.Token, map[string]any{"url": srv.URL, "secret": "0123456789abcdef"}).ID(t)
		raise(t, e, w, model.RuleSpread, code)
		start := e.Clock.Now()
		for e.Clock.Now().Sub(start) < 27*time.Hour {
			if _, err := e.Deliver.RunOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			e.Clock.Advance(10 * time.Minute)
		}
		var hooks struct {
			Items []struct {
				DisabledAt *time.Time `json:"disabled_at"`
				Reason     string     `json:"disabled_reason"`
			}
		}
		e.Get("/api/v1/webhooks", e.Login(w.owner.Username, apitest.Password).AccessToken).JSON(t, &hooks)
		if len(hooks.Items) != 1 || hooks.Items[0].DisabledAt == nil || hooks.Items[0].Reason == "" {
			t.Fatalf("endpoint after 27 h of failures: %+v", hooks)
		}
		// Exponential: far fewer attempts than 27 h of 10-minute rounds.
		rc.mu.Lock()
		n := len(rc.got)
		rc.mu.Unlock()
		if n < 10 || n > 30 {
			t.Fatalf("%d attempts in 27 h", n)
		}
		// Disabled: new signals are not queued for it.
		raise(t, e, w, model.RuleBurst, code)
		e.Clock.Advance(time.Hour)
		if c, _ := e.Deliver.RunOnce(t.Context()); c != 0 {
			t.Fatalf("%d deliveries to a disabled endpoint", c)
		}
	})
}

func TestWebhookRegistration(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		admin := e.AdminToken()
		e.Webhooks.AllowPrivate = false
		defer func() { e.Webhooks.AllowPrivate = true }()
		for _, u := range []string{"ftp://example.com/x", "http://127.0.0.1/x", "http://localhost:8080/", "http://[::1]/",
			"http://10.1.2.3/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data", "http://[fe80::1]/",
			"http://100.64.0.1/", "http://0.0.0.0/", "http://user:pw@203.0.113.9/", "javascript:alert(1)", "/relative", ""} {
			if p := e.Post("/api/v1/webhooks", admin, map[string]any{"url": u, "secret": "0123456789abcdef"}).Problem(t, 422); !p.HasField("url") {
				t.Errorf("%q: %+v", u, p)
			}
		}
		e.Post("/api/v1/webhooks", admin, map[string]any{"url": "https://198.51.100.7/hook", "secret": "short"}).Problem(t, 422)
		e.Post("/api/v1/webhooks", admin, map[string]any{"url": "https://198.51.100.7/hook", "secret": "0123456789abcdef", "kinds": []string{"everything"}}).Problem(t, 422)
		r := e.Post("/api/v1/webhooks", admin, map[string]any{"url": "https://198.51.100.7/hook", "secret": "0123456789abcdef", "kinds": []string{"spread", "consumer_report"}})
		if r.Code != 201 || strings.Contains(string(r.Body), "0123456789abcdef") {
			t.Fatalf("register: %d %s", r.Code, r.Body)
		}
	})
}

// TestWebhookRefusesPrivateAddressesAtDelivery registers a public-looking name whose address
// is checked only when connecting: the worker must not reach a private address even when the
// registration passed (a name re-pointed later, DNS rebinding).
func TestWebhookRefusesPrivateAddressesAtDelivery(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		code := w.codes(t, w.order(t, 2))[1][1]
		rc := &receiver{}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		admin := e.AdminToken()
		hook := e.Post("/api/v1/webhooks", admin, map[string]any{"url": srv.URL, "secret": "0123456789abcdef"}).ID(t)
		raise(t, e, w, model.RuleSpread, code)
		strict := e.StrictDeliver()
		if n, err := strict.RunOnce(t.Context()); n != 1 || err != nil {
			t.Fatalf("%d, %v", n, err)
		}
		rc.mu.Lock()
		calls := len(rc.got)
		rc.mu.Unlock()
		if calls != 0 {
			t.Fatal("the worker connected to a loopback address")
		}
		var log struct {
			Items []struct {
				Error string `json:"error"`
			}
		}
		e.Get(fmt.Sprintf("/api/v1/webhooks/%d/deliveries", hook), e.AdminToken()).JSON(t, &log) // the clock moved past the old token
		if len(log.Items) != 1 || !strings.Contains(log.Items[0].Error, "not public") {
			t.Fatalf("log %+v", log)
		}
	})
}

var hiddenRE = regexp.MustCompile(`name="(issued|token)" value="([^"]*)"`)

// reportForm opens a label's page and returns its form's hidden fields.
func reportForm(t *testing.T, e *apitest.Env, code string) map[string]string {
	t.Helper()
	r := e.Get("/v/"+code, "")
	if r.Code != 200 {
		t.Fatalf("page: %d", r.Code)
	}
	out := map[string]string{}
	for _, m := range hiddenRE.FindAllStringSubmatch(string(r.Body), -1) {
		out[m[1]] = m[2]
	}
	if out["token"] == "" || out["issued"] == "" || !strings.Contains(string(r.Body), `action="/v/`+code+`/report"`) {
		t.Fatalf("no report form on the page: %s", r.Body)
	}
	return out
}

func postReport(e *apitest.Env, code string, fields map[string]string, photo []byte, remote string) *apitest.Response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if photo != nil {
		fw, _ := mw.CreateFormFile("photo", "photo.jpg")
		_, _ = fw.Write(photo)
	}
	_ = mw.Close()
	return e.Do(apitest.Request{Method: "POST", Path: "/v/" + code + "/report", Body: buf.Bytes(), RemoteAddr: remote,
		Header: map[string]string{"Content-Type": mw.FormDataContentType()}})
}

func withForm(form map[string]string, kv ...string) map[string]string {
	out := map[string]string{"where_bought": "某电商平台 枸杞旗舰店", "city": "兰州", "problem": "包装粗糙，颜色不对"}
	for k, v := range form {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// jpegWithEXIF is a small JPEG carrying an APP1 (EXIF) block with a GPS-like marker.
func jpegWithEXIF(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		img.Set(x, x%30, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := stdjpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	exif := append([]byte("Exif\x00\x00"), []byte("GPSLatitude=36.5;secret-location")...)
	seg := append([]byte{0xFF, 0xE1, byte((len(exif) + 2) >> 8), byte(len(exif) + 2)}, exif...)
	return append(append(append([]byte{}, raw[:2]...), seg...), raw[2:]...)
}

func TestConsumerReport(t *testing.T) {
	apitest.Each(t, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		code := w.codes(t, w.order(t, 2))[1][1]
		form := reportForm(t, e, code)

		// Hostile text is stored as text and escaped wherever it is shown.
		hostile := `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
		r := postReport(e, code, withForm(form, "problem", hostile, "where_bought", "<b>店</b>", "phone", "138 0000 0000"), jpegWithEXIF(t), "203.0.113.5:1000")
		if r.Code != 201 || strings.Contains(string(r.Body), "<script>") {
			t.Fatalf("report: %d %s", r.Code, r.Body)
		}
		// Replayed: the token is spent, and the replay's photo is not kept.
		files := func() int {
			n := 0
			filepath.WalkDir(filepath.Join(e.DataDir, "reports"), func(_ string, d os.DirEntry, _ error) error {
				if d != nil && !d.IsDir() {
					n++
				}
				return nil
			})
			return n
		}
		before := files()
		var replayPhoto bytes.Buffer
		_ = png.Encode(&replayPhoto, image.NewGray(image.Rect(0, 0, 3, 5)))
		if r := postReport(e, code, withForm(form), replayPhoto.Bytes(), "203.0.113.5:1000"); r.Code != 409 || strings.Contains(string(r.Body), "<script>") {
			t.Fatalf("replay: %d", r.Code)
		}
		if files() != before {
			t.Fatal("a refused report left its photo behind")
		}
		var list struct {
			Items []struct {
				ID   int64
				Rule string
				Code string
			}
		}
		e.Get("/api/v1/signals?rule=consumer_report", w.rev.Token).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Code != code {
			t.Fatalf("signals %+v", list)
		}
		var d signalDetail
		e.Get(fmt.Sprintf("/api/v1/signals/%d", list.Items[0].ID), w.rev.Token).JSON(t, &d)
		if len(d.Reports) != 1 || d.Reports[0].Problem != hostile || d.Reports[0].Phone != "138 0000 0000" || !d.Reports[0].HasPhoto {
			t.Fatalf("report as stored: %+v", d.Reports)
		}
		// The owner sees the report but not the phone number.
		d = signalDetail{}
		e.Get(fmt.Sprintf("/api/v1/signals/%d", list.Items[0].ID), w.owner.Token).JSON(t, &d)
		if len(d.Reports) != 1 || d.Reports[0].Phone != "" {
			t.Fatalf("owner sees %+v", d.Reports)
		}
		// The photo was re-encoded: a readable JPEG without the EXIF block.
		var rep model.ConsumerReport
		if err := e.Store.DB().Take(&rep).Error; err != nil {
			t.Fatal(err)
		}
		stored, err := os.ReadFile(filepath.Join(e.DataDir, "reports", rep.PhotoSHA256[:2], rep.PhotoSHA256))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(stored, []byte("secret-location")) || bytes.Contains(stored, []byte("Exif")) {
			t.Fatal("photo metadata kept")
		}
		if _, err := stdjpeg.Decode(bytes.NewReader(stored)); err != nil {
			t.Fatalf("stored photo: %v", err)
		}
		if rep.Network == "" || strings.Contains(rep.Network, "203.0.113") {
			t.Fatalf("network kept as %q", rep.Network)
		}
		photo := fmt.Sprintf("/api/v1/signals/%d/reports/%d/photo", list.Items[0].ID, rep.ID)
		if r := e.Get(photo, w.rev.Token); r.Code != 200 || !bytes.Equal(r.Body, stored) || r.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("photo for the reviewer: %d %s", r.Code, r.Header.Get("Content-Type"))
		}
		if r := e.Get(photo, w.owner.Token); r.Code != 200 {
			t.Fatalf("photo for the owner: %d", r.Code)
		}
		e.Get(photo, w.other.Token).Problem(t, 404)

		// A second report on the same label updates its signal.
		form2 := reportForm(t, e, code)
		var pngb bytes.Buffer
		_ = png.Encode(&pngb, image.NewGray(image.Rect(0, 0, 8, 8)))
		if r := postReport(e, code, withForm(form2), pngb.Bytes(), "203.0.113.6:1"); r.Code != 201 {
			t.Fatalf("second report: %d %s", r.Code, r.Body)
		}
		e.Get(fmt.Sprintf("/api/v1/signals/%d", list.Items[0].ID), w.rev.Token).JSON(t, &d)
		if d.Count != 2 || len(d.Reports) != 2 {
			t.Fatalf("after two reports: %+v", d)
		}

		// Forged, foreign and expired tokens.
		f3 := reportForm(t, e, code)
		forged := withForm(f3, "token", strings.Repeat("0", 40))
		if r := postReport(e, code, forged, nil, "203.0.113.7:1"); r.Code != 403 {
			t.Fatalf("forged: %d", r.Code)
		}
		other := w.codes(t, w.order(t, 1))[1][1]
		if r := postReport(e, other, withForm(f3), nil, "203.0.113.7:1"); r.Code != 403 {
			t.Fatalf("token of another page: %d", r.Code)
		}
		e.Clock.Advance(3 * time.Hour)
		if r := postReport(e, code, withForm(f3), nil, "203.0.113.7:1"); r.Code != 403 {
			t.Fatalf("expired: %d", r.Code)
		}

		// Images: fake, oversized, wrong type. Nothing is stored for a refused report.
		f4 := reportForm(t, e, code)
		if r := postReport(e, code, withForm(f4), append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte("x"), 600)...), "203.0.113.8:1"); r.Code != 422 {
			t.Fatalf("fake JPEG: %d %s", r.Code, r.Body)
		}
		if r := postReport(e, code, withForm(f4), []byte("%PDF-1.4 not an image"), "203.0.113.8:1"); r.Code != 415 {
			t.Fatalf("PDF as photo: %d", r.Code)
		}
		big := append(jpegWithEXIF(t), bytes.Repeat([]byte{0}, 5<<20)...)
		if r := postReport(e, code, withForm(f4), big, "203.0.113.8:1"); r.Code != 413 {
			t.Fatalf("6 MB photo: %d", r.Code)
		}
		// A bomb: a small PNG declaring a huge picture.
		bomb := pngHeader(50000, 50000)
		if r := postReport(e, code, withForm(f4), bomb, "203.0.113.8:1"); r.Code != 422 {
			t.Fatalf("huge declared picture: %d", r.Code)
		}
		if r := postReport(e, code, withForm(f4, "problem", ""), nil, "203.0.113.8:1"); r.Code != 422 {
			t.Fatalf("empty problem: %d", r.Code)
		}
		if r := postReport(e, code, withForm(f4, "phone", "call me<script>"), nil, "203.0.113.8:1"); r.Code != 422 {
			t.Fatalf("bad phone: %d", r.Code)
		}
		var n int64
		e.Store.DB().Model(&model.ConsumerReport{}).Count(&n)
		if n != 2 {
			t.Fatalf("%d reports stored, want 2", n)
		}

		// An unknown (well-formed, never issued) code: a signal on the code alone, which no
		// enterprise sees.
		unknown := freshCode(t)
		if r := postReport(e, unknown, withForm(reportForm(t, e, unknown)), nil, "203.0.113.9:1"); r.Code != 201 {
			t.Fatalf("report on an unknown code: %d %s", r.Code, r.Body)
		}
		list.Items = nil
		rev := e.Login(w.rev.Username, apitest.Password).AccessToken // the clock moved past the old tokens
		e.Get("/api/v1/signals?rule=consumer_report", rev).JSON(t, &list)
		if len(list.Items) != 2 {
			t.Fatalf("signals %+v", list)
		}
		list.Items = nil
		e.Get("/api/v1/signals?rule=consumer_report", e.Login(w.owner.Username, apitest.Password).AccessToken).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Code != code {
			t.Fatalf("owner's signals %+v", list)
		}
	})
}

// pngHeader is the start of a PNG whose header declares w×h pixels.
func pngHeader(w, h int) []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	raw := b.Bytes()
	// IHDR data starts at byte 16: width and height, big-endian.
	put := func(off, v int) {
		raw[off], raw[off+1], raw[off+2], raw[off+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	}
	put(16, w)
	put(20, h)
	return raw
}

func TestConsumerReportRateLimit(t *testing.T) {
	apitest.EachWith(t, apitest.Options{ReportRatePerHour: 2}, func(t *testing.T, e *apitest.Env) {
		w := newLabelWorld(t, e)
		code := w.codes(t, w.order(t, 2))[1][1]
		for i := 0; i < 2; i++ {
			if r := postReport(e, code, withForm(reportForm(t, e, code)), nil, fmt.Sprintf("198.51.100.%d:1", 10+i)); r.Code != 201 {
				t.Fatalf("report %d: %d %s", i, r.Code, r.Body)
			}
		}
		// The same /24: refused, with Retry-After; another network is not.
		r := postReport(e, code, withForm(reportForm(t, e, code)), nil, "198.51.100.99:1")
		if r.Code != 429 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("third from one network: %d", r.Code)
		}
		if r := postReport(e, code, withForm(reportForm(t, e, code)), nil, "192.0.2.50:1"); r.Code != 201 {
			t.Fatalf("another network: %d", r.Code)
		}
		e.Clock.Advance(time.Hour)
		if r := postReport(e, code, withForm(reportForm(t, e, code)), nil, "198.51.100.99:1"); r.Code != 201 {
			t.Fatalf("an hour later: %d", r.Code)
		}
	})
}

// freshCode is a well-formed code that was never issued.
func freshCode(t *testing.T) string {
	c, err := labelcode.New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
