package storage_test

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

func TestExploreSQL(t *testing.T) {
	for _, d := range storagetest.Drivers {
		t.Run(d, func(t *testing.T) {
			o := storagetest.Options(t, d)
			s0, _ := storage.Open(context.Background(), o)
			s0.Migrate(context.Background())
			s0.Close()
			o.Log = slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug}))
			s, err := storage.Open(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			p := engine.DefaultPolicy
			p.Mode = engine.ModeAuto
			svc := engine.NewService(engine.Deps{Store: s, Policy: p})
			putRep(t, svc, "r1", 100)
			putRep(t, svc, "r2", 100)
			os.Stdout.WriteString("=== INTAKE AUTO\n")
			in := lead("x1", 1000, 0.1)
			in.Attributes = map[string]any{"campaign": "spring"}
			svc.Intake(ctx, in, engine.ActorAPI)
			p.Mode = engine.ModePool
			svc = engine.NewService(engine.Deps{Store: s, Policy: p})
			os.Stdout.WriteString("=== INTAKE POOL\n")
			l, _, _ := svc.Intake(ctx, lead("x2", 1000, 0.1), engine.ActorAPI)
			os.Stdout.WriteString("=== CLAIM\n")
			if _, err := svc.Claim(ctx, l.ID, "r1", "r1"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
