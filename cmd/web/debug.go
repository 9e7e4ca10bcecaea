package main

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"glimpse/engine/wire"
)

// serveDebug serves the Go runtime's profiles (goroutines, heap) on a
// loopback address of their own, for bench/load and for looking at a
// live process; off unless -debug-addr is given. Never on the app's own
// address: profiles name internals no browser should see.
func serveDebug(addr string, log *slog.Logger) (stop func(), err error) {
	if !wire.IsLoopbackAddr(addr) {
		return nil, errors.New("-debug-addr must be a loopback address")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info("debug profiles", "pprof", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() { srv.Close() }, nil
}
