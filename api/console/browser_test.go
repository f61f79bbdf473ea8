package console_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"gimark/internal/apitest"
	"gimark/internal/testdb"
)

// chromium finds a Chromium binary: $GIMARK_CHROMIUM, else Debian's chromium or the usual
// names. Without one the browser test skips on a laptop and fails in CI (CI=true).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("GIMARK_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium binary found and CI=true: install it (apt-get install -y chromium) — .ci/run does")
	}
	t.Skip("browser test skipped: no chromium binary found (apt-get install -y chromium, or set GIMARK_CHROMIUM)")
	return ""
}

// screenshotDirs are where screenshots go: $GIMARK_ARTIFACTS_DIR (CI uploads it) or a temp
// folder, plus assets/screenshots/ when GIMARK_UPDATE_SCREENSHOTS=1 (the README's copies).
func screenshotDirs(t *testing.T) []string {
	dir := os.Getenv("GIMARK_ARTIFACTS_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "gimark-console-screenshots")
	}
	dirs := []string{dir}
	if os.Getenv("GIMARK_UPDATE_SCREENSHOTS") == "1" {
		dirs = append(dirs, filepath.Join("..", "..", "assets", "screenshots"))
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots: %s", strings.Join(dirs, ", "))
	return dirs
}

func saveShot(t *testing.T, dirs []string, name string, png []byte) {
	t.Helper()
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBrowserConsole drives headless Chromium through the console: a reviewer signs in and
// approves a submitted filing, which then shows in the public register; the enterprise signs
// in, orders a label batch and downloads its codes.csv; the reviewer reads the report with
// its charts; a label's /v/ page renders the product name at phone width.
func TestBrowserConsole(t *testing.T) {
	bin := chromium(t)
	shots := screenshotDirs(t)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	e := apitest.New(t, testdb.Engines(t)[0], apitest.Options{PublicBaseURL: base})
	srv := httptest.NewUnstartedServer(e.Handler)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	// The data the story starts from, through the API.
	ent := e.Enterprise("goji")
	e.Reviewer("reviewer1")
	prod := e.Product("靖远枸杞")
	other := e.Enterprise("hongyuan")
	e.Act(other.Token, e.Draft(other, e.Product("景泰枸杞")), "submit", nil, 200)
	id := e.Draft(ent, prod)
	if r := e.Upload(ent.Token, id, "business_license", "营业执照.pdf", pdf); r.Code != 201 {
		t.Fatalf("upload: %d", r.Code)
	}
	e.Act(ent.Token, id, "submit", nil, 200)
	draft := e.Draft(ent, e.Product("会宁胡麻油"))

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 800))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium %s: %v", bin, err)
	}
	ctx, cancelT := context.WithTimeout(bctx, 3*time.Minute)
	defer cancelT()

	// do runs steps with a deadline of their own; on failure it says where the browser is.
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			loc, _ := chromedp.Run(dctx, chromedp.Location())
			body, _ := chromedp.Run(dctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
			t.Fatalf("%s: %v (at %s: %.600s)", what, err, loc, body)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		saveShot(t, shots, name, png)
	}
	signIn := func(user, pass string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(base+"/console/login"),
			chromedp.WaitVisible(chromedp.CSS(`#username`)),
			chromedp.SendKeys(chromedp.CSS(`#username`), user),
			chromedp.SendKeys(chromedp.CSS(`#password`), pass),
			chromedp.Click(chromedp.CSS(`form[action="/console/login"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`form.who`)),
		)
	}

	// The reviewer: queue, filing, approval.
	do("reviewer signs in", signIn("reviewer1", apitest.Password), chromedp.WaitVisible(chromedp.CSS(`table`)))
	if q := text("main"); !strings.Contains(q, "靖远县goji枸杞有限公司") || !strings.Contains(q, "靖远枸杞") {
		t.Fatalf("queue: %s", q)
	}
	cookies, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	if err != nil || cookies != "" {
		t.Fatalf("session cookies readable by script: %q %v", cookies, err)
	}
	shot("console-queue.png")

	do("reviewer opens the filing",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/console/filings/%d"]`, id))),
		chromedp.WaitVisible(chromedp.CSS(`#quota`)))
	shot("console-filing.png")
	do("reviewer approves",
		chromedp.SendKeys(chromedp.CSS(`#quota`), "5000"),
		chromedp.Click(chromedp.CSS(`form:has(input[name="action"][value="approve"]) button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	if n := text(".notice"); !strings.Contains(n, "已核准") {
		t.Fatalf("after approval: %q", n)
	}
	do("public register", chromedp.Navigate(base+"/console/registry"), chromedp.WaitVisible(chromedp.CSS(`table`)))
	if r := text("main"); !strings.Contains(r, "靖远县goji枸杞有限公司") || !strings.Contains(r, "GI-620421-") {
		t.Fatalf("register: %q", r)
	}
	do("reviewer signs out", chromedp.Navigate(base+"/console/queue"), chromedp.WaitVisible(chromedp.CSS(`form.who`)),
		chromedp.Click(chromedp.CSS(`form.who button`)), chromedp.WaitVisible(chromedp.CSS(`#username`)))

	// The enterprise: order a batch, download codes.csv.
	dl := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	yes := true
	do("enterprise orders a batch", signIn("goji", apitest.Password),
		chromedp.Navigate(fmt.Sprintf("%s/console/filings/%d", base, id)),
		chromedp.WaitVisible(chromedp.CSS(`#quantity`)),
		chromedp.SendKeys(chromedp.CSS(`#quantity`), "24"),
		chromedp.Click(chromedp.CSS(`form[action$="/batches"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.downloads`)),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dl, EventsEnabled: &yes})
			return err
		}),
		chromedp.Click(chromedp.CSS(`a[href$="codes.csv"]`)))
	var csv []byte
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("codes.csv was not downloaded: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			if csv, err = os.ReadFile(filepath.Join(dl, ev.GUID)); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 25 || lines[0] != "serial,code,url" {
		t.Fatalf("codes.csv: %d lines, %q", len(lines), lines[0])
	}
	url := strings.Split(lines[1], ",")[2]
	if !strings.HasPrefix(strings.ToLower(url), strings.ToLower(base)+"/v/") {
		t.Fatalf("label url %q", url)
	}

	shot("console-batch.png")
	// 查询页 from the batch page: the consumer's page, not counted as a scan.
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[href$="/verify"]').getAttribute("href")`))
	if err != nil || !strings.HasPrefix(link, "/console/labels/") {
		t.Fatalf("查询页 link: %q %v", link, err)
	}
	do("enterprise opens 查询页", chromedp.Navigate(base+link), chromedp.WaitVisible(chromedp.CSS(`dl`)))
	if p := text("dl"); !strings.Contains(p, "消费者已查询 0 次（本次查看不计入）") {
		t.Fatalf("查询页: %q", p)
	}

	// 注销 is apart from 订购标签, and asks first: the confirmation page counts the labels.
	do("enterprise opens the cancellation's confirmation",
		chromedp.Navigate(fmt.Sprintf("%s/console/filings/%d", base, id)),
		chromedp.WaitVisible(chromedp.CSS(`.danger-zone`)),
		chromedp.Click(chromedp.CSS(`.danger-zone a[href$="action=cancel"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#reason`)))
	if c := text("main"); !strings.Contains(c, "目前有效的 24 枚标签（1 个批次）被消费者扫描时将显示") || !strings.Contains(c, "此操作不可撤回") {
		t.Fatalf("confirmation page: %q", c)
	}
	shot("console-confirm.png")
	do("confirming without a reason",
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#reason").removeAttribute("required")`),
		chromedp.Click(chromedp.CSS(`form.danger button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.danger .field-error`)))
	if s := text("form.danger .field-error"); !strings.Contains(s, "请填写理由") {
		t.Fatalf("no reason: %q", s)
	}
	shot("console-confirm-no-reason.png")
	do("backing out", chromedp.Click(chromedp.CSS(`form.danger a.button`)), chromedp.WaitVisible(chromedp.CSS(`#quantity`)))
	if st := text(".head .status"); st != "已核准" {
		t.Fatalf("after backing out: %q", st)
	}
	shot("console-filing-owner.png")

	// The password: a wrong current one is refused next to its field; then changed.
	do("enterprise changes the password, wrongly first",
		chromedp.Click(chromedp.CSS(`form.who a[href="/console/password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#current_password`)),
		chromedp.SendKeys(chromedp.CSS(`#current_password`), "not-the-password"),
		chromedp.SendKeys(chromedp.CSS(`#new_password`), "goji-new-password-1"),
		chromedp.Click(chromedp.CSS(`form[action="/console/password"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.field-error`)))
	if s := text(".field-error"); !strings.Contains(s, "当前密码不正确") {
		t.Fatalf("wrong current password: %q", s)
	}
	shot("console-password-wrong.png")
	do("enterprise changes the password",
		chromedp.SendKeys(chromedp.CSS(`#current_password`), apitest.Password),
		chromedp.SendKeys(chromedp.CSS(`#new_password`), "goji-new-password-1"),
		chromedp.Click(chromedp.CSS(`form[action="/console/password"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	if n := text(".notice"); !strings.Contains(n, "密码已修改") {
		t.Fatalf("after the change: %q", n)
	}
	shot("console-password.png")

	// A document over the upload limit: the filing page again, the refusal next to the file.
	big := filepath.Join(t.TempDir(), "big.pdf")
	if err := os.WriteFile(big, append(append([]byte{}, pdf...), make([]byte, 3<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	do("enterprise uploads a file over the limit",
		chromedp.Navigate(fmt.Sprintf("%s/console/filings/%d", base, draft)),
		chromedp.WaitVisible(chromedp.CSS(`form.upload`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{big}),
		chromedp.Click(chromedp.CSS(`form.upload button`)),
		chromedp.WaitVisible(chromedp.CSS(`form.upload .field-error`)))
	if s := text("form.upload .field-error"); !strings.Contains(s, "文件超过上传大小限制") {
		t.Fatalf("upload over the limit: %q", s)
	}
	shot("console-upload-413.png")

	// A year and a half of the enterprise's sales, through the API, for the report page.
	now := e.Clock.Now()
	var recs []map[string]any
	for y := now.Year() - 1; y <= now.Year(); y++ {
		for m := 1; m <= 12 && (y < now.Year() || m <= int(now.Month())); m++ {
			k := int64(y-now.Year()+2)*1000 + int64(m)*137
			period := fmt.Sprintf("%d-%02d", y, m)
			for i, pf := range []string{"tmall", "jd", "douyin", "pinduoduo"} {
				recs = append(recs, map[string]any{"product_id": prod, "period": period, "channel": "online", "platform": pf,
					"amount_cny": fmt.Sprintf("%d.00", k*(900-int64(i)*200)), "quantity_kg": "100"})
			}
			for i, cc := range []string{"JP", "US", "MY"} {
				recs = append(recs, map[string]any{"product_id": prod, "period": period, "channel": "export", "country": cc,
					"amount_cny": fmt.Sprintf("%d.00", k*(120-int64(i)*35)), "quantity_kg": "20"})
			}
		}
	}
	if r := e.Do(apitest.Request{Method: "PUT", Path: "/api/v1/sales-records", Token: ent.Token, Body: map[string]any{"records": recs}}); r.Code != 200 {
		t.Fatalf("sales: %d %s", r.Code, r.Body)
	}
	do("reviewer opens the report", chromedp.Click(chromedp.CSS(`form.who button`)), chromedp.WaitVisible(chromedp.CSS(`#username`)),
		signIn("reviewer1", apitest.Password), chromedp.Navigate(base+"/console/report"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	if r := text("main"); !strings.Contains(r, "网络销售额") || !strings.Contains(r, "京东") {
		t.Fatalf("report: %.300s", r)
	}
	shot("console-report.png")

	// Signals: scans of the enterprise's labels from several networks raise them (the rules
	// run where scans are written); the reviewer reads the list and a signal, acknowledges
	// it, and opens the product's scan analytics.
	for i, addr := range []string{"203.0.113.10", "198.51.100.20", "192.0.2.30", "203.0.113.40", "198.51.100.50"} {
		for _, line := range lines[1 : 2+i] {
			code := strings.Split(line, ",")[1]
			if r := e.Do(apitest.Request{Method: "GET", Path: "/api/v1/verify/" + code, RemoteAddr: addr + ":1234"}); r.Code != 200 {
				t.Fatalf("verify: %d", r.Code)
			}
		}
	}
	e.Recorder.Sync()
	do("reviewer opens the signals", chromedp.Navigate(base+"/console/signals"), chromedp.WaitVisible(chromedp.CSS(`table`)))
	if s := text("main"); !strings.Contains(s, "多地扫描同一标签") || !strings.Contains(s, "靖远枸杞") || !strings.Contains(s, "待处理") {
		t.Fatalf("signals: %.400s", s)
	}
	if n := text(".top nav a[href=\"/console/signals\"]"); !strings.Contains(n, "待处理") {
		t.Fatalf("navigation: %q", n)
	}
	shot("console-signals.png")
	do("reviewer opens a signal and acknowledges it",
		chromedp.Click(chromedp.CSS(`tbody tr:first-child a[href^="/console/signals/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ack-note`)),
		chromedp.SendKeys(chromedp.CSS(`#ack-note`), "已通知企业核查该批次的流向"),
		chromedp.Click(chromedp.CSS(`form:has(#ack-note) button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	if s := text("main"); !strings.Contains(s, "已受理") || !strings.Contains(s, "已通知企业核查该批次的流向") {
		t.Fatalf("signal page: %.400s", s)
	}
	shot("console-signal.png")
	do("reviewer opens the analytics", chromedp.Navigate(fmt.Sprintf("%s/console/scans?product_id=%d", base, prod)), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	if s := text("main"); !strings.Contains(s, "扫码次数") || !strings.Contains(s, "激活率") {
		t.Fatalf("analytics: %.400s", s)
	}
	shot("console-scans.png")

	// The consumer: the label's /v/ page on a 375 px wide phone.
	do("consumer opens /v/",
		chromedp.EmulateViewport(375, 740, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`dl`)))
	if p := text("dl dd"); !strings.Contains(p, "靖远枸杞") {
		t.Fatalf("/v/ shows product %q", p)
	}
	shot("verify-375.png")
	// At 375 px the code never breaks inside a group, a date never inside itself, and
	// nothing runs off the screen.
	layout, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const w = document.documentElement.clientWidth, out = [];
		const groups = document.querySelectorAll("dd.code .nw");
		if (groups.length < 3) out.push("code groups: " + groups.length);
		for (const e of document.querySelectorAll(".nw")) {
			const r = e.getClientRects();
			if (r.length !== 1) out.push(e.textContent + " on " + r.length + " lines");
			else if (r[0].right > w + 0.5) out.push(e.textContent + " runs off the screen");
		}
		if (document.querySelectorAll("dd .nw, footer .nw").length < groups.length + 2) out.push("dates are not kept whole");
		return out.join("; ");
	})()`))
	if err != nil || layout != "" {
		t.Fatalf("/v/ at 375 px: %s %v", layout, err)
	}

	// A damaged link and the bare address: Chinese pages, the form empty.
	do("a damaged label link", chromedp.Navigate(url+"/extra"), chromedp.WaitVisible(chromedp.CSS(`form[action="/v"]`)))
	shot("verify-near-miss-375.png")
	do("the entry form", chromedp.Navigate(base+"/v/"), chromedp.WaitVisible(chromedp.CSS(`#code`)))
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#code").value`)); err != nil || v != "" {
		t.Fatalf("/v/ pre-fills %q (%v)", v, err)
	}
	shot("verify-entry-375.png")
	do("the landing page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/console"]`)))
	shot("landing-375.png")

	// The report at phone width: no chart text below 11 CSS px.
	do("report at phone width", chromedp.Navigate(base+"/console/report"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	smallest, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => {
		let min = 1e9;
		for (const t of document.querySelectorAll("svg.chart text")) {
			const svg = t.ownerSVGElement, scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
			min = Math.min(min, parseFloat(getComputedStyle(t).fontSize) * scale);
		}
		return min;
	})()`))
	if err != nil || smallest < 11 || smallest > 1e8 {
		t.Fatalf("report at 375 px: the smallest chart text is %.1f CSS px (%v)", smallest, err)
	}
	shot("console-report-375.png")

	// The queue at phone width too, for the README.
	do("queue at phone width", chromedp.Navigate(base+"/console/queue?status=approved"), chromedp.WaitVisible(chromedp.CSS(`table`)))
	shot("console-queue-375.png")
	if r, _ := http.Get(base + "/healthz"); r == nil || r.StatusCode != 200 {
		t.Fatal("server not healthy after the run")
	}
}
