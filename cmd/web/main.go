// Command web serves Glimpse: indexes, uploads, search and analysis over
// the TwelveLabs v1.3 API. With TWELVELABS_API_KEY it talks to the cloud;
// without, it mounts the local engine at /engine on its own server and
// talks to that.
package main

import (
	"context"
	"crypto/rand"
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
	"glimpse/engine/full"
	"glimpse/engine/generate"
	"glimpse/engine/understand/onnx"
	"glimpse/engine/wire"
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
	// allowedHosts are host names served besides loopback (GLIMPSE_ALLOWED_HOSTS).
	allowedHosts []string
	// trustedProxies may name the client in X-Forwarded-For (GLIMPSE_TRUSTED_PROXIES).
	trustedProxies []string
	// basicAuth is "user:password" asked for on every page (GLIMPSE_BASIC_AUTH).
	basicAuth *handlers.Credentials
	// bodyIdle ends a request whose body sends nothing this long.
	bodyIdle time.Duration
	// debugAddr serves runtime profiles on loopback when set (see debug.go).
	debugAddr string
	// redisURL shares the app with its other instances (GLIMPSE_REDIS_URL, cluster.go).
	redisURL string
}

func parseConfig(args []string, getenv func(string) string) (*config, error) {
	fs := flag.NewFlagSet("web", flag.ContinueOnError)
	c := &config{}
	fs.StringVar(&c.addr, "addr", envOr(getenv, "GLIMPSE_ADDR", "127.0.0.1:8080"), "listen address ($GLIMPSE_ADDR)")
	fs.StringVar(&c.dataDir, "data", envOr(getenv, "GLIMPSE_DATA", "./data"), "data directory: session key, embedded engine ($GLIMPSE_DATA)")
	fs.StringVar(&c.baseURL, "base-url", envOr(getenv, "TWELVELABS_BASE_URL", tlclient.DefaultBaseURL), "TwelveLabs API URL ($TWELVELABS_BASE_URL)")
	fs.Int64Var(&c.maxUploadMB, "max-upload-mb", 2048, "largest video file accepted, in MB")
	fs.StringVar(&c.logLevel, "log-level", envOr(getenv, "GLIMPSE_LOG_LEVEL", "info"), "debug, info, warn or error ($GLIMPSE_LOG_LEVEL)")
	fs.DurationVar(&c.bodyIdle, "body-idle", wire.DefaultBodyIdle, "end a request whose body sends nothing for this long")
	fs.StringVar(&c.debugAddr, "debug-addr", "", "serve Go runtime profiles (/debug/pprof/) on this loopback address")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	// The key is read from the environment only: a flag would show it in ps.
	c.apiKey = getenv("TWELVELABS_API_KEY")
	c.sessionKeys = getenv("GLIMPSE_SESSION_KEYS")
	c.redisURL = getenv("GLIMPSE_REDIS_URL") // may hold a password: not a flag
	for _, h := range strings.Split(getenv("GLIMPSE_ALLOWED_HOSTS"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			c.allowedHosts = append(c.allowedHosts, h)
		}
	}
	for _, p := range strings.Split(getenv("GLIMPSE_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return nil, fmt.Errorf("GLIMPSE_TRUSTED_PROXIES: %q is neither an IP address nor a CIDR range", p)
		}
		c.trustedProxies = append(c.trustedProxies, p)
	}
	if v := getenv("GLIMPSE_BASIC_AUTH"); v != "" {
		user, pass, ok := strings.Cut(v, ":")
		if !ok || user == "" || len(pass) < 8 {
			return nil, errors.New("GLIMPSE_BASIC_AUTH must be user:password, with a password of 8 characters or more")
		}
		c.basicAuth = &handlers.Credentials{User: user, Password: pass}
	}
	c.llm = full.LLMFromEnv(getenv)
	c.imageTextModel = full.ImageTextModelFromEnv(getenv)
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

	if !wire.IsLoopbackAddr(cfg.addr) && cfg.apiKey == "" && cfg.basicAuth == nil {
		return fmt.Errorf("refusing to listen on %s with the embedded engine and no login: anyone who reaches it could read and delete the library. "+
			"Set GLIMPSE_BASIC_AUTH=user:password (or TWELVELABS_API_KEY), or listen on 127.0.0.1", cfg.addr)
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	app, err := newApp(cfg, selfURL(ln.Addr()), log)
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	if cfg.debugAddr != "" {
		stopDebug, err := serveDebug(cfg.debugAddr, log)
		if err != nil {
			return err
		}
		defer stopDebug()
	}

	srv := &http.Server{
		Handler:           wire.IdleBodies(app.Handler, cfg.bodyIdle),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// No ReadTimeout/WriteTimeout: uploads take long, and SSE streams
		// clear their own deadline. A stalled body ends after bodyIdle.
	}
	// Shutdown waits for connections to go idle; SSE streams never do, so
	// close them as shutdown starts.
	srv.RegisterOnShutdown(app.Events.Shutdown)
	log.Info("glimpse listening", "url", selfURL(ln.Addr()), "backend", app.BackendName, "data", cfg.dataDir)

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

// selfURL is the app's own origin as reached from this machine: an
// unspecified listen address (0.0.0.0, ::) is reached on 127.0.0.1.
func selfURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// app is the wired web app.
type app struct {
	Handler http.Handler
	Events  *events.Hub
	Watcher *webapp.TaskWatcher
	Engine  *engine.Engine // nil when the app talks to the cloud
	// EngineKey is the embedded engine's secret, made anew by each process:
	// the app's own client sends it, the browser never sees it.
	EngineKey   string
	BackendName string
	closeShared func()
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
	sh, err := joinCluster(cfg.redisURL, hub, analyses, log)
	if err != nil {
		hub.Shutdown()
		return nil, err
	}
	a := &app{Events: hub, closeShared: sh.close}
	// A refused key or an unreachable backend shows on the page that asked.
	httpClient := &http.Client{Transport: handlers.NoteTrouble(http.DefaultTransport.(*http.Transport).Clone())}
	backends := &handlers.ClientBackends{CloudURL: cfg.baseURL, HTTP: httpClient}
	var engineHandler http.Handler
	if cfg.apiKey != "" {
		backends.Base = tlclient.New(cfg.apiKey, tlclient.WithBaseURL(cfg.baseURL), tlclient.WithHTTPClient(httpClient))
		backends.BaseName = handlers.BackendServerKey
	} else {
		a.EngineKey = rand.Text()
		eng, err := full.New(full.Config{Config: engine.Config{
			DataDir:        filepath.Join(cfg.dataDir, "engine"),
			MountPath:      "/engine",
			APIKey:         a.EngineKey,
			MaxUploadBytes: cfg.maxUploadMB << 20,
			Logger:         log.With("part", "engine"),
		}, LLM: cfg.llm, ImageTextModel: cfg.imageTextModel})
		if err != nil {
			sh.close()
			hub.Shutdown()
			return nil, fmt.Errorf("starting the local engine: %w", err)
		}
		a.Engine = eng
		engineHandler = eng.Handler()
		backends.Base = tlclient.New(a.EngineKey, tlclient.WithBaseURL(selfURL+"/engine/v1.3"), tlclient.WithHTTPClient(httpClient))
		backends.BaseName = handlers.BackendLocal
	}
	a.BackendName = backends.BaseName
	a.Watcher = webapp.NewTaskWatcher(sh.hub, log)
	a.Watcher.Leases = sh.leases
	// The app answers for loopback names, the address it listens on and
	// the names it is told.
	hosts := cfg.allowedHosts
	if h, _, err := net.SplitHostPort(strings.TrimPrefix(selfURL, "http://")); err == nil {
		hosts = append(hosts, h)
	}
	srv := &handlers.Server{
		Log:            log,
		AllowedHosts:   hosts,
		TrustedProxies: cfg.trustedProxies,
		BasicAuth:      cfg.basicAuth,
		Backends:       backends,
		Sessions:       store,
		Events:         sh.hub,
		Static:         static.Handler(),
		Engine:         engineHandler,
		Watcher:        a.Watcher,
		MaxUploadBytes: cfg.maxUploadMB << 20,
		Analyses:       sh.analyses,
		Answers:        &webapp.Answers{Hub: sh.hub, Log: log, Book: sh.answers},
	}
	a.Handler = srv.Routes()
	return a, nil
}

// Close stops the watcher, the SSE hub and the engine.
func (a *app) Close() {
	a.Watcher.Close()
	a.closeShared()
	a.Events.Shutdown()
	if a.Engine != nil {
		a.Engine.Close()
	}
}
