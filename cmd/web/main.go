// Command web serves Glimpse: indexes, uploads, search and analysis over
// the TwelveLabs v1.3 API. With TWELVELABS_API_KEY it talks to the cloud;
// without, it mounts the local engine at /engine on its own server and
// talks to that.
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
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"

	"glimpse/analysisstore"
	"glimpse/engine"
	"glimpse/engine/generate"
	"glimpse/engine/local"
	"glimpse/engine/understand/onnx"
	"glimpse/events"
	"glimpse/handlers"
	"glimpse/sessions"
	"glimpse/static"
	"glimpse/tlclient"
	"glimpse/webapp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "glimpse-web:", err)
		os.Exit(1)
	}
}

// config is the command's configuration: flags, defaulting from the
// environment.
type config struct {
	addr        string
	dataDir     string
	apiKey      string
	baseURL     string
	sessionKeys string
	// llm optionally names a chat-completions server for the embedded
	// engine's answers (GLIMPSE_LLM_URL and friends).
	llm *generate.LLMConfig
	// imageTextModel optionally names a CLIP-style ONNX model (GLIMPSE_CLIP_DIR).
	imageTextModel *onnx.Config
	maxUploadMB    int64
	logLevel       string
}

func parseConfig(args []string, getenv func(string) string) (*config, error) {
	fs := flag.NewFlagSet("web", flag.ContinueOnError)
	c := &config{}
	fs.StringVar(&c.addr, "addr", envOr(getenv, "GLIMPSE_ADDR", "127.0.0.1:8080"), "listen address ($GLIMPSE_ADDR)")
	fs.StringVar(&c.dataDir, "data", envOr(getenv, "GLIMPSE_DATA", "./data"), "data directory: session key, embedded engine ($GLIMPSE_DATA)")
	fs.StringVar(&c.baseURL, "base-url", envOr(getenv, "TWELVELABS_BASE_URL", tlclient.DefaultBaseURL), "TwelveLabs API URL ($TWELVELABS_BASE_URL)")
	fs.Int64Var(&c.maxUploadMB, "max-upload-mb", 2048, "largest video file accepted, in MB")
	fs.StringVar(&c.logLevel, "log-level", envOr(getenv, "GLIMPSE_LOG_LEVEL", "info"), "debug, info, warn or error ($GLIMPSE_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	// The key is read from the environment only: a flag would show it in ps.
	c.apiKey = getenv("TWELVELABS_API_KEY")
	c.sessionKeys = getenv("GLIMPSE_SESSION_KEYS")
	c.llm = local.LLMFromEnv(getenv)
	c.imageTextModel = local.ImageTextModelFromEnv(getenv)
	return c, nil
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseConfig(args, getenv)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stdout, &slog.HandlerOptions{Level: level}))

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	app, err := newApp(cfg, "http://"+ln.Addr().String(), log)
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()

	srv := &http.Server{
		Handler:           app.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// No ReadTimeout/WriteTimeout: uploads take long, and SSE streams
		// clear their own deadline.
	}
	// Shutdown waits for connections to go idle; SSE streams never do, so
	// close them as shutdown starts.
	srv.RegisterOnShutdown(app.Events.Shutdown)
	log.Info("glimpse listening", "url", "http://"+ln.Addr().String(), "backend", app.BackendName, "data", cfg.dataDir)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// app is the wired web app.
type app struct {
	Handler     http.Handler
	Events      *events.Hub
	Watcher     *webapp.TaskWatcher
	Engine      *engine.Engine // nil when the app talks to the cloud
	BackendName string
}

// newApp wires the app. selfURL is the app's own origin: the embedded
// engine is reached through it, at /engine/v1.3.
func newApp(cfg *config, selfURL string, log *slog.Logger) (*app, error) {
	gin.SetMode(gin.ReleaseMode)
	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return nil, err
	}
	// Generated analyses (gist, summaries) are kept per video.
	analyses, err := analysisstore.New(filepath.Join(cfg.dataDir, "analysis"))
	if err != nil {
		return nil, err
	}
	secrets, err := sessions.LoadSecrets(cfg.sessionKeys, cfg.dataDir)
	if err != nil {
		return nil, err
	}
	store, err := sessions.New(secrets, log)
	if err != nil {
		return nil, err
	}
	hub := events.New(events.Options{
		Owner: func(r *http.Request) string { return store.Get(r).ID },
		// Streams are named <topic>-<session id>: a session may reopen its own.
		Claim: func(stream, owner string) bool { return strings.HasSuffix(stream, "-"+owner) },
		Log:   log,
	})
	a := &app{Events: hub}
	httpClient := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	backends := &handlers.ClientBackends{CloudURL: cfg.baseURL, HTTP: httpClient}
	var engineHandler http.Handler
	if cfg.apiKey != "" {
		backends.Base = tlclient.New(cfg.apiKey, tlclient.WithBaseURL(cfg.baseURL), tlclient.WithHTTPClient(httpClient))
		backends.BaseName = handlers.BackendServerKey
	} else {
		eng, err := local.New(local.Config{Config: engine.Config{
			DataDir:        filepath.Join(cfg.dataDir, "engine"),
			MountPath:      "/engine",
			MaxUploadBytes: cfg.maxUploadMB << 20,
			Logger:         log.With("part", "engine"),
		}, LLM: cfg.llm, ImageTextModel: cfg.imageTextModel})
		if err != nil {
			hub.Shutdown()
			return nil, fmt.Errorf("starting the local engine: %w", err)
		}
		a.Engine = eng
		engineHandler = eng.Handler()
		// The engine accepts any key; the client still sends one.
		backends.Base = tlclient.New("local", tlclient.WithBaseURL(selfURL+"/engine/v1.3"), tlclient.WithHTTPClient(httpClient))
		backends.BaseName = handlers.BackendLocal
	}
	a.BackendName = backends.BaseName
	a.Watcher = webapp.NewTaskWatcher(hub, log)
	srv := &handlers.Server{
		Log:            log,
		Backends:       backends,
		Sessions:       store,
		Events:         hub,
		Static:         static.Handler(),
		Engine:         engineHandler,
		Watcher:        a.Watcher,
		MaxUploadBytes: cfg.maxUploadMB << 20,
		Analyses:       analyses,
	}
	a.Handler = srv.Routes()
	return a, nil
}

// Close stops the watcher, the SSE hub and the engine.
func (a *app) Close() {
	a.Watcher.Close()
	a.Events.Shutdown()
	if a.Engine != nil {
		a.Engine.Close()
	}
}
