package api_test

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// proxy forwards TCP to a database and can cut it off, as a network
// partition or a database restart would.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() {
		ln.Close()
		p.setCut(true)
	})
	go p.serve()
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

// setCut cuts the database off (closing every open connection) or
// lets it through again.
func (p *proxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

func TestDatabaseOutageAnswers503AndRecovers(t *testing.T) {
	dsn := storagetest.MySQLDatabase(t)
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, cfg.Addr)
	cfg.Addr = p.ln.Addr().String()
	ctx := context.Background()
	s, err := storage.Open(ctx, storage.Options{Driver: storage.MySQL, DSN: cfg.FormatDSN()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, s, engine.ModePool)
	e.putRep("before", 1)

	p.setCut(true)
	if r := e.do("GET", "/readyz", "", nil); r.Status != 503 {
		t.Errorf("readyz during outage = %d %s, want 503", r.Status, r.Body)
	}
	expectError(t, e.call("PUT", "/api/v1/reps/during", map[string]any{"name": "x", "role": "rep",
		"capacity": 1}), 503, "database_unavailable", "")
	r := e.call("GET", "/api/v1/reps", nil)
	expectError(t, r, 503, "database_unavailable", "")
	if r.Header.Get("Retry-After") == "" {
		t.Errorf("503 without Retry-After")
	}

	p.setCut(false)
	ready := false
	for range 20 { // the pool may hand out a connection the cut broke
		if e.do("GET", "/readyz", "", nil).Status == 200 {
			ready = true
			break
		}
	}
	if !ready {
		t.Fatalf("readyz never recovered after the database came back")
	}
	e.putRep("after", 1)
	got := snapshotReps(e)
	if got != "after,before" {
		t.Errorf("reps after outage = %s, want after,before (nothing from during)", got)
	}
}

func snapshotReps(e *env) string {
	e.t.Helper()
	var reps []struct {
		ID string `json:"id"`
	}
	e.must(200, "GET", "/api/v1/reps", nil).decode(e.t, &reps)
	out := ""
	for i, r := range reps {
		if i > 0 {
			out += ","
		}
		out += r.ID
	}
	return out
}
