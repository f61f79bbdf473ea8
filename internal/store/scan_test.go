package store_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"gimark/internal/labelcode"
	"gimark/internal/store"
	"gimark/internal/testdb"
	"gimark/model"
)

// TestScanCountsFold: a flush records scans; label counts are applied by the next fold,
// exactly once, with first and last scan times, and verification's read returns the fold
// mark with the count.
func TestScanCountsFold(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		b := issueBatch(t, s, 3)
		a, c := b.FirstLabelID, b.FirstLabelID+1
		t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		flush := func(id int64, times ...time.Time) model.ScanFlush {
			fl := model.ScanFlush{Labels: map[int64]model.ScanTally{}, Unknown: map[string]model.ScanTally{"UNKNOWN": {Count: 1, First: t0, Last: t0}}}
			for _, at := range times {
				fl.Scans = append(fl.Scans, model.Scan{LabelID: &id, Code: "C", Result: model.ResultGenuine, ClientHash: "h", ScannedAt: at})
				tl := fl.Labels[id]
				tl.Add(at)
				fl.Labels[id] = tl
			}
			fl.Scans = append(fl.Scans, model.Scan{Code: "UNKNOWN", Result: model.ResultNotFound, ClientHash: "h", ScannedAt: t0})
			return fl
		}
		label := func(id int64) model.Label {
			var l model.Label
			if err := s.DB().Take(&l, id).Error; err != nil {
				t.Fatal(err)
			}
			return l
		}
		if err := s.RecordScans(ctx, flush(a, t0.Add(time.Second), t0.Add(3*time.Second), t0.Add(2*time.Second)), nil); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordScans(ctx, flush(c, t0.Add(time.Minute)), nil); err != nil {
			t.Fatal(err)
		}
		if before := label(a).ScanCount; !s.DefersScanCounts() || before != 0 {
			t.Fatalf("before a fold: count %d (deferred %v)", before, s.DefersScanCounts())
		}
		var last int64
		if err := s.DB().Raw("SELECT MAX(id) FROM scans").Scan(&last).Error; err != nil {
			t.Fatal(err)
		}
		n, mark, err := s.FoldScanCounts(ctx)
		if err != nil || n != 2 || mark != last {
			t.Fatalf("fold updated %d labels to mark %d (%v), want 2 to %d", n, mark, err, last)
		}
		if n, again, err := s.FoldScanCounts(ctx); err != nil || n != 0 || again != mark {
			t.Fatalf("a second fold updated %d labels to mark %d (%v)", n, again, err)
		}
		if r, err := s.LabelForVerify(ctx, label(a).Code); err != nil || r.FoldMark != mark || r.ScanCount != 3 {
			t.Fatalf("verification's read after the fold: %+v (%v), want count 3 at mark %d", r, err, mark)
		}
		la, lc := label(a), label(c)
		if la.ScanCount != 3 || !la.FirstScannedAt.Equal(t0.Add(time.Second)) || !la.LastScannedAt.Equal(t0.Add(3*time.Second)) ||
			lc.ScanCount != 1 || label(c+1).ScanCount != 0 {
			t.Fatalf("after the fold: a=%d %v..%v c=%d", la.ScanCount, la.FirstScannedAt, la.LastScannedAt, lc.ScanCount)
		}
		// Later scans add to the counts; an earlier first scan time is kept.
		if err := s.RecordScans(ctx, flush(a, t0.Add(time.Hour)), nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.FoldScanCounts(ctx); err != nil {
			t.Fatal(err)
		}
		la = label(a)
		if la.ScanCount != 4 || !la.FirstScannedAt.Equal(t0.Add(time.Second)) || !la.LastScannedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("after the second fold: %d %v..%v", la.ScanCount, la.FirstScannedAt, la.LastScannedAt)
		}
		var u model.UnknownCode
		if err := s.DB().Where("code = ?", "UNKNOWN").Take(&u).Error; err != nil || u.Count != 3 {
			t.Fatalf("unknown code tally %d (%v), want 3", u.Count, err)
		}
		if n, _ := s.CountScans(ctx); n != 8 {
			t.Fatalf("%d scans, want 8", n)
		}
	})
}

// TestScanRowsKeepTheirText: what a scan flush writes reads back exactly, whatever the user
// agent or the (sanitised) input holds: quotes, backslashes, markup, Chinese, control
// characters, and times to the nanosecond.
func TestScanRowsKeepTheirText(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		b := issueBatch(t, s, 1)
		id := b.FirstLabelID
		at := time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC) // MySQL keeps microseconds
		agents := []string{"", `Mozilla/5.0 "quoted" \ back\slash`, "<script>&amp;</script>", "微信 MicroMessenger/8.0 靖远枸杞",
			"tab\tnew\nline\x01", "emoji 🍇 \u2028 end"}
		var fl model.ScanFlush
		fl.Labels, fl.Unknown = map[int64]model.ScanTally{}, map[string]model.ScanTally{}
		for i, ua := range agents {
			sc := model.Scan{Code: `(select "1")<>&`, Result: model.ResultInvalid, ClientHash: "0123456789abcdef", UserAgent: ua,
				ScannedAt: at.Add(time.Duration(i) * time.Second)}
			if i%2 == 0 {
				sc.LabelID, sc.Code, sc.Result = &id, "CODE"+strconv.Itoa(i), model.ResultGenuine
				tl := fl.Labels[id]
				tl.Add(sc.ScannedAt)
				fl.Labels[id] = tl
			}
			fl.Scans = append(fl.Scans, sc)
		}
		if err := s.RecordScans(ctx, fl, nil); err != nil {
			t.Fatal(err)
		}
		var got []model.Scan
		if err := s.DB().Order("id").Find(&got).Error; err != nil {
			t.Fatal(err)
		}
		if len(got) != len(fl.Scans) {
			t.Fatalf("%d scans read back, want %d", len(got), len(fl.Scans))
		}
		for i, g := range got {
			w := fl.Scans[i]
			if (g.LabelID == nil) != (w.LabelID == nil) || g.LabelID != nil && *g.LabelID != *w.LabelID || g.Code != w.Code ||
				g.Result != w.Result || g.ClientHash != w.ClientHash || g.UserAgent != w.UserAgent || !g.ScannedAt.Equal(w.ScannedAt) {
				t.Errorf("scan %d: got %+v, want %+v", i, g, w)
			}
		}
	})
}

// TestLabelBatchPaths issues batches on every insert path (SQLite's json_each statements;
// MySQL's LOAD DATA stream and its 1000-row INSERT fallback) with a code that collides
// after rows the statement already wrote, and with a code source that fails half-way.
func TestLabelBatchPaths(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		f := approvedFiling(t, s)
		existing := &model.LabelBatch{FilingID: f.ID, Quantity: 1, CreatedBy: 1}
		var taken string
		if err := s.CreateLabelBatch(ctx, existing, func(*model.Filing, int64) error { return nil }, func(n int) ([]string, error) {
			c, err := labelcode.NewBatch(n)
			taken = c[0]
			return c, err
		}); err != nil {
			t.Fatal(err)
		}
		paths := []bool{true}
		if s.Dialect() == "mysql" {
			paths = []bool{true, false}
		}
		for _, loadData := range paths {
			s.SetLoadData(loadData)
			n := 5000 // more than one chunk on every path
			if s.Dialect() == "mysql" {
				n = 70_000
			}
			calls := 0
			b := &model.LabelBatch{FilingID: f.ID, Quantity: n, CreatedBy: 1}
			err := s.CreateLabelBatch(ctx, b, func(*model.Filing, int64) error { return nil }, func(k int) ([]string, error) {
				calls++
				c, err := labelcode.NewBatch(k)
				if calls == 1 {
					c[len(c)-1] = taken
				}
				return c, err
			})
			if err != nil {
				t.Fatalf("load data %v: %v", loadData, err)
			}
			var rows []struct {
				ID     int64
				Serial int
				Code   string
			}
			s.DB().Model(&model.Label{}).Where("batch_id = ?", b.ID).Order("id").Find(&rows)
			seen := map[string]bool{taken: true}
			for i, r := range rows {
				if r.ID != b.FirstLabelID+int64(i) || r.Serial != i+1 || seen[r.Code] {
					t.Fatalf("load data %v: row %d is %+v (first id %d)", loadData, i, r, b.FirstLabelID)
				}
				seen[r.Code] = true
			}
			if len(rows) != n {
				t.Fatalf("load data %v: %d labels, want %d", loadData, len(rows), n)
			}

			var before int64
			s.DB().Model(&model.Label{}).Count(&before)
			calls = 0
			failing := &model.LabelBatch{FilingID: f.ID, Quantity: n, CreatedBy: 1}
			err = s.CreateLabelBatch(ctx, failing, func(*model.Filing, int64) error { return nil }, func(k int) ([]string, error) {
				if calls++; calls > 1 {
					return nil, errors.New("entropy source failed")
				}
				return labelcode.NewBatch(k)
			})
			var after, batches int64
			s.DB().Model(&model.Label{}).Count(&after)
			s.DB().Model(&model.LabelBatch{}).Where("id > ?", b.ID).Count(&batches)
			if err == nil || after != before || batches != 0 {
				t.Fatalf("load data %v: a failed batch left %d labels and %d batches (err %v)", loadData, after-before, batches, err)
			}
		}
	})
}
