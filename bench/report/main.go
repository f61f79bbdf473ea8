// Command report times the year report over a million sales rows, on SQLite or MySQL, and
// prints each report query's plan. The rows are bulk-loaded with raw SQL; the report runs
// through the same service the API uses.
//
//	go run ./bench/report                                   # SQLite in a temporary folder
//	go run ./bench/report -mysql 'root:@tcp(127.0.0.1:3306)/'   # MySQL: a database made and dropped
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"gimark/internal/report"
	"gimark/internal/store"
	"gimark/model"
)

func main() {
	mysqlDSN := flag.String("mysql", "", "MySQL server DSN without a database; empty for SQLite")
	rows := flag.Int("rows", 1_000_000, "sales rows to load")
	runs := flag.Int("runs", 7, "report runs to time")
	flag.Parse()
	ctx := context.Background()

	opts := store.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if *mysqlDSN == "" {
		dir, _ := os.MkdirTemp("", "gimark-report-bench")
		defer os.RemoveAll(dir)
		opts.Driver, opts.DSN = "sqlite", filepath.Join(dir, "bench.db")
	} else {
		admin, err := sql.Open("mysql", *mysqlDSN)
		must(err)
		_, err = admin.Exec("DROP DATABASE IF EXISTS gimark_report_bench")
		must(err)
		_, err = admin.Exec("CREATE DATABASE gimark_report_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
		must(err)
		defer admin.Exec("DROP DATABASE IF EXISTS gimark_report_bench")
		opts.Driver, opts.DSN = "mysql", strings.TrimSuffix(*mysqlDSN, "/")+"/gimark_report_bench"
	}
	st, err := store.Open(ctx, opts)
	must(err)
	defer st.Close()
	_, err = st.Migrate(ctx)
	must(err)
	db := st.SQLDB()

	t0 := time.Now()
	load(db, opts.Driver, *rows)
	fmt.Printf("%s: loaded %d sales rows in %.1f s\n", opts.Driver, *rows, time.Since(t0).Seconds())
	if opts.Driver == "sqlite" {
		_, err = db.Exec("ANALYZE")
	} else {
		_, err = db.Exec("ANALYZE TABLE sales_records")
	}
	must(err)

	svc := report.New(st, func() time.Time { return time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC) })
	staff := model.Principal{UserID: 1, Role: model.RoleReviewer}
	for _, scope := range []struct {
		name    string
		product int64
	}{{"all products", 0}, {"one product", 1}, {"one enterprise", -1}} {
		var times []time.Duration
		var s *report.Summary
		for range *runs {
			start := time.Now()
			if scope.product < 0 { // an enterprise's own report reads its records
				s, err = svc.Summary(ctx, model.Principal{UserID: 2, Role: model.RoleEnterprise, EnterpriseID: 7}, 0, 2021)
			} else {
				s, err = svc.Summary(ctx, staff, scope.product, 2021)
			}
			must(err)
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		fmt.Printf("year report 2021, %s: median %v, min %v, max %v (online %d fen over %d platforms)\n",
			scope.name, times[len(times)/2].Round(time.Millisecond), times[0].Round(time.Millisecond),
			times[len(times)-1].Round(time.Millisecond), s.This.OnlineFen, len(s.Platforms))
	}
	explain(db, opts.Driver)
}

// load inserts n rows: 2021, many enterprises, every platform, many countries, offline.
func load(db *sql.DB, driver string, n int) {
	now := time.Date(2022, 1, 10, 0, 0, 0, 0, time.UTC)
	tx, err := db.Begin()
	must(err)
	_, err = tx.Exec("INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('bench', 'x', 'reviewer', ?, ?)", now, now)
	must(err)
	for i := 1; i <= 7; i++ {
		_, err = tx.Exec("INSERT INTO products (name, kind, reference_number, region_code, active, created_at, updated_at) VALUES (?, 'protected_product', 'x', '620421', 1, ?, ?)",
			fmt.Sprintf("产品%d", i), now, now)
		must(err)
	}
	const enterprises = 3000
	for i := 1; i <= enterprises; i++ {
		_, err = tx.Exec(`INSERT INTO enterprises (uscc, name, legal_representative, address, region_code, contact_phone, created_at, updated_at)
VALUES (?, ?, 'x', 'x', '620421', '0943', ?, ?)`, fmt.Sprintf("B%017d", i), fmt.Sprintf("企业%d", i), now, now)
		must(err)
	}
	keys := []string{"online|tmall|", "online|jd|", "online|pinduoduo|", "online|douyin|", "online|wechat|", "online|other|", "offline||"}
	for _, c := range []string{"JP", "KR", "US", "MY", "SG", "DE", "AE", "GB", "FR", "NL", "AU", "CA", "RU", "TH", "VN", "ID", "PH", "IT", "ES", "SA", "QA", "KW", "NZ", "BE", "CH", "SE", "DK"} {
		keys = append(keys, "export||"+c)
	}
	ins := "INSERT INTO sales_records (enterprise_id, product_id, period, channel, platform, country, amount_fen, quantity_g, reported_by, created_at, updated_at) VALUES "
	var sb strings.Builder
	var args []any
	flush := func() {
		if len(args) == 0 {
			return
		}
		_, err := tx.Exec(ins+strings.TrimSuffix(sb.String(), ","), args...)
		must(err)
		sb.Reset()
		args = args[:0]
	}
	count := 0
	for e := 1; e <= enterprises && count < n; e++ {
		for m := 1; m <= 12 && count < n; m++ {
			for _, k := range keys {
				if count == n {
					break
				}
				parts := strings.Split(k, "|")
				sb.WriteString("(?,?,?,?,?,?,?,?,1,?,?),")
				args = append(args, e, 1+e%7, 202100+m, parts[0], parts[1], parts[2], 100000+count%5000, 1000+count%700, now, now)
				count++
				if len(args) >= 500*10 {
					flush()
				}
			}
		}
	}
	flush()
	// The service keeps the bureau-wide totals on every PUT; a raw bulk load fills them once.
	_, err = tx.Exec(`INSERT INTO sales_totals (period, product_id, channel, platform, country, amount_fen, quantity_g)
SELECT period, product_id, channel, platform, country, SUM(amount_fen), SUM(quantity_g) FROM sales_records
GROUP BY period, product_id, channel, platform, country`)
	must(err)
	must(tx.Commit())
	if count < n {
		log.Fatalf("only %d distinct keys", count)
	}
}

// explain prints the plan of the report's heaviest query on either engine.
func explain(db *sql.DB, driver string) {
	// The bureau's report reads the totals; an enterprise's own report reads its records.
	q := "SELECT period, channel, platform, country, SUM(amount_fen), SUM(quantity_g) FROM sales_totals WHERE period BETWEEN 202101 AND 202112 GROUP BY period, channel, platform, country"
	qp := "SELECT period, channel, platform, country, SUM(amount_fen), SUM(quantity_g) FROM sales_records WHERE period BETWEEN 202101 AND 202112 AND enterprise_id = 7 GROUP BY period, channel, platform, country"
	for _, query := range []string{q, qp} {
		prefix := "EXPLAIN QUERY PLAN "
		if driver == "mysql" {
			prefix = "EXPLAIN "
		}
		rows, err := db.Query(prefix + query)
		must(err)
		cols, _ := rows.Columns()
		fmt.Printf("plan: %s\n", query)
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(rows.Scan(ptrs...))
			var parts []string
			for i, v := range vals {
				if v.Valid && v.String != "" {
					parts = append(parts, cols[i]+"="+v.String)
				}
			}
			fmt.Println("  " + strings.Join(parts, " "))
		}
		rows.Close()
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
