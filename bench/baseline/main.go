// Command baseline is the yardstick the verification benchmark measures gimark against, in
// the same run on the same machine: a bare Gin handler (/ping) and a minimal Gin handler that
// does one indexed lookup of a label code with database/sql (/lookup/:code) on the same
// database gimark uses.
package main

import (
	"database/sql"
	"flag"
	"log"
	"net/http"

	"github.com/gin-gonic/gin"
	_ "github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18090", "listen address")
	driver := flag.String("driver", "sqlite", "sqlite or mysql")
	dsn := flag.String("dsn", "", "database: SQLite file or MySQL DSN")
	conns := flag.Int("conns", 8, "database connections")
	flag.Parse()
	if *driver == "sqlite" {
		*dsn += "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(*driver, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(*conns)
	db.SetMaxIdleConns(*conns)
	stmt, err := db.Prepare("SELECT id, status, scan_count FROM labels WHERE code = ?")
	if err != nil {
		log.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/ping", func(c *gin.Context) { c.String(http.StatusOK, "pong") })
	r.GET("/lookup/:code", func(c *gin.Context) {
		var id, count int64
		var status string
		if err := stmt.QueryRow(c.Param("code")).Scan(&id, &status, &count); err != nil {
			c.JSON(http.StatusNotFound, gin.H{"found": false})
			return
		}
		c.JSON(http.StatusOK, gin.H{"found": true, "id": id, "status": status, "scan_count": count})
	})
	log.Fatal(http.ListenAndServe(*addr, r))
}
