package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

func TestRebalanceConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	yaml := "engine:\n  rebalance:\n    overload: 0.8\n    reserve: [r1]\n" +
		"    telesales_team: 电销\n    move_penalty: 50\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(path, true, env(map[string]string{
		"LEADBOT_ENGINE_REBALANCE_RESERVE":       "r7, r9",
		"LEADBOT_ENGINE_REBALANCE_RESERVE_LEVEL": "储备",
		"LEADBOT_ENGINE_REBALANCE_CANDIDATES":    "8",
	}))
	if err != nil {
		t.Fatal(err)
	}
	got := c.Engine.Rebalance.options()
	want := engine.RebalanceOptions{Overload: 0.8, Reserve: []engine.RepID{"r7", "r9"},
		ReserveLevel: "储备", TelesalesTeam: "电销", MovePenalty: 50, Candidates: 8}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rebalance options = %+v, want %+v", got, want)
	}
}

func TestRebalanceConfigNamesKey(t *testing.T) {
	tests := []struct {
		name, value, key string
	}{
		{"LEADBOT_ENGINE_REBALANCE_OVERLOAD", "0", "engine.rebalance.overload"},
		{"LEADBOT_ENGINE_REBALANCE_OVERLOAD", "11", "engine.rebalance.overload"},
		{"LEADBOT_ENGINE_REBALANCE_MOVE_PENALTY", "0", "engine.rebalance.move_penalty"},
		{"LEADBOT_ENGINE_REBALANCE_CANDIDATES", "-3", "engine.rebalance.candidates"},
	}
	for _, tt := range tests {
		_, err := LoadConfig("", false, env(map[string]string{tt.name: tt.value}))
		if err == nil || !strings.Contains(err.Error(), tt.key) {
			t.Errorf("%s=%s: error %v, want one naming %s", tt.name, tt.value, err, tt.key)
		}
	}

	path := filepath.Join(t.TempDir(), "c.yaml")
	blank := "engine:\n  rebalance:\n    reserve: [\"\"]\n"
	if err := os.WriteFile(path, []byte(blank), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(path, true, env(nil)); err == nil ||
		!strings.Contains(err.Error(), "engine.rebalance.reserve") {
		t.Errorf("empty reserve id: error %v, want one naming engine.rebalance.reserve", err)
	}
}

// The command takes its options from the configuration, and a flag
// given overrides its key.
func TestRebalanceCommandConfigAndFlags(t *testing.T) {
	opts := storagetest.Options(t, storage.SQLite)
	t.Setenv("LEADBOT_DATABASE_DRIVER", opts.Driver)
	t.Setenv("LEADBOT_DATABASE_DSN", opts.DSN)
	seedOverloaded(t, opts) // a holds 4 at capacity 1; b and c hold none of 5

	t.Setenv("LEADBOT_ENGINE_REBALANCE_OVERLOAD", "4")
	code, out, errOut := runCmd(t, "rebalance", "--dry-run")
	if code != 0 || !strings.Contains(out, "dry run: 0 moves planned, 0 reps overloaded") {
		t.Fatalf("rebalance with overload 4 configured = %d\n%s\n%s; want nothing to move",
			code, out, errOut)
	}
	code, out, errOut = runCmd(t, "rebalance", "--dry-run", "--overload", "2")
	if code != 0 || !strings.Contains(out, "dry run: 2 moves planned, 1 reps overloaded") {
		t.Fatalf("rebalance --overload 2 = %d\n%s\n%s; want the flag over the configuration",
			code, out, errOut)
	}

	t.Setenv("LEADBOT_ENGINE_REBALANCE_OVERLOAD", "1")
	t.Setenv("LEADBOT_ENGINE_REBALANCE_RESERVE", "b")
	code, out, errOut = runCmd(t, "rebalance", "--dry-run")
	if code != 0 || strings.Count(out, "a -> c") != 3 {
		t.Fatalf("rebalance with b reserved = %d\n%s\n%s; want all 3 to peer c", code, out, errOut)
	}
	code, out, errOut = runCmd(t, "rebalance", "--dry-run", "--reserve", "")
	if code != 0 || !strings.Contains(out, "a -> b") || !strings.Contains(out, "a -> c") {
		t.Fatalf("rebalance --reserve '' = %d\n%s\n%s; want moves to b and c", code, out, errOut)
	}
}
