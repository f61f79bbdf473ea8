// Package demo loads the Baiyin demonstration dataset: the GI catalog of Baiyin, demo
// accounts, two years of filings, labels, scans and sales, so that a newcomer sees a real
// report on first start. The figures are illustrative; reference numbers not given by the
// bureau's public summary are marked as placeholders (示例占位).
package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gimark/internal/auth"
	"gimark/internal/filestore"
	"gimark/internal/labelcode"
	"gimark/internal/signal"
	"gimark/internal/uscc"
	"gimark/model"
)

// Store is what loading the dataset writes through: the same store methods the services use.
type Store interface {
	UserByUsername(ctx context.Context, username string) (*model.User, error)
	CreateUser(ctx context.Context, u *model.User, actorID *int64) error
	CreateProduct(ctx context.Context, p *model.Product, actorID int64) error
	ListProducts(ctx context.Context, text string, active *bool, page model.Page) ([]model.Product, int64, error)
	RegisterEnterprise(ctx context.Context, e *model.Enterprise, u *model.User) error
	CreateFiling(ctx context.Context, f *model.Filing, actorID int64) error
	TransitionFiling(ctx context.Context, in model.FilingTransition) (*model.Filing, error)
	CreateLabelBatch(ctx context.Context, b *model.LabelBatch, check func(*model.Filing, int64) error, newCodes func(int) ([]string, error)) error
	LabelByCode(ctx context.Context, code string) (*model.Label, error)
	RecordScans(ctx context.Context, f model.ScanFlush, committing func(scanID int64)) error
	FoldScanCounts(ctx context.Context) (labels, mark int64, err error)
	PutSales(ctx context.Context, rows []model.SalesRecord, actorID int64) (int, int, error)
	CreateDocument(ctx context.Context, d *model.Document) error
	signal.RuleStore
}

// Env is where the demo keeps what does not live in the database.
type Env struct {
	// Files holds the documents' bytes (GIMARK_DATA_DIR/documents); nil attaches none.
	Files *filestore.Store
	// PasswordFile keeps the demo accounts' password (mode 0600) so that a second run can
	// print it again; "" keeps none.
	PasswordFile string
}

// TimeSetter moves the store's clock; the zero time gives it back to the real clock.
type TimeSetter interface{ Set(t time.Time) }

// Clock is the store's clock, set by the loader so that records carry their demo dates.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time (the real time until Set).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Now()
	}
	return c.t
}

// Set moves the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// The dataset's headline figures (DESIGN.md): 2021 online sales and exports, and the lower
// 2020 figures that make the year-on-year growth.
const (
	Online2021Fen  = 237_000_000_00
	Export2021Fen  = 4_260_000_00
	Offline2021Fen = 96_500_000_00
	Online2020Fen  = 181_500_000_00
	Export2020Fen  = 3_120_000_00
	Offline2020Fen = 88_000_000_00
	NewIn2020      = 11 // enterprises authorized in 2020 (new filings)
	SwitchesIn2021 = 80 // enterprises that switched to the new mark in 2021
)

const reviewerName = "demo-reviewer"

type product struct {
	name, kind, ref, reg, area, standard, region string
	enterprises                                  int // of the 91
}

var catalog = []product{
	{"靖远枸杞", "protected_product", "2012年12月27日批准为地理标志保护产品（公告号：示例占位）", "",
		"甘肃省靖远县靖安、五合、东升、北滩、永新、双龙、石门、刘川、大芦九个乡镇现辖行政区域", "示例占位", "620421", 60},
	{"靖远小口大枣", "protected_product", "公告号：示例占位", "", "甘肃省靖远县（示例）", "示例占位", "620421", 8},
	{"靖远黑瓜籽", "protected_product", "公告号：示例占位", "", "甘肃省靖远县（示例）", "示例占位", "620421", 6},
	{"靖远羊羔肉", "protected_product", "公告号：示例占位", "", "甘肃省靖远县（示例）", "示例占位", "620421", 6},
	{"靖远文冠果油", "protected_product", "公告号：示例占位", "", "甘肃省靖远县（示例）", "示例占位", "620421", 4},
	{"会宁胡麻油", "protected_product", "公告号：示例占位", "", "甘肃省会宁县（示例）", "示例占位", "620422", 4},
	{"会宁扁豆", "certification_mark", "第23307869号", "", "甘肃省会宁县（示例）", "", "620422", 3},
}

// Load writes the dataset. It changes nothing when the demo reviewer already exists, so
// running it twice is harmless; it then prints the demo password again from env's file (or
// says how to set a new one).
func Load(ctx context.Context, st Store, clock TimeSetter, env Env, out io.Writer) error {
	if _, err := st.UserByUsername(ctx, reviewerName); err == nil {
		fmt.Fprintln(out, "gimark demo: the Baiyin demo dataset is already loaded; nothing changed")
		if b, err := os.ReadFile(env.PasswordFile); env.PasswordFile != "" && err == nil && len(bytes.TrimSpace(b)) > 0 {
			printAccounts(out, string(bytes.TrimSpace(b)))
			fmt.Fprintf(out, "  (the password is kept in %s)\n", env.PasswordFile)
		} else {
			fmt.Fprintf(out, "  the demo password was printed when the dataset was loaded; to choose a new one:\n"+
				"  echo 'a-new-password' | gimark passwd %s   (likewise demo-ent-01 … demo-ent-91)\n", reviewerName)
		}
		return nil
	} else if !model.IsKind(err, model.KindNotFound) {
		return err
	}
	pw, err := auth.GeneratePassword()
	if err != nil {
		return err
	}
	if env.PasswordFile != "" {
		if err := os.MkdirAll(filepath.Dir(env.PasswordFile), 0o750); err != nil {
			return err
		}
		if err := os.WriteFile(env.PasswordFile, []byte(pw+"\n"), 0o600); err != nil {
			return fmt.Errorf("keep the demo password: %w", err)
		}
	}
	attach := func(f *model.Filing, u *model.User, e *model.Enterprise, product string) error {
		return attachDocuments(ctx, st, env.Files, f, u, e, product)
	}
	hash, err := auth.NewHasher(0).Hash(pw)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(2021, 12))
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 2, 0, 0, 0, time.UTC) }

	clock.Set(at(2019, 12, 1))
	reviewer := &model.User{Username: reviewerName, PasswordHash: hash, Role: model.RoleReviewer}
	if err := st.CreateUser(ctx, reviewer, nil); err != nil {
		return fmt.Errorf("demo reviewer: %w", err)
	}
	existing, _, err := st.ListProducts(ctx, "", nil, model.Page{Page: 1, PageSize: 100})
	if err != nil {
		return err
	}
	byName := map[string]int64{}
	for _, p := range existing {
		byName[p.Name] = p.ID
	}
	var productIDs []int64
	for _, c := range catalog {
		if id, ok := byName[c.name]; ok {
			productIDs = append(productIDs, id)
			continue
		}
		p := &model.Product{Name: c.name, Kind: model.ProductKind(c.kind), ReferenceNumber: c.ref, RegistrationNumber: c.reg,
			ProtectedArea: c.area, Standard: c.standard, RegionCode: c.region, Active: true}
		if err := st.CreateProduct(ctx, p, reviewer.ID); err != nil {
			return fmt.Errorf("demo product %s: %w", c.name, err)
		}
		productIDs = append(productIDs, p.ID)
	}

	type ent struct {
		userID, enterpriseID, filingID, productID int64
		goji                                      bool
		approved                                  time.Time
	}
	var ents []ent
	var users []*model.User
	var enterprises []*model.Enterprise
	n := 0
	for pi, c := range catalog {
		for range c.enterprises {
			n++
			prefix := "91"
			if n%7 == 0 {
				prefix = "93" // farmer cooperatives
			}
			code, err := uscc.Make(prefix, c.region, fmt.Sprintf("JY%06d", 100000+n*37))
			if err != nil {
				return err
			}
			// The first NewIn2020 enterprises were authorized in 2020 with new filings; the
			// other 80 switched from the old mark in the first half of 2021.
			kind, approved := model.FilingSwitch, at(2021, time.Month(1+(n-NewIn2020-1)%6), 1+(n*3)%27)
			if n <= NewIn2020 {
				kind, approved = model.FilingNew, at(2020, time.Month(1+(n-1)%3), 5+n)
			}
			clock.Set(approved.AddDate(0, 0, -30))
			e := &model.Enterprise{USCC: code, Name: fmt.Sprintf("%s示例企业%02d", c.name, n),
				LegalRepresentative: "示例法人", Address: c.area, RegionCode: c.region, ContactPhone: "0943-0000000"}
			u := &model.User{Username: fmt.Sprintf("demo-ent-%02d", n), PasswordHash: hash, Role: model.RoleEnterprise}
			if err := st.RegisterEnterprise(ctx, e, u); err != nil {
				return fmt.Errorf("demo enterprise %d: %w", n, err)
			}
			pid := productIDs[pi]
			f := &model.Filing{EnterpriseID: e.ID, ProductID: pid, LiveProductID: &pid, Kind: kind, Status: model.StatusDraft,
				ProductionAddress: c.area, AnnualOutputGrams: int64(20_000+rng.IntN(200_000)) * 1000}
			if err := st.CreateFiling(ctx, f, u.ID); err != nil {
				return err
			}
			if err := attach(f, u, e, c.name); err != nil {
				return err
			}
			clock.Set(approved.AddDate(0, 0, -20))
			if _, err := st.TransitionFiling(ctx, model.FilingTransition{ID: f.ID, Action: model.ActSubmit, From: model.StatusDraft,
				To: model.StatusSubmitted, ActorID: u.ID}); err != nil {
				return err
			}
			clock.Set(approved)
			if _, err := st.TransitionFiling(ctx, model.FilingTransition{ID: f.ID, Action: model.ActApprove, From: model.StatusSubmitted,
				To: model.StatusApproved, ActorID: reviewer.ID, RegionCode: c.region}); err != nil {
				return err
			}
			ents = append(ents, ent{userID: u.ID, enterpriseID: e.ID, filingID: f.ID, productID: pid, goji: pi == 0, approved: approved})
			users = append(users, u)
			enterprises = append(enterprises, e)
		}
	}

	// Labels and scans: a few batches per year on goji filings, and consumer scans of them.
	var labelIDs2020, labelIDs2021 []int64
	for i, e := range ents[:8] {
		year := 2021
		size := 2000
		if e.approved.Year() == 2020 && i < 3 {
			year, size = 2020, 1000
		}
		clock.Set(at(year, time.Month(6+i%4), 10))
		var codes []string
		b := &model.LabelBatch{FilingID: e.filingID, Quantity: size, CreatedBy: e.userID}
		err := st.CreateLabelBatch(ctx, b, func(*model.Filing, int64) error { return nil }, func(k int) ([]string, error) {
			c, err := labelcode.NewBatch(k)
			codes = append(codes, c...)
			return c, err
		})
		if err != nil {
			return fmt.Errorf("demo labels: %w", err)
		}
		for _, code := range codes[:60] {
			l, err := st.LabelByCode(ctx, code)
			if err != nil {
				return err
			}
			if year == 2020 {
				labelIDs2020 = append(labelIDs2020, l.ID)
			} else {
				labelIDs2021 = append(labelIDs2021, l.ID)
			}
		}
	}
	for year, ids := range map[int][]int64{2020: labelIDs2020, 2021: labelIDs2021} {
		if err := scans(ctx, st, rng, year, ids, 6*len(ids)); err != nil {
			return err
		}
	}
	if err := signals(ctx, st, rng, labelIDs2021[0]); err != nil {
		return err
	}

	// Sales, reported in January of the following year.
	for _, y := range []struct {
		year                    int
		online, export, offline int64
	}{{2020, Online2020Fen, Export2020Fen, Offline2020Fen}, {2021, Online2021Fen, Export2021Fen, Offline2021Fen}} {
		clock.Set(at(y.year+1, 1, 15))
		var active []ent
		for _, e := range ents {
			if e.approved.Year() <= y.year {
				active = append(active, e)
			}
		}
		rows := map[int64][]*model.SalesRecord{}
		add := func(e ent, m int, channel, platform, country string) *model.SalesRecord {
			r := &model.SalesRecord{EnterpriseID: e.enterpriseID, ProductID: e.productID, Period: y.year*100 + m,
				Channel: channel, Platform: platform, Country: country}
			rows[e.userID] = append(rows[e.userID], r)
			return r
		}
		var online, export, offline []*model.SalesRecord
		for i, e := range active {
			for m := 1; m <= 12; m++ {
				p1, p2 := model.Platforms[i%6], model.Platforms[(i+2)%6]
				online = append(online, add(e, m, model.ChannelOnline, p1, ""), add(e, m, model.ChannelOnline, p2, ""))
				offline = append(offline, add(e, m, model.ChannelOffline, "", ""))
				if e.goji && i%6 == 0 {
					export = append(export, add(e, m, model.ChannelExport, "", []string{"JP", "KR", "MY", "SG", "US", "DE", "AE"}[i%7]))
				}
			}
		}
		split(rng, online, y.online, 80_00)   // about 80 yuan a kg online
		split(rng, export, y.export, 95_00)   // exports fetch more
		split(rng, offline, y.offline, 60_00) // local markets less
		for i, e := range active {
			list := make([]model.SalesRecord, len(rows[e.userID]))
			for j, r := range rows[e.userID] {
				list[j] = *r
			}
			if _, _, err := st.PutSales(ctx, list, e.userID); err != nil {
				return fmt.Errorf("demo sales of enterprise %d: %w", i+1, err)
			}
		}
	}
	// Work waiting for the reviewer: recent filings for a second product, three submitted and
	// one returned for correction, each with its documents.
	queued, err := queue(ctx, st, clock, reviewer, users, enterprises, productIDs, attach)
	if err != nil {
		return err
	}
	clock.Set(time.Time{})
	fmt.Fprintf(out, "gimark demo: loaded the Baiyin demo dataset (illustrative figures; placeholder reference numbers are marked 示例占位)\n")
	printAccounts(out, pw)
	fmt.Fprintf(out, "  report:      GET /api/v1/reports/summary?year=2021\n")
	fmt.Fprintf(out, "  to review:   %d submitted filings in /console/queue, 1 returned; signals in /console/signals\n", queued)
	if env.PasswordFile != "" {
		fmt.Fprintf(out, "  (the password is kept in %s; running gimark demo again prints it)\n", env.PasswordFile)
	}
	return nil
}

func printAccounts(out io.Writer, pw string) {
	fmt.Fprintf(out, "  reviewer:    %s / %s\n", reviewerName, pw)
	fmt.Fprintf(out, "  enterprises: demo-ent-01 … demo-ent-91 / %s\n", pw)
}

// attachDocuments attaches a business licence and an origin proof (small generated PDFs) to
// a draft filing, as its enterprise would before submitting.
func attachDocuments(ctx context.Context, st Store, files *filestore.Store, f *model.Filing, u *model.User, e *model.Enterprise, product string) error {
	if files == nil {
		return nil
	}
	for _, d := range []struct {
		kind  model.DocumentKind
		name  string
		lines []string
	}{
		{model.DocBusinessLicense, "营业执照.pdf", []string{"Business licence (demo document)", "Unified social credit code: " + e.USCC,
			"Legal representative: (demo)", "Issued by the market supervision bureau (illustrative)"}},
		{model.DocOriginProof, "产地证明.pdf", []string{"Proof of origin (demo document)", "Unified social credit code: " + e.USCC,
			fmt.Sprintf("Filing %d: produced inside the protected area of %s", f.ID, productNames[product]), "Illustrative only"}},
	} {
		stored, err := files.Put(bytes.NewReader(samplePDF(d.lines...)), 1<<20)
		if err != nil {
			return fmt.Errorf("demo document: %w", err)
		}
		doc := &model.Document{FilingID: f.ID, Kind: d.kind, Filename: d.name, ContentType: stored.ContentType,
			Size: stored.Size, SHA256: stored.SHA256, UploadedBy: u.ID}
		if err := st.CreateDocument(ctx, doc); err != nil {
			return fmt.Errorf("demo document of filing %d: %w", f.ID, err)
		}
	}
	return nil
}

// productNames are the catalog's names in ASCII, for the generated PDFs' standard font.
var productNames = map[string]string{
	"靖远枸杞": "Jingyuan goji", "靖远小口大枣": "Jingyuan small-mouth jujube", "靖远黑瓜籽": "Jingyuan black melon seeds",
	"靖远羊羔肉": "Jingyuan lamb", "靖远文冠果油": "Jingyuan yellowhorn oil", "会宁胡麻油": "Huining flaxseed oil", "会宁扁豆": "Huining lentils",
}

// queue files recent filings of demo enterprises for a product they do not hold yet: three
// submitted (oldest first in the review queue) and one returned with the reviewer's reason.
func queue(ctx context.Context, st Store, clock TimeSetter, reviewer *model.User, users []*model.User, ents []*model.Enterprise,
	productIDs []int64, attach func(*model.Filing, *model.User, *model.Enterprise, string) error) (int, error) {
	now := time.Now().UTC().Truncate(time.Minute)
	picks := []struct {
		ent, product int // indexes into the demo enterprises and the catalog
		daysAgo      int
		returned     string
	}{
		{1, 1, 9, ""}, {4, 2, 6, ""}, {8, 3, 2, ""},
		{11, 4, 12, "产地证明未加盖乡镇人民政府公章，请补充后重新提交。"},
	}
	submitted := 0
	for _, p := range picks {
		u, e, pid := users[p.ent], ents[p.ent], productIDs[p.product]
		at := now.AddDate(0, 0, -p.daysAgo)
		clock.Set(at.Add(-2 * time.Hour))
		f := &model.Filing{EnterpriseID: e.ID, ProductID: pid, LiveProductID: &pid, Kind: model.FilingNew, Status: model.StatusDraft,
			ProductionAddress: e.Address, AnnualOutputGrams: int64(5_000+p.daysAgo*1_000) * 1000}
		if err := st.CreateFiling(ctx, f, u.ID); err != nil {
			return 0, fmt.Errorf("demo queue: %w", err)
		}
		if err := attach(f, u, e, catalog[p.product].name); err != nil {
			return 0, err
		}
		clock.Set(at)
		if _, err := st.TransitionFiling(ctx, model.FilingTransition{ID: f.ID, Action: model.ActSubmit, From: model.StatusDraft,
			To: model.StatusSubmitted, ActorID: u.ID}); err != nil {
			return 0, err
		}
		if p.returned == "" {
			submitted++
			continue
		}
		clock.Set(at.Add(26 * time.Hour))
		if _, err := st.TransitionFiling(ctx, model.FilingTransition{ID: f.ID, Action: model.ActReturn, From: model.StatusSubmitted,
			To: model.StatusReturned, Reason: p.returned, ActorID: reviewer.ID}); err != nil {
			return 0, err
		}
	}
	return submitted, nil
}

// signals leaves counterfeit signals to look at: one label scanned far past the warning
// threshold from many phones (a copied label), and never-issued codes tried again and again.
func signals(ctx context.Context, st Store, rng *rand.Rand, copied int64) error {
	f := model.ScanFlush{Labels: map[int64]model.ScanTally{}, Unknown: map[string]model.ScanTally{}}
	start := time.Date(2021, 11, 3, 9, 0, 0, 0, time.UTC)
	for i := range 36 {
		at := start.Add(time.Duration(i) * 97 * time.Minute)
		f.Scans = append(f.Scans, model.Scan{LabelID: &copied, Code: "demo", Result: model.ResultGenuine,
			ClientHash: fmt.Sprintf("%032x", rng.Uint64()), ScannedAt: at})
		t := f.Labels[copied]
		t.Add(at)
		f.Labels[copied] = t
	}
	codes, err := labelcode.NewBatch(3)
	if err != nil {
		return err
	}
	for i, code := range codes {
		for j := range 2 + 3*i {
			at := start.Add(time.Duration(i*24+j) * time.Hour)
			f.Scans = append(f.Scans, model.Scan{Code: code, Result: model.ResultNotFound, ClientHash: fmt.Sprintf("%032x", rng.Uint64()), ScannedAt: at})
			t := f.Unknown[code]
			t.Add(at)
			f.Unknown[code] = t
		}
	}
	if err := st.RecordScans(ctx, f, nil); err != nil {
		return err
	}
	if _, _, err = st.FoldScanCounts(ctx); err != nil {
		return err
	}
	// The rules judge these scans as they would have when recorded: each from its own network.
	obs := make([]model.ObservedScan, len(f.Scans))
	for i, s := range f.Scans {
		obs[i] = model.ObservedScan{LabelID: s.LabelID, Code: s.Code, Result: s.Result, Network: s.ClientHash, At: s.ScannedAt}
	}
	rules := signal.NewRules(st, slog.New(slog.NewTextHandler(io.Discard, nil)), signal.DefaultParams)
	return rules.Observe(ctx, obs, nil)
}

// split divides total fen over rows with random weights, exactly (the remainder goes to the
// last row), and sets each row's quantity from a price per kg in fen.
func split(rng *rand.Rand, rows []*model.SalesRecord, total, fenPerKg int64) {
	if len(rows) == 0 {
		return
	}
	weights := make([]int64, len(rows))
	var sum int64
	for i := range weights {
		weights[i] = 50 + int64(rng.IntN(100))
		sum += weights[i]
	}
	var given int64
	for i, r := range rows {
		if i == len(rows)-1 {
			r.AmountFen = total - given
		} else {
			r.AmountFen = total * weights[i] / sum
		}
		given += r.AmountFen
		r.QuantityG = r.AmountFen * 1000 / fenPerKg
	}
}

// scans records n consumer scans of the given labels spread over a year.
func scans(ctx context.Context, st Store, rng *rand.Rand, year int, ids []int64, n int) error {
	if len(ids) == 0 {
		return nil
	}
	f := model.ScanFlush{Labels: map[int64]model.ScanTally{}, Unknown: map[string]model.ScanTally{}}
	start := time.Date(year, 7, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		id := ids[rng.IntN(len(ids))]
		at := start.Add(time.Duration(i) * (150 * 24 * time.Hour / time.Duration(n)))
		f.Scans = append(f.Scans, model.Scan{LabelID: &id, Code: "demo", Result: model.ResultGenuine, ClientHash: fmt.Sprintf("%032x", rng.Uint64()), ScannedAt: at})
		t := f.Labels[id]
		t.Add(at)
		f.Labels[id] = t
	}
	if err := st.RecordScans(ctx, f, nil); err != nil {
		return err
	}
	_, _, err := st.FoldScanCounts(ctx) // labels' counts, where the store defers them
	return err
}
