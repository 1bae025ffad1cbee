package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestSampleConfigMatchesDefaults(t *testing.T) {
	got, err := LoadConfig(filepath.Join("..", "..", DefaultConfigPath), true, env(nil))
	if err != nil {
		t.Fatalf("load %s: %v", DefaultConfigPath, err)
	}
	if want := DefaultConfig(); !reflect.DeepEqual(got, want) {
		t.Errorf("%s =\n%+v\nwant the built-in defaults\n%+v", DefaultConfigPath, got, want)
	}
}

func TestContractVariables(t *testing.T) {
	c, err := LoadConfig("", false, env(map[string]string{
		"LEADBOT_HTTP_ADDR":       "0.0.0.0:9090",
		"LEADBOT_DATABASE_DRIVER": "mysql",
		"LEADBOT_DATABASE_DSN":    "u:p@tcp(db:3306)/leadbot",
		"LEADBOT_API_TOKEN":       "s3cret",
		"LEADBOT_ENGINE_MODE":     "pool",
	}))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.HTTP.Addr, c.Database.Driver, c.Database.DSN, c.API.Token, c.Engine.Mode}
	want := []string{"0.0.0.0:9090", "mysql", "u:p@tcp(db:3306)/leadbot", "s3cret", "pool"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("config from env = %q, want %q", got, want)
	}
}

func TestEnvOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(path, []byte("engine:\n  mode: auto\n  first_touch:\n    a: 2h\n"), 0o600)
	c, err := LoadConfig(path, true, env(map[string]string{"LEADBOT_ENGINE_FIRST_TOUCH_A": "90m"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Engine.Mode != "auto" || c.Engine.FirstTouch.A != 90*time.Minute {
		t.Errorf("mode %q first_touch.a %s, want auto from the file and 1h30m from the env",
			c.Engine.Mode, c.Engine.FirstTouch.A)
	}
}

func TestBadConfigNamesKey(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		want string
	}{
		{name: "unknown mode", env: map[string]string{"LEADBOT_ENGINE_MODE": "fast"},
			want: "engine.mode: is \"fast\"; allowed: auto, pool, hybrid"},
		{name: "unknown driver", env: map[string]string{"LEADBOT_DATABASE_DRIVER": "postgres"},
			want: "database.driver: is \"postgres\"; allowed: sqlite, mysql"},
		{name: "bad number", env: map[string]string{"LEADBOT_DATABASE_MAX_OPEN_CONNS": "many"},
			want: "LEADBOT_DATABASE_MAX_OPEN_CONNS (database.max_open_conns): \"many\" is not a whole number"},
		{name: "bad duration", env: map[string]string{"LEADBOT_HTTP_SHUTDOWN_TIMEOUT": "soon"},
			want: "LEADBOT_HTTP_SHUTDOWN_TIMEOUT (http.shutdown_timeout): \"soon\" is not a duration"},
		{name: "grid out of order", env: map[string]string{"LEADBOT_ENGINE_SCORING_GRID_AMOUNT_MID": "900000"},
			want: "engine.scoring: grid: amount cut-offs must satisfy"},
		{name: "bad timezone", env: map[string]string{"LEADBOT_API_TIMEZONE": "Mars/Base"},
			want: "api.timezone: \"Mars/Base\" is not an IANA time zone"},
		{name: "unknown strategy", env: map[string]string{"LEADBOT_ENGINE_STRATEGY": "random"},
			want: "engine.strategy: unknown routing strategy \"random\""},
		{name: "wecom without secret", env: map[string]string{"LEADBOT_WECOM_CORP_ID": "ww1"},
			want: "LEADBOT_WECOM_SECRET"},
		{name: "dingtalk without secret", env: map[string]string{"LEADBOT_DINGTALK_CLIENT_ID": "ding1"},
			want: "LEADBOT_DINGTALK_CLIENT_SECRET"},
		{name: "bad quiet hours", env: map[string]string{"LEADBOT_QUIET_HOURS": "late"},
			want: "scheduler.quiet_hours (LEADBOT_QUIET_HOURS)"},
		{name: "lease too short", env: map[string]string{"LEADBOT_SCHEDULER_LEASE_TTL": "1s"},
			want: "scheduler.lease_ttl: is 1s; allowed: 3s to 10m"},
		{name: "outbox lease too long", env: map[string]string{"LEADBOT_CHAT_OUTBOX_LEASE": "2h"},
			want: "chat.outbox_lease: is 2h0m0s; allowed: 1s to 1h"},
		{name: "duplicate check over 4h", env: map[string]string{"LEADBOT_WECOM_CORP_ID": "ww1",
			"LEADBOT_WECOM_DUPLICATE_CHECK": "5h"},
			want: "LEADBOT_WECOM_DUPLICATE_CHECK is 5h0m0s; want whole seconds from 0 (off) to 4h"},
		{name: "unknown file key", file: "engine:\n  mood: auto\n", want: "field mood not found"},
		{name: "file type", file: "database:\n  max_open_conns: lots\n", want: "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = filepath.Join(t.TempDir(), "c.yaml")
				os.WriteFile(path, []byte(tt.file), 0o600)
			}
			_, err := LoadConfig(path, path != "", env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestEnvList(t *testing.T) {
	c, err := LoadConfig("", false, env(map[string]string{"LEADBOT_ENGINE_HOLIDAYS": "2026-10-01, 2026-10-02"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Engine.Holidays, "|"); got != "2026-10-01|2026-10-02" {
		t.Errorf("holidays from the env = %q, want the two dates", got)
	}
	if _, err := LoadConfig("", false, env(map[string]string{"LEADBOT_ENGINE_HOLIDAYS": "soon"})); err == nil ||
		!strings.Contains(err.Error(), "engine.business_hours") {
		t.Errorf("a bad holiday: err = %v, want it named", err)
	}
}

func TestEnvMap(t *testing.T) {
	c, err := LoadConfig("", false, env(map[string]string{"LEADBOT_WECOM_GROUP_WEBHOOKS": "east=k1, west=k2"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.WeCom.GroupWebhooks); got != "map[east:k1 west:k2]" {
		t.Errorf("group webhooks = %s", got)
	}
	_, err = LoadConfig("", false, env(map[string]string{"LEADBOT_WECOM_GROUP_WEBHOOKS": "east:secret-key"}))
	if err == nil || strings.Contains(err.Error(), "secret-key") {
		t.Errorf("bad map: err = %v, want an error that does not repeat the value", err)
	}
}

func TestMissingExplicitFile(t *testing.T) {
	_, err := LoadConfig(filepath.Join(t.TempDir(), "none.yaml"), true, env(nil))
	if err == nil {
		t.Error("LoadConfig of a missing --config file succeeded, want an error")
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "none.yaml"), false, env(nil)); err != nil {
		t.Errorf("LoadConfig of a missing default file = %v, want defaults", err)
	}
}
