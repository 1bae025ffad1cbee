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
		{name: "cadence out of range", env: map[string]string{"LEADBOT_ENGINE_CADENCE_A": "30"},
			want: "engine.cadence.a: is 30; allowed: 0 (none) to 21"},
		{name: "bad silence", env: map[string]string{"LEADBOT_ENGINE_CADENCE_SILENCE": "-1h"},
			want: "engine.cadence.silence: is -1h0m0s"},
		{name: "milestones out of order", env: map[string]string{"LEADBOT_ENGINE_MILESTONES_DEMO": "40"},
			want: "engine.milestones.demo: is 40; it must come later"},
		{name: "milestone reminder", env: map[string]string{"LEADBOT_ENGINE_MILESTONES_REMIND_BEFORE": "0s"},
			want: "engine.milestones.remind_before: is 0s"},
		{name: "lag alert of all", env: map[string]string{"LEADBOT_LAG_ALERT": "1"},
			want: "scheduler.lag_alert (LEADBOT_LAG_ALERT): is 1; want a share"},
		{name: "extend by weeks", env: map[string]string{"LEADBOT_EXTEND_BY": "1w"},
			want: "scheduler.extend_by (LEADBOT_EXTEND_BY): extension: \"1w\" is not an extension"},
		{name: "lease too short", env: map[string]string{"LEADBOT_SCHEDULER_LEASE_TTL": "1s"},
			want: "scheduler.lease_ttl: is 1s; allowed: 3s to 10m"},
		{name: "outbox lease too long", env: map[string]string{"LEADBOT_CHAT_OUTBOX_LEASE": "2h"},
			want: "chat.outbox_lease: is 2h0m0s; allowed: 1s to 1h"},
		{name: "duplicate check over 4h", env: map[string]string{"LEADBOT_WECOM_CORP_ID": "ww1",
			"LEADBOT_WECOM_DUPLICATE_CHECK": "5h"},
			want: "LEADBOT_WECOM_DUPLICATE_CHECK is 5h0m0s; want whole seconds from 0 (off) to 4h"},
		{name: "unknown file key", file: "engine:\n  mood: auto\n", want: "field mood not found"},
		{name: "pairing rule without tag",
			file: "engine:\n  collaboration:\n    pairing:\n      - name: big\n        when: {amount_over: 500000}\n        add: {tag: tc}\n" +
				"      - name: bigger\n        when: {amount_over: 900000}\n        add: {level: senior}\n",
			want: "engine.collaboration.pairing[1].add.tag: is required"},
		{name: "expert rate", env: map[string]string{"LEADBOT_ENGINE_COLLABORATION_EXPERT_RATE": "2"},
			want: "engine.collaboration.expert_rate: is 2, must be from 0 to 1"},
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

func TestPoolAndHoursReachThePolicy(t *testing.T) {
	c, err := LoadConfig("", false, env(map[string]string{
		"LEADBOT_ENGINE_POOL_RECYCLE_AFTER":   "96h",
		"LEADBOT_ENGINE_POOL_RECYCLE_WARNING": "12h",
		"LEADBOT_ENGINE_BUSINESS_HOURS":       "10:00-17:00",
	}))
	if err != nil {
		t.Fatal(err)
	}
	p := c.policy()
	if p.RecycleAfter != 96*time.Hour || p.RecycleWarning != 12*time.Hour {
		t.Errorf("recycling = after %s, warned %s before; want 96h and 12h",
			p.RecycleAfter, p.RecycleWarning)
	}
	// Friday 16:00 in Shanghai plus two business hours of 10:00-17:00
	// is Monday 11:00.
	sh, _ := time.LoadLocation("Asia/Shanghai")
	from := time.Date(2026, 12, 4, 16, 0, 0, 0, sh)
	want := time.Date(2026, 12, 7, 11, 0, 0, 0, sh)
	if got := p.Hours.Add(from, 2*time.Hour, sh); !got.Equal(want) {
		t.Errorf("two business hours from %s = %s, want %s", from, got, want)
	}
}
