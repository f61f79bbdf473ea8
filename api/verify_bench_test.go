package api_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"gimark/internal/apitest"
	"gimark/internal/testdb"
)

// BenchmarkVerifyHandler measures the verification handler in-process, without the network,
// to show where its time goes, on SQLite and (with GIMARK_TEST_MYSQL_DSN) MySQL:
//
//	go test -run='^$' -bench=VerifyHandler/sqlite -cpuprofile=cpu.out ./api
func BenchmarkVerifyHandler(b *testing.B) {
	for _, eng := range testdb.Engines(b) {
		b.Run(eng.Name, func(b *testing.B) { benchmarkVerifyHandler(b, eng) })
	}
}

func benchmarkVerifyHandler(b *testing.B, eng testdb.Engine) {
	e, codes := verifyFixture(b, eng)
	b.Run("gimark-verify", func(b *testing.B) { parallelGet(b, e.Handler, "/api/v1/verify/", codes) })
	// The same-run baseline: a minimal Gin handler doing one indexed lookup with database/sql
	// on the same database, through verification's own pool on MySQL.
	pool := e.Store.Pools()["reader"]
	if eng.Name == "mysql" {
		pool = e.Store.Pools()["verify"]
	}
	stmt, err := pool.Prepare("SELECT id, status, scan_count FROM labels WHERE code = ?")
	if err != nil {
		b.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/lookup/:code", func(c *gin.Context) {
		var id, count int64
		var status string
		if err := stmt.QueryRow(c.Param("code")).Scan(&id, &status, &count); err != nil {
			c.JSON(http.StatusNotFound, gin.H{"found": false})
			return
		}
		c.JSON(http.StatusOK, gin.H{"found": true, "id": id, "status": status, "scan_count": count})
	})
	b.Run("baseline-lookup", func(b *testing.B) { parallelGet(b, r, "/lookup/", codes) })
}

func parallelGet(b *testing.B, h http.Handler, prefix string, codes []string) {
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest("GET", prefix+codes[rand.IntN(len(codes))], nil)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatal(w.Code)
			}
		}
	})
}

func verifyFixture(b *testing.B, eng testdb.Engine) (*apitest.Env, []string) {
	e := apitest.New(b, eng, apitest.Options{ScanThreshold: 1_000_000})
	owner, rev := e.Enterprise("owner"), e.Reviewer("rev")
	filing := e.Approved(owner, e.Product("靖远枸杞"), rev)
	batch := e.Post(fmt.Sprintf("/api/v1/filings/%d/label-batches", filing), owner.Token, map[string]int{"quantity": 10000}).ID(b)
	var codes []string
	for _, line := range strings.Split(string(e.Get(fmt.Sprintf("/api/v1/label-batches/%d/codes.csv", batch), owner.Token).Body), "\n")[1:] {
		if f := strings.Split(line, ","); len(f) == 3 {
			codes = append(codes, f[1])
		}
	}
	return e, codes
}
