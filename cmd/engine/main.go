// Command engine serves the local TwelveLabs-compatible engine alone, for
// any TwelveLabs client (set TWELVELABS_BASE_URL to http://ADDR/v1.3).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"glimpse/engine"
	"glimpse/engine/full"
	"glimpse/engine/wire"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	addr         string
	dataDir      string
	apiKey       string
	workers      int
	maxUploadMB  int64
	allowPrivate bool
}

func parseFlags(args []string, getenv func(string) string, usage io.Writer) (*options, error) {
	fs := flag.NewFlagSet("engine", flag.ContinueOnError)
	fs.SetOutput(usage)
	o := &options{}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8788", "listen address")
	fs.StringVar(&o.dataDir, "data", "./engine-data", "data directory (database and videos)")
	// The environment's key is applied after parsing, not as the flag's
	// default: the usage text prints defaults.
	fs.StringVar(&o.apiKey, "api-key", "", "API key clients must send (default $ENGINE_API_KEY); none accepts any key on loopback only")
	fs.IntVar(&o.workers, "workers", 0, "concurrent indexing tasks (default: number of cores)")
	fs.Int64Var(&o.maxUploadMB, "max-upload-mb", engine.DefaultMaxUploadBytes>>20, "largest accepted video, in MB")
	fs.BoolVar(&o.allowPrivate, "allow-private-urls", false, "let video_url fetch from loopback and private networks")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.apiKey == "" {
		o.apiKey = getenv("ENGINE_API_KEY")
	}
	return o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	o, err := parseFlags(args, getenv, stdout)
	if err != nil {
		return err
	}
	if o.apiKey == "" && !wire.IsLoopbackAddr(o.addr) {
		return fmt.Errorf("refusing to listen on %s without an API key: set -api-key or ENGINE_API_KEY, or listen on 127.0.0.1", o.addr)
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	eng, err := full.New(full.Config{Config: engine.Config{
		DataDir: o.dataDir, APIKey: o.apiKey, Workers: o.workers,
		MaxUploadBytes: o.maxUploadMB << 20, AllowPrivateURLs: o.allowPrivate, Logger: logger,
	}, LLM: full.LLMFromEnv(getenv), ImageTextModel: full.ImageTextModelFromEnv(getenv)})
	if err != nil {
		return err
	}
	defer eng.Close()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           wire.IdleBodies(eng.Handler(), wire.DefaultBodyIdle),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// No Read/WriteTimeout: uploads of 2 GB and streamed answers take
		// long; a body that stalls ends after wire.DefaultBodyIdle.
	}
	logger.Info("engine listening", "addr", ln.Addr().String(), "data", o.dataDir, "base_url", "http://"+ln.Addr().String()+"/v1.3",
		"api_key_required", o.apiKey != "")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
