package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/razmena/razmena/internal/config"
	"github.com/razmena/razmena/internal/misp"
)

// runCorrelate is `razmena correlate`: rebuild the correlations of every
// attribute (after a bulk import, or a restore from a backup made
// without them), change the over-correlation limit, or switch CIDR
// correlation (docs/correlation.md). Writes keep correlations up to date on their
// own; a server may keep running during a rebuild.
func runCorrelate(ctx context.Context, args []string, io stdio) error {
	cfg := config.Default()
	if err := cfg.Env(io.getenv); err != nil {
		return err
	}
	fs := flag.NewFlagSet("correlate", flag.ContinueOnError)
	fs.SetOutput(io.stderr)
	fs.StringVar(&cfg.Database, "database", cfg.Database, "SQLite file, or postgres:// URL (env RAZMENA_DATABASE)")
	rebuild := fs.Bool("rebuild", false, "recompute the correlations of every attribute, printing progress")
	batch := fs.Int64("batch", 0, "attribute ids per rebuild transaction (0: the store's default)")
	fresh := fs.Bool("fresh", false, "with -rebuild: rebuild from scratch in one transaction, several times faster at millions of attributes; other writes wait for it")
	limit := fs.Int("limit", 0, "set the over-correlation limit (MISP.correlation_limit): values held by more attributes do not correlate")
	advanced := fs.String("advanced", "", "on or off: switch CIDR correlation (MISP.enable_advanced_correlations): ip-src/ip-dst networks correlate with the addresses inside them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*rebuild && *limit == 0 && *advanced == "" {
		fs.Usage()
		return errors.New("correlate: nothing to do (give -rebuild, -limit or -advanced)")
	}
	if *fresh && !*rebuild {
		return errors.New("correlate: -fresh goes with -rebuild")
	}
	if *advanced != "" && *advanced != "on" && *advanced != "off" {
		return fmt.Errorf("correlate: -advanced %q: want on or off", *advanced)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if *limit != 0 {
		if err := db.SetCorrelationLimit(ctx, *limit); err != nil {
			return err
		}
		fmt.Fprintf(io.stdout, "correlation limit set to %d, over-correlating values recounted\n", *limit)
	}
	if *advanced != "" {
		if err := db.SetAdvancedCorrelations(ctx, *advanced == "on"); err != nil {
			return err
		}
		fmt.Fprintf(io.stdout, "CIDR correlation (advanced correlations) %s\n", *advanced)
	}
	if !*rebuild {
		return nil
	}
	start := time.Now()
	report := func(p misp.CorrelationProgress) {
		fmt.Fprintf(io.stdout, "correlate: %5.1f%%  attribute ids %d–%d of %d  %d values  %s\n",
			100*p.Fraction(), p.MinID, p.LastID, p.MaxID, p.Values, time.Since(start).Round(100*time.Millisecond))
	}
	if *fresh {
		steps := []string{"values inserted", "indexes built", "over-correlating values counted"}
		p, err := db.RebuildCorrelationsFresh(ctx, func(p misp.CorrelationProgress) {
			fmt.Fprintf(io.stdout, "correlate: %s  %d values of %d attributes  %s\n", steps[min(p.Batches, len(steps))-1],
				p.Values, p.Attributes, time.Since(start).Round(100*time.Millisecond))
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(io.stdout, "correlate: rebuilt from scratch in %s: %d attribute ids, %d correlation values\n",
			time.Since(start).Round(100*time.Millisecond), max(0, p.MaxID-p.MinID+1), p.Values)
		return nil
	}
	p, err := db.RebuildCorrelations(ctx, *batch, report)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.stdout, "correlate: rebuilt in %s: %d attribute ids in %d batches, %d correlation values\n",
		time.Since(start).Round(100*time.Millisecond), max(0, p.MaxID-p.MinID+1), p.Batches, p.Values)
	return nil
}
