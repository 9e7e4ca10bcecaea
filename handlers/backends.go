package handlers

import (
	"net/http"
	"sync"

	"glimpse/tlclient"
)

// Backend names shown on every page.
const (
	BackendLocal     = "Local engine"
	BackendServerKey = "TwelveLabs cloud"
	BackendOwnKey    = "TwelveLabs cloud (your key)"
)

// ClientBackends hands out tlclient-backed backends: the server's default
// (its own key, or the embedded engine when it has none) and one per key a
// person pastes on the settings page.
type ClientBackends struct {
	// Base is the default backend's client.
	Base *tlclient.Client
	// BaseName says what Base talks to (BackendLocal or BackendServerKey).
	BaseName string
	// CloudURL is where a pasted key is sent: the cloud API, even when the
	// default backend is the local engine.
	CloudURL string
	// HTTP is shared by every client, so pasted keys reuse connections.
	// Its transport is wrapped with NoteTrouble unless it already is (wrap
	// the one Base uses yourself, so its trouble shows on pages too).
	HTTP *http.Client

	once  sync.Once
	keyed *http.Client
}

// Default is the server's backend.
func (b *ClientBackends) Default() Backend { return Backend{Name: b.BaseName, Client: b.Base} }

// WithKey builds a client for a pasted key. It is cheap: clients share the
// HTTP transport, and the key lives only in this value and the encrypted
// session.
func (b *ClientBackends) WithKey(apiKey string) Backend {
	url := b.CloudURL
	if url == "" {
		url = tlclient.DefaultBaseURL
	}
	b.once.Do(func() {
		hc := &http.Client{}
		if b.HTTP != nil {
			*hc = *b.HTTP
		}
		if _, ok := hc.Transport.(troubleTransport); !ok {
			hc.Transport = NoteTrouble(hc.Transport)
		}
		b.keyed = hc
	})
	opts := []tlclient.Option{tlclient.WithBaseURL(url), tlclient.WithHTTPClient(b.keyed)}
	return Backend{Name: BackendOwnKey, Client: tlclient.New(apiKey, opts...)}
}
